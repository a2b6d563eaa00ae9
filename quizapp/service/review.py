"""Use cases: a review. What to show next, in Anki's order (from the review
queue, service/queue.py); the intervals on the grade buttons; answering (the
new schedule, its log row and the siblings it buries commit together); undo;
bury; suspend."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from quizapp.domain import MemoryState, Rating
from quizapp.scheduling import Memory, Outcome
from quizapp.service.context import Context
from quizapp.service.presets import scheduler_for_card
from quizapp.service.queue import forget_queue, take, update_queue
from quizapp.service.views import CardView, load_card_view
from quizapp.store import queries
from quizapp.store.models import Card, CardState, ReviewLog


@dataclass(frozen=True)
class Answer:
    """What the learner was asked and answered (typed and generated cards)."""

    asked: str = ""
    answered: str = ""
    correct_answer: str = ""
    family: str | None = None
    seed: int | None = None
    torch_version: str | None = None
    #: The misconception the learner's wrong answer matched, if any.
    mistake: str | None = None


@dataclass(frozen=True)
class AnswerResult:
    log_id: int
    outcome: Outcome
    #: The answer made the card a leech: it is now suspended.
    leech: bool


def next_card(ctx: Context, deck: str | None = None, *, generated: bool = True) -> CardView | None:
    """What to show next, in Anki's order: learning cards that are due,
    reviews due today, new cards (within the daily limits of each deck's
    preset and its ancestors'), then learning cards due within the
    learn-ahead limit. None: done for today. Served from the review queue
    (service/queue.py).

    ``generated=False`` leaves out live cards (while torch loads).
    """
    return take(ctx, deck, generated=generated)


def card(ctx: Context, card_id: str) -> CardView:
    """One card as the learner sees it; KeyError if there is none."""
    with ctx.read() as session:
        return load_card_view(session, ctx.user_id, card_id)


def memory(ctx: Context, card_id: str) -> Memory:
    """The learner's schedule of one card."""
    with ctx.read() as session:
        return queries.memory_of(session.get(CardState, (ctx.user_id, card_id)))


def preview(ctx: Context, card_id: str) -> dict[Rating, Outcome]:
    """What each grade would do now: the intervals on the grade buttons
    (with the steps and desired retention of the card's deck preset)."""
    with ctx.read() as session:
        scheduler = scheduler_for_card(ctx, session, card_id)
    return scheduler.preview(memory(ctx, card_id), ctx.clock(), fuzz_key=card_id)


def answer(
    ctx: Context, card_id: str, rating: Rating, *, duration_ms: int = 0, given: Answer | None = None
) -> AnswerResult:
    """Grade a card: its new schedule and the review log row commit together."""
    given = given or Answer()
    now = ctx.clock()
    seen = ctx.writes
    with ctx.write() as session:
        # The card's row locked (FOR UPDATE on PostgreSQL; SQLite's write
        # transaction already holds the lock), then its state read: another
        # process's answer to the same card comes wholly before or after.
        card = session.get(Card, card_id, with_for_update=True)
        if card is None:
            raise KeyError(card_id)
        kind = card.kind
        state = session.get(CardState, (ctx.user_id, card_id))
        snapshot = queries.state_snapshot(state)
        before = queries.memory_of(state)
        scheduler = scheduler_for_card(ctx, session, card_id)  # the card's deck preset
        outcome = scheduler.outcome(before, Rating(rating), now, fuzz_key=card_id)
        if state is None:
            state = CardState(user_id=ctx.user_id, card_id=card_id)
            session.add(state)
        after = outcome.memory
        queries.store_memory(state, after)
        state.buried_until = None
        if outcome.becomes_leech:
            state.leech = True
            state.suspended = True
        buried = bury_siblings(ctx, session, card, now)
        log = ReviewLog(
            user_id=ctx.user_id,
            card_id=card_id,
            reviewed_at=now,
            rating=int(rating),
            duration_ms=max(int(duration_ms), 0),
            state_before=int(before.state),
            interval_before_days=before.interval_days,
            interval_after_days=after.interval_days,
            previous=snapshot,
            asked=given.asked,
            answered=given.answered,
            correct_answer=given.correct_answer,
            family=given.family,
            seed=given.seed,
            torch_version=given.torch_version,
            mistake=given.mistake,
            buried=json.dumps(buried),
        )
        session.add(log)
        session.flush()
        assert log.id is not None
        result = AnswerResult(log_id=log.id, outcome=outcome, leech=outcome.becomes_leech)
    placed = (kind, after.state, after.due, outcome.becomes_leech)
    update_queue(ctx, seen, answered=card_id, removed=tuple(buried), placed=placed)
    return result


def bury_siblings(ctx: Context, session: Session, card: Card, now: datetime) -> dict[str, str]:
    """Bury the siblings of an answered card until the next study day, as
    the learner's settings say (new ones, reviews due today, interday
    learning ones; never suspended or already hidden ones). Returns each
    buried sibling's CardState snapshot from before, for undo."""
    config = ctx.config
    if not (config.bury_new_siblings or config.bury_review_siblings or config.bury_interday_learning_siblings):
        return {}
    start, end = ctx.day_bounds(now)
    buried: dict[str, str] = {}
    for sibling in queries.siblings(session=session, card=card):
        state = session.get(CardState, (ctx.user_id, sibling))
        if state is not None and (state.suspended or (state.buried_until is not None and state.buried_until > now)):
            continue
        memory = queries.memory_of(state)
        due_today = memory.due is not None and memory.due < end
        if memory.state == MemoryState.NEW:
            wanted = config.bury_new_siblings
        elif memory.state == MemoryState.REVIEW:
            wanted = config.bury_review_siblings and due_today
        else:  # learning: only a step that crossed a day (Anki's interday learning)
            interday = memory.last_review is not None and memory.last_review < start
            wanted = config.bury_interday_learning_siblings and due_today and interday
        if not wanted:
            continue
        buried[sibling] = queries.state_snapshot(state)
        if state is None:
            state = CardState(user_id=ctx.user_id, card_id=sibling)
            session.add(state)
        state.buried_until = end
    return buried


def undo(ctx: Context, log_id: int | None = None) -> str | None:
    """Take back an answer (the learner's latest when ``log_id`` is None):
    the card's schedule returns to what it was and the log row goes.
    Returns the card id, or None when there is nothing to undo."""
    with ctx.write() as session:
        stmt = select(ReviewLog).where(ReviewLog.user_id == ctx.user_id)
        if log_id is not None:
            stmt = stmt.where(ReviewLog.id == log_id)
        log = session.exec(stmt.order_by(col(ReviewLog.id).desc()).limit(1)).first()
        if log is None:
            return None
        later = session.exec(
            select(ReviewLog.id).where(
                ReviewLog.user_id == ctx.user_id, ReviewLog.card_id == log.card_id, col(ReviewLog.id) > log.id
            )
        ).first()
        if later is not None:
            raise ValueError("only a card's most recent answer can be undone")
        queries.restore_snapshot(session=session, user_id=ctx.user_id, card_id=log.card_id, snapshot=log.previous)
        for sibling, snapshot in json.loads(log.buried or "{}").items():
            _unbury(session, ctx.user_id, sibling, snapshot)
        session.delete(log)
        card_id = log.card_id
    forget_queue(ctx)
    return card_id


def _unbury(session: Session, user_id: int, card_id: str, snapshot: str) -> None:
    """Undo an answer's burying of a sibling: its state as it was, unless
    something else changed the sibling since (then only the bury goes)."""
    state = session.get(CardState, (user_id, card_id))
    if state is None:
        return
    before = json.loads(snapshot)
    if before is None:  # the bury made the row: compare with a new card's
        before = CardState(user_id=user_id, card_id=card_id).model_dump(mode="json")

    def rest(fields: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in fields.items() if k != "buried_until"}

    if rest(state.model_dump(mode="json")) != rest(before):
        state.buried_until = None  # changed since: only the bury goes
    else:
        queries.restore_snapshot(session=session, user_id=user_id, card_id=card_id, snapshot=snapshot)


def bury(ctx: Context, card_id: str, buried: bool = True) -> None:
    """Hide the card until the next study day (``buried=False``: show it again)."""
    _, end = ctx.day_bounds()
    seen = ctx.writes
    set_flags(ctx, card_id, buried_until=end if buried else None)
    if buried:
        update_queue(ctx, seen, removed=(card_id,))


def suspend(ctx: Context, card_id: str, suspended: bool = True) -> None:
    """Hide the card from review until unsuspended."""
    seen = ctx.writes
    set_flags(ctx, card_id, suspended=suspended)
    if suspended:
        update_queue(ctx, seen, removed=(card_id,))


def card_snapshot(ctx: Context, card_id: str) -> str:
    """The learner's schedule of a card as the review log keeps it ("null":
    none yet), for ``restore_card`` to put back (undo of a bury or suspend)."""
    with ctx.read() as session:
        return queries.state_snapshot(session.get(CardState, (ctx.user_id, card_id)))


def restore_card(ctx: Context, card_id: str, snapshot: str) -> None:
    """Put a card's schedule back as ``card_snapshot`` saw it."""
    with ctx.write() as session:
        queries.restore_snapshot(session=session, user_id=ctx.user_id, card_id=card_id, snapshot=snapshot)


def set_flags(ctx: Context, card_id: str, **flags: object) -> None:
    """Set fields of the learner's CardState of a card (made if missing)."""
    with ctx.write() as session:
        state = card_state(session, ctx.user_id, card_id)
        for k, v in flags.items():
            setattr(state, k, v)


def card_state(session: Session, user_id: int, card_id: str) -> CardState:
    """The learner's CardState row of a card, added to the session if the
    card has none yet (a new card); KeyError if there is no such card."""
    if session.get(Card, card_id, with_for_update=True) is None:
        raise KeyError(card_id)
    state = session.get(CardState, (user_id, card_id))
    if state is None:
        state = CardState(user_id=user_id, card_id=card_id)
        session.add(state)
    return state
