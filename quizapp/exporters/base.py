"""What the exporters take: any object shaped like quizapp.service.CardView,
and, for an export with scheduling, the learner's schedules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from quizapp.domain import MemoryState


class CardLike(Protocol):
    """A card to export. Read-only, so frozen dataclasses (CardView) fit."""

    @property
    def id(self) -> str: ...
    @property
    def deck(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def front(self) -> str: ...
    @property
    def back(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class CardSchedule:
    """One learner's schedule of one card, as an export with scheduling
    carries it (quizapp.store.models.CardState, with the study days that the
    learner's clock gives)."""

    state: MemoryState
    #: Index of the current (re)learning step; None in the review state.
    step: int | None
    #: FSRS stability (days) and difficulty (1-10); None before the first review.
    stability: float | None
    difficulty: float | None
    #: When the card is due (aware UTC), and the learner's study day it falls on.
    due: datetime | None
    due_day: date | None
    last_review: datetime | None
    reps: int
    lapses: int
    suspended: bool = False
    #: Buried until the next study day.
    buried: bool = False


@dataclass(frozen=True)
class Scheduling:
    """What an export "with scheduling" adds: the learner's card states and
    review log, and what Anki needs to read them on the learner's calendar."""

    #: Card id -> its schedule (cards without one are new).
    cards: dict[str, CardSchedule]
    #: The learner's reviews, ParsedReview-like (card_id, reviewed_at, rating,
    #: kind, interval_before_days, interval_after_days, duration_ms).
    reviews: list[Any]
    #: The learner's study day now, and the hour a study day starts.
    today: date
    day_start_hour: int
    desired_retention: float
    #: Learning and relearning steps, and FSRS parameters, of the learner.
    learning_steps: int
    relearning_steps: int
    parameters: tuple[float, ...] = field(default_factory=tuple)
