"""What every importer produces, and how it reports a problem."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from quizapp.domain import ReviewKind
from quizapp.text import MAX_FIELD_BYTES, size_text, too_long, visible


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


class DeckError(ValueError):
    """A deck file can't be read. Carries every problem found, each with its line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _clean(text: str) -> str:
    """``text`` made visible, unless it is over the budget: then ParsedDeck refuses it as it is."""
    return text if too_long(text) is not None else visible(text)


#: Data of a code card that runs as written (shown through ``visible``).
_RUN_AS_WRITTEN = frozenset({"code", "params"})


def _clean_value(value: Any) -> Any:
    """Strings in ``value`` (a string, or lists and dicts of them) made visible."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_value(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ParsedCard:
    """One reviewable card, as read from a source."""

    #: Stable id: survives edits of the text and re-imports.
    id: str
    deck: str
    kind: str
    front: str
    back: str
    data: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    #: 1-based line in the source file, for messages.
    line: int | None = None

    def __post_init__(self) -> None:
        # Text from outside is data: no control character reaches a terminal (quizapp.text).
        # The code of a code card (in ``data``) runs as written; it is shown through `visible`.
        object.__setattr__(self, "deck", _clean(self.deck))
        object.__setattr__(self, "front", _clean(self.front))
        object.__setattr__(self, "back", _clean(self.back))
        object.__setattr__(self, "tags", tuple(_clean(t) for t in self.tags))
        # The rest of the data is text too (a cloze's source and answers, a typed
        # answer): exporters write it out and the learner's answers are compared to it.
        data = {k: v if k in _RUN_AS_WRITTEN else _clean_value(v) for k, v in self.data.items()}
        object.__setattr__(self, "data", data)

    def oversized(self) -> tuple[str, int] | None:
        """The first field over the import budget (``MAX_FIELD_BYTES``) and its size, if any."""
        fields = [("front", self.front), ("back", self.back), ("deck name", self.deck)]
        fields += [("tag", t) for t in self.tags]
        fields += [(name, v) for name, v in self.data.items() if isinstance(v, str)]
        for name, value in fields:
            size = too_long(value)
            if size is not None:
                return name, size
        return None

    def data_json(self) -> str:
        if not self.data:
            return "{}"  # most cards (json.dumps costs more than the rest of saving one)
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ParsedReview:
    """One past review carried by a source (an Anki package's revlog)."""

    #: ParsedCard.id of the card reviewed.
    card_id: str
    #: When, timezone-aware UTC.
    reviewed_at: datetime
    #: 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: int
    #: Anki's revlog type ("filtered"/"manual" entries are not imported).
    kind: ReviewKind
    #: Interval before and after the review, in days (negative Anki values are seconds: converted).
    interval_before_days: float = 0.0
    interval_after_days: float = 0.0
    #: Time taken, in milliseconds.
    duration_ms: int = 0
    #: The SM-2 ease factor after the review, permille (Anki's revlog ``factor``; 0: none).
    ease_factor: int = 0


@dataclass(frozen=True)
class ParsedSchedule:
    """Where an Anki card stood in the SM-2 scheduler when it was exported:
    what its memory state is inferred from when its history is incomplete."""

    #: Anki's card type: 0 new, 1 learning, 2 review, 3 relearning.
    card_type: int
    #: Days between the last review and the due date.
    interval_days: int
    #: Ease factor, permille (2500: 250 %).
    ease_factor: int
    reps: int
    lapses: int
    #: The due date (aware UTC); None when it can't be told.
    due: datetime | None = None


#: In ParsedDeck.kept: a typed card's back is its answer in this format.
TYPE_BACK = "type back"
#: What Anki's formats cannot hold of a quizapp card.
ANKI_KEPT = frozenset({"context", "lang"})


@dataclass(frozen=True)
class ParsedDeck:
    """The cards of one source file, and the decks they belong to."""

    source: str
    path: Path
    cards: list[ParsedCard]
    #: Deck names with their descriptions (parents are created as needed).
    decks: dict[str, str] = field(default_factory=dict)
    #: Review history carried by the source, oldest first.
    reviews: list[ParsedReview] = field(default_factory=list)
    #: ParsedCard.id -> the card's SM-2 schedule, for sources that carry one (Anki packages).
    schedules: dict[str, ParsedSchedule] = field(default_factory=dict)
    #: Problems that did not stop the import (skipped cards), reported to the learner.
    warnings: list[Problem] = field(default_factory=list)
    #: What the format cannot hold, so a card read from it keeps the stored
    #: card's: data keys (``context``, ``lang``) and, with ``TYPE_BACK``, the
    #: back of a typed card whose file gives its answer as the back (Anki text).
    kept: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        """Every importer's output passes here: deck names lose their control characters,
        and a card with a field over the size budget refuses the file (one line each)."""
        decks = {visible(name): visible(description) for name, description in self.decks.items()}
        object.__setattr__(self, "decks", decks)
        problems = [
            Problem(
                str(self.path),
                card.line,
                f"card {card.id!r}: {what} is {size_text(size)}; the limit is {size_text(MAX_FIELD_BYTES)} per field",
            )
            for card in self.cards
            if (over := card.oversized()) is not None
            for what, size in [over]
        ]
        if problems:
            raise DeckError(problems)
