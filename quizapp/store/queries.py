"""Queries. Functions take the session as a keyword argument and never commit:
the caller (the service package) owns the unit of work."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_
from sqlmodel import Session, col, select

from quizapp.domain import MemoryState, note_key
from quizapp.scheduling import Memory
from quizapp.store.models import Card, CardState, Deck, ReviewLog, User


def get_or_create_user(*, session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        user = User(name=name)
        session.add(user)
        session.flush()
    return user


def ensure_deck(*, session: Session, name: str, description: str = "") -> Deck:
    """The deck called ``name``, created with its parents if missing."""
    parts = name.split("::")
    deck = None
    for depth in range(1, len(parts) + 1):
        partial = "::".join(parts[:depth])
        deck = session.exec(select(Deck).where(Deck.name == partial)).first()
        if deck is None:
            deck = Deck(name=partial)
            session.add(deck)
            session.flush()
    assert deck is not None
    if description and deck.description != description:
        deck.description = description
    return deck


def cards_by_id(*, session: Session, ids: list[str], chunk: int = 500) -> dict[str, Card]:
    """The cards with these ids that exist (looked up in chunks)."""
    found: dict[str, Card] = {}
    for i in range(0, len(ids), chunk):
        for card in session.exec(select(Card).where(col(Card.id).in_(ids[i : i + chunk]))):
            found[card.id] = card
    return found


def deck_filter(name: str | None) -> ColumnElement[bool]:
    """SQL condition: the card's deck is ``name`` or one of its subdecks."""
    if name is None:
        return literal(True)
    return or_(col(Deck.name) == name, col(Deck.name).startswith(name + "::", autoescape=True))


def kind_filter(kinds: Collection[str] | None) -> ColumnElement[bool]:
    """SQL condition: the card is of one of ``kinds`` (None: any kind)."""
    if kinds is None:
        return literal(True)
    return col(Card.kind).in_(list(kinds))


def _visible(now: datetime) -> ColumnElement[bool]:
    """Not suspended and not buried at ``now`` (for cards that have a state)."""
    return and_(
        or_(col(CardState.suspended).is_(None), col(CardState.suspended) == False),  # noqa: E712
        or_(col(CardState.buried_until).is_(None), col(CardState.buried_until) <= now),
    )


def _state_join(user_id: int) -> ColumnElement[bool]:
    return and_(col(CardState.card_id) == Card.id, col(CardState.user_id) == user_id)


@dataclass(frozen=True)
class RawCounts:
    """One deck's own cards (subdecks not included), no daily limits applied."""

    deck: str
    #: New cards that can be shown now (not suspended, not buried).
    new: int
    #: Learning and relearning cards due before the day ends.
    learning: int
    #: Review cards due before the day ends.
    due: int
    #: Active cards.
    total: int


