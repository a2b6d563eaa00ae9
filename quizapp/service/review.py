"""Use cases: a review. What to show next, in Anki's order; the intervals on
the grade buttons; answering (the new schedule and its log row commit
together); undo; bury; suspend."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlmodel import Session, col, select

from quizapp.domain import FLASHCARD_KINDS, Rating
from quizapp.scheduling import Memory, Outcome
from quizapp.service.context import Context
from quizapp.service.languages import shown_filter
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


class _QueueQuery(TypedDict):
    """The arguments the queue's queries (queries.next_*) share."""

    session: Session
    user_id: int
    deck: str | None
    now: datetime
    kinds: Collection[str] | None
    hidden: Collection[str]


def next_card(ctx: Context, deck: str | None = None, *, generated: bool = True) -> CardView | None:
    """What to show next, in Anki's order: learning cards that are due,
    reviews due today, new cards (within the daily limits), then learning
    cards due within the learn-ahead limit. None: done for today.

    ``generated=False`` leaves out live cards (while torch loads).
    """
    now = ctx.clock()
    start, end = ctx.day_bounds(now)
    kinds = None if generated else FLASHCARD_KINDS
    hidden = shown_filter(ctx, deck)
    with ctx.read() as session:
        kw = _QueueQuery(session=session, user_id=ctx.user_id, deck=deck, now=now, kinds=kinds, hidden=hidden)
        _, new_done, reviews_done = queries.studied_since(session=session, user_id=ctx.user_id, since=start)
        card_id = queries.next_learning(due_by=now, **kw)
        if card_id is None and reviews_done < ctx.config.reviews_per_day:
            card_id = queries.next_review(day_end=end, **kw)
        if card_id is None and new_done < ctx.config.new_per_day:
            card_id = queries.next_new(**kw)
        if card_id is None:
            card_id = queries.next_learning(due_by=now + ctx.config.learn_ahead, **kw)
        if card_id is None:
            return None
        return load_card_view(session, ctx.user_id, card_id)


def card(ctx: Context, card_id: str) -> CardView:
    """One card as the learner sees it; KeyError if there is none."""
    with ctx.read() as session:
        return load_card_view(session, ctx.user_id, card_id)


def memory(ctx: Context, card_id: str) -> Memory:
    """The learner's schedule of one card."""
    with ctx.read() as session:
        return queries.memory_of(session.get(CardState, (ctx.user_id, card_id)))


def preview(ctx: Context, card_id: str) -> dict[Rating, Outcome]:
    """What each grade would do now: the intervals on the grade buttons."""
    return ctx.scheduler.preview(memory(ctx, card_id), ctx.clock(), fuzz_key=card_id)


def answer(
    ctx: Context, card_id: str, rating: Rating, *, duration_ms: int = 0, given: Answer | None = None
) -> AnswerResult:
    """Grade a card: its new schedule and the review log row commit together."""
    given = given or Answer()
    now = ctx.clock()
    with ctx.write() as session:
        # The card's row locked (FOR UPDATE on PostgreSQL; SQLite's write
        # transaction already holds the lock), then its state read: another
        # process's answer to the same card comes wholly before or after.
        if session.get(Card, card_id, with_for_update=True) is None:
            raise KeyError(card_id)
        state = session.get(CardState, (ctx.user_id, card_id))
        snapshot = queries.state_snapshot(state)
        before = queries.memory_of(state)
        outcome = ctx.scheduler.outcome(before, Rating(rating), now, fuzz_key=card_id)
        if state is None:
            state = CardState(user_id=ctx.user_id, card_id=card_id)
            session.add(state)
        after = outcome.memory
        queries.store_memory(state, after)
        state.buried_until = None
        if outcome.becomes_leech:
            state.leech = True
            state.suspended = True
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
        )
        session.add(log)
        session.flush()
        assert log.id is not None
        return AnswerResult(log_id=log.id, outcome=outcome, leech=outcome.becomes_leech)


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
        session.delete(log)
        return log.card_id


def bury(ctx: Context, card_id: str, buried: bool = True) -> None:
    """Hide the card until the next study day (``buried=False``: show it again)."""
    _, end = ctx.day_bounds()
    set_flags(ctx, card_id, buried_until=end if buried else None)


def suspend(ctx: Context, card_id: str, suspended: bool = True) -> None:
    """Hide the card from review until unsuspended."""
    set_flags(ctx, card_id, suspended=suspended)


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
