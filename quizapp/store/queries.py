"""Queries. Functions take the session as a keyword argument and never commit:
the caller (the service package) owns the unit of work."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from quizapp.domain import MemoryState
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


def hidden_filter(hidden: Collection[str]) -> ColumnElement[bool]:
    """SQL condition: the card's deck is none of ``hidden`` (the built-in
    deck in the other language, service/languages.py)."""
    if not hidden:
        return literal(True)
    return col(Deck.name).not_in(list(hidden))


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
    deck: str
    new: int
    learning: int
    due: int
    total: int


def counts_by_deck(*, session: Session, user_id: int, now: datetime, day_end: datetime) -> dict[str, RawCounts]:
    """Per deck (not aggregated over subdecks): cards new, in learning due
    today, in review due today (no daily limits applied), and the total."""
    state = func.coalesce(CardState.state, MemoryState.NEW)
    visible = _visible(now)
    new = func.sum(case((and_(state == MemoryState.NEW, visible), 1), else_=0))
    learning = func.sum(
        case(
            (and_(state.in_([MemoryState.LEARNING, MemoryState.RELEARNING]), col(CardState.due) < day_end, visible), 1),
            else_=0,
        )
    )
    due = func.sum(case((and_(state == MemoryState.REVIEW, col(CardState.due) < day_end, visible), 1), else_=0))
    # sqlmodel's select() is typed for up to four columns; for more it builds this same Select.
    columns: Select[str, int | None, int | None, int | None, int] = Select(
        col(Deck.name), new, learning, due, func.count(col(Card.id))
    )
    stmt = (
        columns.join(Card, and_(col(Card.deck_id) == Deck.id, col(Card.active) == True), isouter=True)  # noqa: E712
        .join(CardState, _state_join(user_id), isouter=True)
        .group_by(col(Deck.id))
    )
    return {
        name: RawCounts(name, int(n or 0), int(lr or 0), int(d or 0), int(t or 0))
        for name, n, lr, d, t in session.exec(stmt)
    }


def next_learning(
    *,
    session: Session,
    user_id: int,
    deck: str | None,
    due_by: datetime,
    now: datetime,
    kinds: Collection[str] | None = None,
    hidden: Collection[str] = (),
) -> str | None:
    """The learning or relearning card due first, if due by ``due_by``."""
    stmt = (
        select(Card.id)
        .join(Deck, col(Deck.id) == Card.deck_id)
        .join(CardState, _state_join(user_id))
        .where(
            Card.active == True,  # noqa: E712
            deck_filter(deck),
            kind_filter(kinds),
            hidden_filter(hidden),
            col(CardState.state).in_([MemoryState.LEARNING, MemoryState.RELEARNING]),
            col(CardState.due) <= due_by,
            _visible(now),
        )
        .order_by(col(CardState.due))
        .limit(1)
    )
    return session.exec(stmt).first()


def next_review(
    *,
    session: Session,
    user_id: int,
    deck: str | None,
    day_end: datetime,
    now: datetime,
    kinds: Collection[str] | None = None,
    hidden: Collection[str] = (),
) -> str | None:
    """The review card due first, among those due before the day ends."""
    stmt = (
        select(Card.id)
        .join(Deck, col(Deck.id) == Card.deck_id)
        .join(CardState, _state_join(user_id))
        .where(
            Card.active == True,  # noqa: E712
            deck_filter(deck),
            kind_filter(kinds),
            hidden_filter(hidden),
            CardState.state == MemoryState.REVIEW,
            col(CardState.due) < day_end,
            _visible(now),
        )
        .order_by(col(CardState.due))
        .limit(1)
    )
    return session.exec(stmt).first()


def next_new(
    *,
    session: Session,
    user_id: int,
    deck: str | None,
    now: datetime,
    kinds: Collection[str] | None = None,
    hidden: Collection[str] = (),
) -> str | None:
    """The first new card, in deck and source order."""
    stmt = (
        select(Card.id)
        .join(Deck, col(Deck.id) == Card.deck_id)
        .join(CardState, _state_join(user_id), isouter=True)
        .where(
            Card.active == True,  # noqa: E712
            deck_filter(deck),
            kind_filter(kinds),
            hidden_filter(hidden),
            or_(col(CardState.state).is_(None), col(CardState.state) == MemoryState.NEW),
            _visible(now),
        )
        .order_by(col(Card.source), col(Card.position))
        .limit(1)
    )
    return session.exec(stmt).first()


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