def counts_by_deck(*, session: Session, user_id: int, now: datetime, day_end: datetime) -> dict[str, RawCounts]:
    """Per deck (not aggregated over subdecks): cards new, in learning due
    today, in review due today (no daily limits applied), and the total.

    Three indexed aggregates, none of which makes a card out of nothing: the
    active cards per deck (ix_card_deck_active, covering), the learner's
    cards due today (ix_cardstate_user_state_due, a range), and the learner's
    studied or hidden cards per deck; new = total - studied or hidden, so it
    never exceeds the total."""
    totals: dict[int, int] = {
        deck_id: int(n)
        for deck_id, n in session.exec(
            select(Card.deck_id, func.count())
            .where(col(Card.active) == True)  # noqa: E712
            .group_by(col(Card.deck_id))
        )
    }
    visible = _visible(now)
    learning_states = [MemoryState.LEARNING, MemoryState.RELEARNING]
    due_stmt = (
        select(
            Card.deck_id,
            func.sum(case((col(CardState.state).in_(learning_states), 1), else_=0)),
            func.sum(case((col(CardState.state) == MemoryState.REVIEW, 1), else_=0)),
        )
        .select_from(CardState)
        .join(Card, col(Card.id) == CardState.card_id)
        .where(
            col(CardState.user_id) == user_id,
            col(CardState.state).in_([*learning_states, MemoryState.REVIEW]),
            col(CardState.due) < day_end,
            visible,
            col(Card.active) == True,  # noqa: E712
        )
        .group_by(col(Card.deck_id))
    )
    due = {deck_id: (int(lr or 0), int(d or 0)) for deck_id, lr, d in session.exec(due_stmt)}
    not_new_stmt = (
        select(Card.deck_id, func.count())
        .select_from(CardState)
        .join(Card, col(Card.id) == CardState.card_id)
        .where(
            col(CardState.user_id) == user_id,
            col(Card.active) == True,  # noqa: E712
            or_(col(CardState.state) != MemoryState.NEW, not_(visible)),
        )
        .group_by(col(Card.deck_id))
    )
    not_new = {deck_id: int(n) for deck_id, n in session.exec(not_new_stmt)}
    result = {}
    for deck_id, name in session.exec(select(Deck.id, Deck.name)):
        assert deck_id is not None
        total = totals.get(deck_id, 0)
        learning, review = due.get(deck_id, (0, 0))
        result[name] = RawCounts(name, max(total - not_new.get(deck_id, 0), 0), learning, review, total)
    return result


def deck_ids(*, session: Session, deck: str | None) -> list[int] | None:
    """The ids of ``deck`` and its subdecks (None: every deck)."""
    if deck is None:
        return None
    return [i for i in session.exec(select(Deck.id).where(deck_filter(deck))) if i is not None]


def _in_decks(ids: list[int] | None) -> ColumnElement[bool]:
    return literal(True) if ids is None else col(Card.deck_id).in_(ids)


def queue_learning(
    *, session: Session, user_id: int, decks: list[int] | None, before: datetime, now: datetime
) -> list[tuple[datetime, str, str]]:
    """(due, card id, kind) of the learning and relearning cards due before
    ``before``, soonest first (an index range: few rows)."""
    stmt = (
        select(CardState.due, Card.id, Card.kind)
        .join(Card, col(Card.id) == CardState.card_id)
        .where(
            col(CardState.user_id) == user_id,
            col(CardState.state).in_([MemoryState.LEARNING, MemoryState.RELEARNING]),
            col(CardState.due) < before,
            _visible(now),
            col(Card.active) == True,  # noqa: E712
            _in_decks(decks),
        )
        .order_by(col(CardState.due))
    )
    return [(due, card_id, kind) for due, card_id, kind in session.exec(stmt) if due is not None]


def queue_reviews(
    *, session: Session, user_id: int, decks: list[int] | None, day_end: datetime, now: datetime, limit: int
) -> list[tuple[str, str]]:
    """(card id, kind) of the first ``limit`` review cards due before the
    day ends, most overdue first (walks ix_cardstate_user_state_due)."""
    if limit <= 0:
        return []
    stmt = (
        select(Card.id, Card.kind)
        .select_from(CardState)
        .join(Card, col(Card.id) == CardState.card_id)
        .where(
            col(CardState.user_id) == user_id,
            col(CardState.state) == MemoryState.REVIEW,
            col(CardState.due) < day_end,
            _visible(now),
            col(Card.active) == True,  # noqa: E712
            _in_decks(decks),
        )
        .order_by(col(CardState.due), col(Card.id))
        .limit(limit)
    )
    return [(card_id, kind) for card_id, kind in session.exec(stmt)]


