"""Messages posted by workers to the screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from quizapp.service import DeckCounts


@dataclass
class DecksLoaded(Message):
    """Fresh deck counts for the home screen."""

    rows: list[DeckCounts]


@dataclass
class WorkFailed(Message):
    """A worker failed; ``what`` says what it was doing."""

    what: str
    error: str
