"""The card browser's actions for one learner: search with the learner's
study days, a card's details, and suspend, bury, reset, edit, move. The
search language is quizapp.search; its SQL is quizapp.store.search. No
textual, no torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from quizapp.store import queries
from quizapp.store.models import Card, CardState
from quizapp.store.search import (
    BUILTIN_PREFIX,
    DEFAULT_LIMIT,
    BrowseRow,
    HistoryRow,
    card_row,
    count,
    history,
    search,
)

if TYPE_CHECKING:
    from quizapp.service import CardView, Service


class CardLocked(ValueError):
    """The card can't be changed this way (a built-in card, say)."""


@dataclass(frozen=True)
class CardInfo:
    """Everything the browser's detail pane shows for one card."""

    card: CardView
    row: BrowseRow
    history: list[HistoryRow] = field(default_factory=list)


def is_builtin(source: str) -> bool:
    return source.startswith(BUILTIN_PREFIX)


class Browser:
    """The browser of one learner (a Service): search with the learner's
    study days, card details, and the actions on cards. Each call is its own
    unit of work, so it is safe from a worker thread."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def _day(self) -> dict:
        return {"day_hour": self.service.config.day_start_hour, "tz": self.service.tz}

    def search(self, query: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0) -> list[BrowseRow]:
        s = self.service
        return search(s.engine, s.user_id, query, s.clock(), limit, offset=offset, **self._day())

    def count(self, query: str) -> int:
        s = self.service
        return count(s.engine, s.user_id, query, s.clock(), **self._day())

    def history(self, card_id: str) -> list[HistoryRow]:
        return history(self.service.engine, self.service.user_id, card_id)

    def row(self, card_id: str) -> BrowseRow:
        """One card's result row (KeyError if there is no such active card)."""
        s = self.service
        found = card_row(s.engine, s.user_id, card_id, s.clock(), **self._day())
        if found is None:
            raise KeyError(card_id)
        return found

    def info(self, card_id: str) -> CardInfo:
        """The card, its result row and its history, for the detail pane."""
        return CardInfo(self.service.card(card_id), self.row(card_id), self.history(card_id))

    # -- actions ------------------------------------------------------------

    def toggle_suspend(self, card_id: str) -> bool:
        """Suspend the card, or unsuspend it if it was; returns the new value."""
        suspended = not self.row(card_id).suspended
        self.service.suspend(card_id, suspended)
        return suspended

    def toggle_bury(self, card_id: str) -> bool:
        """Bury the card until the next study day, or unbury it; returns
        whether it is buried now."""
        if self.row(card_id).buried:
            self._update_state(card_id, lambda state: setattr(state, "buried_until", None))
            return False
        self.service.bury(card_id)
        return True

    def reset(self, card_id: str) -> None:
        """Forget the card: this learner's schedule for it goes (it is new
        again, unsuspended); its review history stays."""
        with Session(self.service.engine) as session:
            if session.get(Card, card_id) is None:
                raise KeyError(card_id)
            state = session.get(CardState, (self.service.user_id, card_id))
            if state is not None:
                session.delete(state)
            session.commit()

    def edit(self, card_id: str, front: str, back: str) -> None:
        """Change the text of one of the learner's own cards; its id, and so
        its schedule, stay. Built-in cards raise CardLocked."""
        front, back = front.strip(), back.strip()
        if not front:
            raise ValueError("The front can't be empty.")
        with Session(self.service.engine) as session:
            card = self._own_card(session, card_id, "edited")
            if (card.front, card.back) != (front, back):
                card.front, card.back = front, back
                card.updated_at = self.service.clock()
                session.commit()

    def move(self, card_id: str, deck: str) -> str:
        """Move one of the learner's own cards to ``deck`` (created with its
        parents if missing); returns the deck's name. Built-in cards raise
        CardLocked."""
        name = deck_name(deck)
        with Session(self.service.engine) as session:
            card = self._own_card(session, card_id, "moved")
            target = queries.ensure_deck(session=session, name=name)
            if card.deck_id != target.id:
                card.deck_id = target.id
                card.updated_at = self.service.clock()
            session.commit()
        return name

    @staticmethod
    def _own_card(session: Session, card_id: str, verb: str) -> Card:
        card = session.get(Card, card_id)
        if card is None:
            raise KeyError(card_id)
        if is_builtin(card.source):
            raise CardLocked(
                f"Built-in cards can't be {verb}: they are re-synced from decks/ at every start, "
                "so the change would be lost. Import a deck of your own instead."
            )
        return card

    def _update_state(self, card_id: str, change: Callable[[CardState], None]) -> None:
        with Session(self.service.engine) as session:
            if session.get(Card, card_id) is None:
                raise KeyError(card_id)
            state = session.get(CardState, (self.service.user_id, card_id))
            if state is None:
                state = CardState(user_id=self.service.user_id, card_id=card_id)
                session.add(state)
            change(state)
            session.commit()


def deck_name(text: str) -> str:
    """A deck name tidied ("A :: B" -> "A::B"); ValueError if it is empty
    or has an empty part."""
    parts = [part.strip() for part in text.split("::")]
    if not text.strip() or not all(parts):
        raise ValueError(f"Not a deck name: {text.strip()!r} (use names like My deck::Subdeck).")
    return "::".join(parts)


__all__ = ["Browser", "CardInfo", "CardLocked", "deck_name", "is_builtin"]