def queue_new(
    *, session: Session, user_id: int, decks: list[int] | None, now: datetime, limit: int
) -> list[tuple[str, str]]:
    """(card id, kind) of the first ``limit`` new cards in the author's order
    (walks ix_card_source_position and stops at the limit)."""
    if limit <= 0:
        return []
    stmt = (
        select(Card.id, Card.kind)
        .join(CardState, _state_join(user_id), isouter=True)
        .where(
            col(Card.active) == True,  # noqa: E712
            _in_decks(decks),
            or_(col(CardState.state).is_(None), and_(col(CardState.state) == MemoryState.NEW, _visible(now))),
        )
        .order_by(col(Card.source), col(Card.position), col(Card.id))
        .limit(limit)
    )
    return [(card_id, kind) for card_id, kind in session.exec(stmt)]


def active_total(*, session: Session, decks: list[int] | None) -> int:
    """Active cards in these decks (ix_card_deck_active, covering)."""
    stmt = select(func.count()).select_from(Card).where(col(Card.active) == True, _in_decks(decks))  # noqa: E712
    return int(session.exec(stmt).one())


def siblings(*, session: Session, card: Card) -> list[str]:
    """Ids of the other active cards of the card's note (ix_card_note_id)."""
    note = card.note_id or note_key(card.id)
    stmt = select(Card.id).where(
        col(Card.note_id) == note,
        col(Card.id) != card.id,
        col(Card.active) == True,  # noqa: E712
    )
    return list(session.exec(stmt))


def studied_since(*, session: Session, user_id: int, since: datetime) -> tuple[int, int, int]:
    """Reviews since ``since``: (all answers, new cards introduced, reviews of
    cards in the review state)."""
    stmt = select(
        func.count(col(ReviewLog.id)),
        func.count(func.distinct(case((col(ReviewLog.state_before) == MemoryState.NEW, ReviewLog.card_id)))),
        func.sum(case((col(ReviewLog.state_before) == MemoryState.REVIEW, 1), else_=0)),
    ).where(ReviewLog.user_id == user_id, ReviewLog.reviewed_at >= since)
    total, new, review = session.exec(stmt).one()
    return int(total or 0), int(new or 0), int(review or 0)


def due_between(
    *, session: Session, user_id: int, start: datetime | None, end: datetime, include_end: bool = False
) -> int:
    """Cards not new and not suspended, due in [start, end) ([start, end] with include_end)."""
    conditions = [
        col(CardState.user_id) == user_id,
        col(CardState.state) != MemoryState.NEW,
        col(CardState.suspended) == False,  # noqa: E712
        col(CardState.due) <= end if include_end else col(CardState.due) < end,
        col(Card.active) == True,  # noqa: E712
    ]
    if start is not None:
        conditions.append(col(CardState.due) >= start)
    stmt = select(func.count()).select_from(CardState).join(Card, col(Card.id) == CardState.card_id).where(*conditions)
    return int(session.exec(stmt).one())


def state_snapshot(state: CardState | None) -> str:
    """JSON of a CardState row (or null), for undo."""
    if state is None:
        return "null"
    return json.dumps(state.model_dump(mode="json"))


def restore_snapshot(*, session: Session, user_id: int, card_id: str, snapshot: str) -> None:
    """Put a CardState back as ``state_snapshot`` saw it."""
    current = session.get(CardState, (user_id, card_id))
    data = json.loads(snapshot)
    if data is None:
        if current is not None:
            session.delete(current)
        return
    restored = CardState.model_validate(data)
    if current is None:
        session.add(restored)
    else:
        for key, value in restored.model_dump().items():
            setattr(current, key, value)


def memory_of(state: CardState | None) -> Memory:
    """A CardState row as the scheduler reads it (no row: a new card)."""
    if state is None:
        return Memory()
    return Memory(
        state=MemoryState(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
        reps=state.reps,
        lapses=state.lapses,
    )


def store_memory(state: CardState, memory: Memory) -> None:
    """Write a schedule into a CardState row (the inverse of memory_of)."""
    state.state = int(memory.state)
    state.step = memory.step
    state.stability = memory.stability
    state.difficulty = memory.difficulty
    state.due = memory.due
    state.last_review = memory.last_review
    state.reps = memory.reps
    state.lapses = memory.lapses
