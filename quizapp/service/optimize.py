"""Use cases: the learner's own FSRS parameters. Fit them (in-process with
the Rust FSRS core, unless another ``fit`` is passed in), compare them with
the parameters in use on held-out reviews and adopt them only if better
(quizapp.optimizing holds that arithmetic); return to the previous ones;
reschedule every card with the parameters in use; the optimal retention
and the workload simulator for the learner's parameters and collection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlmodel import col, func, select

from quizapp.domain import MemoryState
from quizapp.i18n import _
from quizapp.optimizing import (
    Collection,
    Fitter,
    NotEnoughReviews,
    OptimizeReport,
    Progress,
    ReviewRow,
    StudiedCard,
    Workload,
    fit_parameters,
    is_better,
    reviews_needed,
    split_history,
    trainable_reviews,
)
from quizapp.optimizing import optimal_retention as compute_optimal_retention
from quizapp.optimizing import simulate as run_simulation
from quizapp.service.context import Context
from quizapp.service.context import Progress as Counter
from quizapp.service.presets import configs_by_deck
from quizapp.service.settings import apply_settings, store_study_settings, study_settings
from quizapp.store import queries
from quizapp.store.models import Card, CardState, ReviewLog
from quizapp.study_settings import StudySettings, check_parameters


def review_rows(ctx: Context) -> list[ReviewRow]:
    """The learner's review log, oldest first, as the optimizer reads it."""
    stmt = (
        select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating, ReviewLog.duration_ms)
        .where(ReviewLog.user_id == ctx.user_id)
        .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
    )
    days = ctx.days
    with ctx.read() as session:
        return [
            ReviewRow(card, at, rating, duration, days.day_of(at).toordinal())
            for card, at, rating, duration in session.exec(stmt)
        ]


def optimize(
    ctx: Context,
    *,
    fit: Fitter | None = None,
    progress: Progress | None = None,
    reschedule: bool = False,
    cancel: Callable[[], bool] | None = None,
    time_series: bool = False,
) -> OptimizeReport:
    """Fit the learner's parameters, compare, adopt if better (and then
    reschedule if asked). ``fit`` defaults to the one the context was given,
    else the in-process Rust fitter. Raises NotEnoughReviews below the
    optimizer's minimum and OptimizerUnavailable when the fit fails.
    ``time_series`` adds Anki's time-series-split evaluation of the whole
    history (it costs about three fits more)."""
    fit = fit or ctx.fit or fit_parameters
    rows = review_rows(ctx)
    needed = reviews_needed(rows)
    train, cutoff = split_history(rows)
    if needed:
        raise NotEnoughReviews(trainable_reviews(train), needed)
    current = tuple(study_settings(ctx).parameters)
    if time_series:
        result = fit(rows, cutoff=cutoff, current=current, progress=progress, cancel=cancel, time_series=True)
    else:
        result = fit(rows, cutoff=cutoff, current=current, progress=progress, cancel=cancel)
    adopted = is_better(result.before, result.after)
    report = OptimizeReport(
        reviews=len(rows),
        before=result.before,
        after=result.after,
        adopted=adopted,
        parameters=result.parameters if adopted else current,
        previous_parameters=current,
        train_reviews=result.train_reviews,
        seconds=result.seconds,
        evaluation=result.evaluation,
    )
    if adopted:
        set_parameters(ctx, result.parameters)
        if reschedule:
            report.rescheduled = reschedule_all(ctx)
    elif result.after is None:
        report.notes.append(_("no held-out review a day or more after the previous one: nothing to compare"))
    report.optimal_retention = optimal_retention(ctx)
    return report


def set_parameters(ctx: Context, parameters: tuple[float, ...]) -> StudySettings:
    """Schedule with these FSRS parameters from now on; the ones in use are
    kept to return to (:func:`revert_parameters`)."""
    current = study_settings(ctx)
    updated = replace(current, parameters=check_parameters(parameters), previous_parameters=current.parameters)
    with ctx.write() as session:
        store_study_settings(session=session, user_id=ctx.user_id, settings=updated, optimized_at=ctx.clock())
    apply_settings(ctx, updated)
    return updated


