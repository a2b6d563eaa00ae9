"""What every importer produces, and how it reports a problem."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quizapp.domain import ReviewKind


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

    def data_json(self) -> str:
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
    #: Problems that did not stop the import (skipped cards), reported to the learner.
    warnings: list[Problem] = field(default_factory=list)
