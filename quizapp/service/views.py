"""What the use cases hand to the screens and the CLI: plain, frozen values
that hold no database session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from quizapp.domain import MemoryState
from quizapp.store.models import Card, CardState, Deck


@dataclass(frozen=True)
class DeckCounts:
    """A row of the deck list: today's counts, subdecks included."""

    name: str
    new: int
    learning: int
    due: int
    total: int

    @property
    def depth(self) -> int:
        return self.name.count("::")

    def to_json(self) -> dict[str, Any]:
        """The fields of ``quizapp decks --json``."""
        return {"name": self.name, "new": self.new, "learning": self.learning, "due": self.due, "total": self.total}


@dataclass(frozen=True)
class CardView:
    """A card as the review screen shows it."""

    id: str
    deck: str
    kind: str
    front: str
    back: str
    data: dict[str, Any]
    tags: tuple[str, ...]
    state: MemoryState

    @property
    def lang(self) -> str:
        """The card's language, "es" or "en" (its deck's ``lang``; Spanish,
        the study note's language, when the deck names none)."""
        return "en" if self.data.get("lang") == "en" else "es"

    def to_json(self) -> dict[str, Any]:
        """The fields of ``quizapp cards --json``."""
        return {
            "id": self.id,
            "deck": self.deck,
            "kind": self.kind,
            "front": self.front,
            "back": self.back,
            "tags": list(self.tags),
        }


def card_view(card: Card, deck: str, state: CardState | None) -> CardView:
    tags = tuple(card.tags.split())
    if state is not None and state.leech and "leech" not in tags:
        tags += ("leech",)  # "leech" is per learner (CardState.leech), shown as a tag, as Anki does
    return CardView(
        id=card.id,
        deck=deck,
        kind=card.kind,
        front=card.front,
        back=card.back,
        data=json.loads(card.data or "{}"),
        tags=tags,
        state=MemoryState(state.state) if state else MemoryState.NEW,
    )


def load_card_view(session: Session, user_id: int, card_id: str) -> CardView:
    """The card ``card_id`` as ``user_id`` sees it; KeyError if there is none."""
    card = session.get(Card, card_id)
    if card is None:
        raise KeyError(card_id)
    deck = session.get(Deck, card.deck_id)
    state = session.get(CardState, (user_id, card_id))
    return card_view(card, deck.name if deck else "", state)