def revert_parameters(ctx: Context) -> StudySettings:
    """Return to the parameters in use before the last change (the ones left
    are kept in turn, so a revert can be reverted). ValueError when none are
    kept."""
    current = study_settings(ctx)
    if current.previous_parameters is None:
        raise ValueError(_("no previous parameters to return to"))
    updated = replace(current, parameters=current.previous_parameters, previous_parameters=current.parameters)
    with ctx.write() as session:
        store_study_settings(session=session, user_id=ctx.user_id, settings=updated)
    apply_settings(ctx, updated)
    return updated


def reschedule_all(ctx: Context, progress: Callable[[int, int], None] | None = None) -> int:
    """Replay every card's history with the current parameters, in one
    transaction: stability and difficulty follow the parameters, and review
    cards get the due date they give. Suspension, leech and bury flags stay.
    Returns the number of cards whose due date changed."""
    stmt = (
        select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating)
        .where(ReviewLog.user_id == ctx.user_id)
        .order_by(col(ReviewLog.card_id), col(ReviewLog.reviewed_at), col(ReviewLog.id))
    )
    changed = 0
    with ctx.write() as session:
        history: dict[str, list[tuple[datetime, int]]] = {}
        for card_id, at, rating in session.exec(stmt):
            history.setdefault(card_id, []).append((at, rating))
        states = {s.card_id: s for s in session.exec(select(CardState).where(CardState.user_id == ctx.user_id))}
        # Each card with the steps and desired retention of its deck's preset.
        configs = configs_by_deck(ctx, session)
        deck_of = {card_id: deck_id for card_id, deck_id in session.exec(select(Card.id, Card.deck_id))}
        counter = Counter(len(history), progress, every=100)
        for card_id, reviews in history.items():
            counter.step()
            state = states.get(card_id)
            if state is None:
                continue
            config = configs.get(deck_of.get(card_id, -1), ctx.config)
            memory = ctx.scheduler_for(config).replay(reviews, fuzz_key=card_id)
            if memory.due != state.due:
                changed += 1
            queries.store_memory(state, memory)
    return changed


def collection(ctx: Context) -> Collection:
    """The learner's collection as the simulator sees it: active cards,
    the studied ones with their memory states, daily limits and steps."""
    settings = study_settings(ctx)
    stmt = (
        select(CardState)
        .join(Card, col(Card.id) == CardState.card_id)
        .where(col(Card.active), CardState.user_id == ctx.user_id)
    )
    days = ctx.days
    now = ctx.clock()
    today = days.day_of(now).toordinal()
    studied: list[StudiedCard] = []
    started = suspended_new = 0
    with ctx.read() as session:
        cards = int(session.exec(select(func.count()).select_from(Card).where(col(Card.active))).one())
        for state in session.exec(stmt):
            if state.state == MemoryState.NEW:
                suspended_new += int(state.suspended)
                continue
            started += 1
            if state.suspended or state.stability is None or state.difficulty is None:
                continue
            due = state.due or now
            due_day = days.day_of(due).toordinal()
            last_day = days.day_of(state.last_review).toordinal() if state.last_review else due_day
            buried = state.buried_until is not None and state.buried_until > now
            studied.append(
                StudiedCard(
                    stability=state.stability,
                    difficulty=state.difficulty,
                    due_day=due_day - today,
                    interval_days=max(due_day - last_day, 0),
                    lapses=state.lapses,
                    learning=state.state != MemoryState.REVIEW or buried,
                )
            )
    return Collection(
        cards=cards,
        new_per_day=settings.new_per_day,
        reviews_per_day=settings.reviews_per_day,
        learning_steps=len(settings.learning_steps),
        relearning_steps=len(settings.relearning_steps),
        studied=tuple(studied),
        new_cards=max(cards - started - suspended_new, 0),
        desired_retention=settings.desired_retention,
        maximum_interval_days=ctx.config.maximum_interval_days,
    )


def optimal_retention(ctx: Context) -> float:
    """The optimal retention for the learner's parameters and collection."""
    return compute_optimal_retention(study_settings(ctx).parameters, collection(ctx))


def simulate(ctx: Context, *, retention: float | None = None, days: int = 365) -> Workload:
    """The workload of the next ``days`` days at this desired retention
    (None: the learner's own), for the learner's parameters and collection."""
    settings = study_settings(ctx)
    chosen = settings.desired_retention if retention is None else retention
    return run_simulation(settings.parameters, collection(ctx), retention=chosen, days=days)
