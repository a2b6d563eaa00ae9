"""Queries. Functions take the session as a keyword argument and never commit:
the caller (the service package) owns the unit of work."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, literal, or_
from sqlmodel import Session, col, select

from quizapp.domain import DEFAULT_PRESET, MemoryState, note_key
from quizapp.scheduling import Memory
from quizapp.store.models import (
    Card,
    CardState,
    Deck,
    DeckPreset,
    Preset,
    ReviewLog,
    User,
    UserSettings,
    UTCDateTime,
)


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


def _visible(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
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


def counts_by_deck(
    *, session: Session, user_id: int, now: datetime, day_end: datetime, new_cap: int
) -> dict[str, RawCounts]:
    """Per deck (not aggregated over subdecks): cards new (counted up to
    ``new_cap``: more can't be shown today), in learning due today, in review
    due today (no daily limits applied), and the total.

    Indexed aggregates, none of which makes a card out of nothing: the active
    cards per deck (ix_card_deck_active, covering), the learner's cards due
    today (ix_cardstate_user_state_due, a range), and for each deck its first
    ``new_cap`` new cards (ix_card_deck_active, stopping there)."""
    totals: dict[int, int] = {
        deck_id: int(n)
        for deck_id, n in session.exec(
            select(Card.deck_id, func.count())
            .where(col(Card.active) == True)  # noqa: E712
            .group_by(col(Card.deck_id))
        )
    }
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
            _visible(now),
            col(Card.active) == True,  # noqa: E712
        )
        .group_by(col(Card.deck_id))
    )
    due = {deck_id: (int(lr or 0), int(d or 0)) for deck_id, lr, d in session.exec(due_stmt)}
    new = new_by_deck(session=session, user_id=user_id, decks=sorted(totals), now=now, cap=new_cap)
    result = {}
    for deck_id, name in session.exec(select(Deck.id, Deck.name)):
        assert deck_id is not None
        learning, review = due.get(deck_id, (0, 0))
        result[name] = RawCounts(name, new.get(deck_id, 0), learning, review, totals.get(deck_id, 0))
    return result


def new_by_deck(*, session: Session, user_id: int, decks: list[int], now: datetime, cap: int) -> dict[int, int]:
    """For each deck, its new cards that can be shown now, counted up to
    ``cap``: per deck, a walk of its cards by index (ix_card_deck_active)
    that stops at ``cap`` new ones; one statement for up to 64 decks."""
    if cap <= 0 or not decks:
        return {}
    connection = session.connection()  # Core: the ORM's per-statement cost would be most of it
    counts: dict[int, int] = {}
    for i in range(0, len(decks), NEW_COUNT_CHUNK):
        chunk = decks[i : i + NEW_COUNT_CHUNK]
        params: dict[str, object] = {"user": user_id, "now": now, "cap": cap}
        params.update({f"deck{j}": deck_id for j, deck_id in enumerate(chunk)})
        row = connection.execute(_new_in_decks(len(chunk)), params).one()
        counts.update({deck_id: int(n) for deck_id, n in zip(chunk, row)})
    return counts


#: Decks counted by one statement of new_by_deck.
NEW_COUNT_CHUNK = 64


@cache
def _new_in_decks(n: int) -> Select[Any]:
    """SELECT (count of deck0's first :cap new cards), ... for n decks, bound
    by :deck0..., :user, :now and :cap (built once per n: building a statement
    costs more than running this one)."""
    now = bindparam("now", type_=UTCDateTime())
    columns = []
    for j in range(n):
        first_new = (
            select(Card.id)
            .join(
                CardState,
                and_(col(CardState.card_id) == Card.id, col(CardState.user_id) == bindparam("user")),
                isouter=True,
            )
            .where(
                col(Card.deck_id) == bindparam(f"deck{j}"),
                col(Card.active) == True,  # noqa: E712
                or_(col(CardState.state).is_(None), and_(col(CardState.state) == MemoryState.NEW, _visible(now))),
            )
            .limit(bindparam("cap"))
            .subquery()
        )
        columns.append(select(func.count()).select_from(first_new).scalar_subquery())
    return Select(*columns)


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


def card_with_state(*, session: Session, user_id: int, card_id: str) -> tuple[Card | None, str, CardState | None]:
    """A card, its deck's name and the learner's state of it, in one query
    ((None, "", None) if there is no such card)."""
    stmt = (
        select(Card, Deck.name, CardState)
        .join(Deck, col(Deck.id) == Card.deck_id)
        .join(CardState, _state_join(user_id), isouter=True)
        .where(col(Card.id) == card_id)
    )
    row = session.exec(stmt).first()
    if row is None:
        return None, "", None
    card, deck_name, state = row
    return card, deck_name, state


def siblings(*, session: Session, card: Card) -> list[str]:
    """Ids of the other active cards of the card's note (ix_card_note_id)."""
    note = card.note_id or note_key(card.id)
    stmt = select(Card.id).where(
        col(Card.note_id) == note,
        col(Card.id) != card.id,
        col(Card.active) == True,  # noqa: E712
    )
    with session.no_autoflush:  # the answer's changes are flushed once, with its log row
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


# -- deck option presets ---------------------------------------------------------


def ensure_default_preset(*, session: Session, user_id: int) -> Preset:
    """The learner's Default preset, made if missing (from their
    ``usersettings`` row as the migration does, else Anki's defaults)."""
    row = preset_named(session=session, user_id=user_id, name=DEFAULT_PRESET)
    if row is None:
        row = Preset(user_id=user_id, name=DEFAULT_PRESET)
        stored = session.get(UserSettings, user_id)
        if stored is not None:
            row.desired_retention = stored.desired_retention
            row.new_per_day, row.reviews_per_day = stored.new_per_day, stored.reviews_per_day
            row.learning_steps, row.relearning_steps = stored.learning_steps, stored.relearning_steps
        session.add(row)
        session.flush()
    return row


def preset_named(*, session: Session, user_id: int, name: str) -> Preset | None:
    return session.exec(select(Preset).where(Preset.user_id == user_id, Preset.name == name)).first()


def presets_of(*, session: Session, user_id: int) -> list[Preset]:
    """The learner's presets, by name."""
    return list(session.exec(select(Preset).where(Preset.user_id == user_id).order_by(col(Preset.name))))


def deck_assignments(*, session: Session, user_id: int) -> dict[int, int]:
    """The learner's decks that use a preset other than Default: deck id -> preset id."""
    stmt = select(DeckPreset.deck_id, DeckPreset.preset_id).where(DeckPreset.user_id == user_id)
    return {deck_id: preset_id for deck_id, preset_id in session.exec(stmt)}


def decks_by_name(*, session: Session) -> dict[str, int]:
    """Every deck: name -> id."""
    return {name: deck_id for deck_id, name in session.exec(select(Deck.id, Deck.name)) if deck_id is not None}


def studied_by_deck(*, session: Session, user_id: int, since: datetime) -> dict[int, tuple[int, int]]:
    """Per deck id (of the card's deck now): (new cards introduced, reviews
    of cards in the review state) since ``since``, as studied_since counts them."""
    stmt = (
        select(
            Card.deck_id,
            func.count(func.distinct(case((col(ReviewLog.state_before) == MemoryState.NEW, ReviewLog.card_id)))),
            func.sum(case((col(ReviewLog.state_before) == MemoryState.REVIEW, 1), else_=0)),
        )
        .join(Card, col(Card.id) == ReviewLog.card_id)
        .where(ReviewLog.user_id == user_id, ReviewLog.reviewed_at >= since)
        .group_by(col(Card.deck_id))
    )
    return {deck_id: (int(new or 0), int(review or 0)) for deck_id, new, review in session.exec(stmt)}


def deck_of_card(*, session: Session, card_id: str) -> int | None:
    return session.exec(select(Card.deck_id).where(Card.id == card_id)).first()
