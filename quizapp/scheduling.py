"""FSRS scheduling (the `fsrs` package) with Anki's daily shape. Pure: no I/O.

All datetimes here are timezone-aware UTC. When a study day starts and ends
is quizapp.study_days' job; the defaults are Anki's (quizapp.domain).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES

from quizapp.domain import (
    DEFAULT_DAY_START_HOUR,
    DEFAULT_DESIRED_RETENTION,
    DEFAULT_LEARNING_STEPS,
    DEFAULT_NEW_PER_DAY,
    DEFAULT_RELEARNING_STEPS,
    DEFAULT_REVIEWS_PER_DAY,
    LEARN_AHEAD,
    LEECH_THRESHOLD,
    MAXIMUM_INTERVAL_DAYS,
    MemoryState,
    Rating,
)


@dataclass(frozen=True)
class SchedulingConfig:
    """A learner's scheduling settings (Anki's defaults)."""

    desired_retention: float = DEFAULT_DESIRED_RETENTION
    learning_steps: tuple[timedelta, ...] = DEFAULT_LEARNING_STEPS
    relearning_steps: tuple[timedelta, ...] = DEFAULT_RELEARNING_STEPS
    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    #: Local hour at which a new study day begins.
    day_start_hour: int = DEFAULT_DAY_START_HOUR
    #: Lapses after which a card is tagged leech and suspended.
    leech_threshold: int = LEECH_THRESHOLD
    #: A learning card due within this much is shown when nothing else is left.
    learn_ahead: timedelta = LEARN_AHEAD
    maximum_interval_days: int = MAXIMUM_INTERVAL_DAYS
    parameters: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)
    fuzz: bool = True
    #: After an answer, siblings (cards of the same note) are buried until the
    #: next study day: new ones, review ones due today, interday learning ones.
    bury_new_siblings: bool = True
    bury_review_siblings: bool = True
    bury_interday_learning_siblings: bool = False


@dataclass(frozen=True)
class Memory:
    """One card's schedule for one learner (mirrors store.models.CardState)."""

    state: MemoryState = MemoryState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def interval_days(self) -> float:
        """Days from the last review to the due date (0 for a new card)."""
        if self.due is None or self.last_review is None:
            return 0.0
        return round((self.due - self.last_review).total_seconds() / 86400, 4)


@dataclass(frozen=True)
class Outcome:
    """What answering with one rating does."""

    rating: Rating
    memory: Memory
    #: Time from the review to the next due date.
    interval: timedelta
    #: True when this answer makes the card a leech.
    becomes_leech: bool = False


@dataclass
class Scheduler:
    """Wraps fsrs.Scheduler: new cards, deterministic fuzz, lapses, leeches."""

    config: SchedulingConfig = field(default_factory=SchedulingConfig)

    def __post_init__(self) -> None:
        self._fsrs = fsrs.Scheduler(
            parameters=self.config.parameters,
            desired_retention=self.config.desired_retention,
            learning_steps=self.config.learning_steps,
            relearning_steps=self.config.relearning_steps,
            maximum_interval=self.config.maximum_interval_days,
            enable_fuzzing=False,  # fuzz is applied below, seeded per card
        )

    def outcome(self, memory: Memory, rating: Rating, now: datetime, *, fuzz_key: str = "") -> Outcome:
        """The schedule after answering ``rating`` at ``now``.

        Fuzz is seeded by the card and its review count, so the interval shown
        on a button is exactly the one the answer gives.
        """
        _require_utc(now)
        card = fsrs.Card(
            card_id=1,
            state=fsrs.State.Learning if memory.state == MemoryState.NEW else fsrs.State(memory.state),
            step=0 if memory.state == MemoryState.NEW else memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=memory.due or now,
            last_review=memory.last_review,
        )
        card, _log = self._fsrs.review_card(card, fsrs.Rating(int(rating)), now)
        due = card.due
        if self.config.fuzz and card.state == fsrs.State.Review:
            due = now + _fuzzed(due - now, f"{fuzz_key}:{memory.reps}", self.config.maximum_interval_days)
        lapse = memory.state == MemoryState.REVIEW and rating == Rating.AGAIN
        lapses = memory.lapses + (1 if lapse else 0)
        new_memory = Memory(
            state=MemoryState(int(card.state)),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=due,
            last_review=now,
            reps=memory.reps + 1,
            lapses=lapses,
        )
        return Outcome(
            rating=rating,
            memory=new_memory,
            interval=due - now,
            becomes_leech=lapse and lapses >= self.config.leech_threshold and lapses % 4 == 0,
        )

    def replay(
        self, reviews: Iterable[tuple[datetime, int]], *, fuzz_key: str = "", start: Memory | None = None
    ) -> Memory:
        """The schedule a new card (or one at ``start``) reaches after
        ``reviews`` ((time, rating), oldest first): how imported histories
        and new parameters are applied."""
        memory = start or Memory()
        for at, rating in reviews:
            memory = self.outcome(memory, Rating(rating), at, fuzz_key=fuzz_key).memory
        return memory

    def preview(self, memory: Memory, now: datetime, *, fuzz_key: str = "") -> dict[Rating, Outcome]:
        """The outcome of each rating, for the grade buttons."""
        return {r: self.outcome(memory, r, now, fuzz_key=fuzz_key) for r in Rating}

    def retrievability(self, memory: Memory, now: datetime) -> float:
        """Probability of recall now (0 for a new card)."""
        if memory.state == MemoryState.NEW or memory.last_review is None:
            return 0.0
        card = fsrs.Card(
            card_id=1,
            state=fsrs.State(memory.state),
            step=memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=memory.due or now,
            last_review=memory.last_review,
        )
        return float(self._fsrs.get_card_retrievability(card, now))


def _fuzzed(interval: timedelta, key: str, maximum_days: int) -> timedelta:
    """Spread review intervals of 2.5 days or more over a small range, as FSRS
    does, but with a random generator seeded by ``key`` instead of a global one."""
    days = interval.total_seconds() / 86400
    if days < 2.5:
        return interval
    delta = 1.0
    for r in FUZZ_RANGES:
        delta += r["factor"] * max(min(days, r["end"]) - r["start"], 0.0)
    low = max(2, round(days - delta))
    high = min(round(days + delta), maximum_days)
    low = min(low, high)
    fuzzed = random.Random(key).randint(low, high)
    return timedelta(days=min(fuzzed, maximum_days))


def _require_utc(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError("scheduling needs timezone-aware UTC datetimes")


def format_interval(interval: timedelta) -> str:
    """Short human interval, as on Anki's buttons: 1m, 10m, 3h, 4d, 1.5mo, 2.1y."""
    seconds = max(interval.total_seconds(), 0)
    if seconds < 60:
        return f"{int(seconds)}s" if seconds >= 1 else "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
