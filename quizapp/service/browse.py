"""Use cases: the card browser. Search with the learner's study days (the
search language is quizapp.search; its SQL is quizapp.store.search), a
card's details and history, and Anki's browser actions: suspend, bury,
reset, edit, move."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from quizapp.domain import BUILTIN_SOURCE_PREFIX
from quizapp.search import QueryError
from quizapp.service.context import Context
from quizapp.service.review import card, set_flags
from quizapp.service.views import CardView
from quizapp.store import queries, search
from quizapp.store.models import Card, CardState
from quizapp.store.search import DEFAULT_LIMIT, BrowseRow, HistoryRow, short

__all__ = [
    "DEFAULT_LIMIT",
    "BrowseRow",
    "CardInfo",
    "CardLocked",
    "HistoryRow",
    "QueryError",
    "deck_name",
    "is_builtin",
    "short",
]


class CardLocked(ValueError):
    """The card can't be changed this way (a built-in card, say)."""


@dataclass(frozen=True)
class CardInfo:
    """Everything the browser's detail pane shows for one card."""

    card: CardView
    row: BrowseRow
    history: list[HistoryRow] = field(default_factory=list)


def is_builtin(source: str) -> bool:
    return source.startswith(BUILTIN_SOURCE_PREFIX)


def search_cards(ctx: Context, query: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0) -> list[BrowseRow]:
    """Active cards matching ``query``, by deck then the author's order;
    QueryError for a query that can't be parsed."""
    return search.search(
        ctx.engine, ctx.user_id, query, ctx.clock(), limit, offset=offset, day_hour=ctx.days.hour, tz=ctx.tz
    )


def count_cards(ctx: Context, query: str) -> int:
    """How many active cards match ``query`` (no limit)."""
    return search.count(ctx.engine, ctx.user_id, query, ctx.clock(), day_hour=ctx.days.hour, tz=ctx.tz)


def card_history(ctx: Context, card_id: str) -> list[HistoryRow]:
    """Every review the learner gave the card, newest first."""
    return search.history(ctx.engine, ctx.user_id, card_id)


def browse_row(ctx: Context, card_id: str) -> BrowseRow:
    """One card's result row (KeyError if there is no such active card)."""
    found = search.card_row(ctx.engine, ctx.user_id, card_id, ctx.clock(), day_hour=ctx.days.hour, tz=ctx.tz)
    if found is None:
        raise KeyError(card_id)
    return found


def card_info(ctx: Context, card_id: str) -> CardInfo:
    """The card, its result row and its history, for the detail pane."""
    return CardInfo(card(ctx, card_id), browse_row(ctx, card_id), card_history(ctx, card_id))


def toggle_suspend(ctx: Context, card_id: str) -> bool:
    """Suspend the card, or unsuspend it if it was; returns the new value."""
    suspended = not browse_row(ctx, card_id).suspended
    set_flags(ctx, card_id, suspended=suspended)
    return suspended


def toggle_bury(ctx: Context, card_id: str) -> bool:
    """Bury the card until the next study day, or unbury it; returns whether
    it is buried now."""
    buried = not browse_row(ctx, card_id).buried
    set_flags(ctx, card_id, buried_until=ctx.day_bounds()[1] if buried else None)
    return buried


def reset_card(ctx: Context, card_id: str) -> None:
    """Forget the card: the learner's schedule for it goes (it is new again,
    unsuspended); its review history stays."""
    with ctx.write() as session:
        if session.get(Card, card_id) is None:
            raise KeyError(card_id)
        state = session.get(CardState, (ctx.user_id, card_id))
        if state is not None:
            session.delete(state)


def edit_card(ctx: Context, card_id: str, front: str, back: str) -> None:
    """Change the text of one of the learner's own cards; its id, and so its
    schedule, stay. Built-in cards raise CardLocked."""
    front, back = front.strip(), back.strip()
    if not front:
        raise ValueError("The front can't be empty.")
    with ctx.write() as session:
        own = _own_card(session, card_id, "edited")
        if (own.front, own.back) != (front, back):
            own.front, own.back = front, back
            own.updated_at = ctx.clock()


def move_card(ctx: Context, card_id: str, deck: str) -> str:
    """Move one of the learner's own cards to ``deck`` (created with its
    parents if missing); returns the deck's name. Built-in cards raise
    CardLocked."""
    name = deck_name(deck)
    with ctx.write() as session:
        own = _own_card(session, card_id, "moved")
        target = queries.ensure_deck(session=session, name=name)
        if own.deck_id != target.id:
            assert target.id is not None
            own.deck_id = target.id
            own.updated_at = ctx.clock()
    return name


def _own_card(session: Session, card_id: str, verb: str) -> Card:
    found = session.get(Card, card_id)
    if found is None:
        raise KeyError(card_id)
    if is_builtin(found.source):
        raise CardLocked(
            f"Built-in cards can't be {verb}: they are re-synced from decks/ at every start, "
            "so the change would be lost. Import a deck of your own instead."
        )
    return found


def deck_name(text: str) -> str:
    """A deck name tidied ("A :: B" -> "A::B"); ValueError if it is empty or
    has an empty part."""
    parts = [part.strip() for part in text.split("::")]
    if not text.strip() or not all(parts):
        raise ValueError(f"Not a deck name: {text.strip()!r} (use names like My deck::Subdeck).")
    return "::".join(parts)
