"""Personal FSRS parameters: fit them to the learner's review log, compare
them with the parameters in use on the learner's own recent history, and
adopt them only when they predict it better; the optimal retention for a
learner's parameters and a workload simulator.

The arithmetic is the FSRS reference implementation in Rust, the one Anki
uses (``fsrs_rs_python``, a compiled module without torch or numpy: a fit
of 10,000 reviews takes a few hundredths of a second), run in-process. This
module is pure (no database, no textual, no torch): it turns the review log
into FSRS items as Anki does, splits the history, fits, evaluates and
simulates.

FSRS items, as Anki builds them
-------------------------------

A card's reviews, oldest first, become reviews of ``(rating, delta_t)``
where ``delta_t`` is the number of study days since the card's previous
review (0 for the first and for same-day reviews; days are the learner's
study days, ``ReviewRow.day``). Every review made on a later study day than
the card's previous one gives one item: the card's history up to and
including that review. The optimizer learns from those items; the same-day
reviews inside an item feed FSRS-6's short-term stability.

How the comparison works
------------------------

The review log is sorted by time; the last ``HOLDOUT_FRACTION`` (20 %) of
the reviews (from the review at index ``floor(0.8 n)`` on, with every review
at that same instant) is held out. The new parameters are fitted on the
items of the first 80 % only. Both parameter sets are then scored on the
held-out items (each predicts a held-out review from the card's whole
history before it) with the Rust core's evaluation, the figures of Anki's
"Evaluate": log loss and RMSE (bins), where reviews are binned by elapsed
days, by the review's position in the card's history and by the card's
lapse count, and RMSE = sqrt(Σ_b n_b (ȳ_b - p̄_b)² / Σ_b n_b) measures
calibration (how far predicted recall is from actual recall).

New parameters are adopted when their log loss is lower and their RMSE
(bins) is not higher (:func:`is_better`). The parameters in use are kept
so the learner can return to them (``quizapp optimize --revert``). Besides,
the whole history is evaluated with time-series splits (fit on the first
folds, predict the next; what Anki's "Evaluate" button shows since 25.02):
how well fitting works on this history, one figure for the procedure.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import fsrs_rs_python as rs

from quizapp.domain import ReviewKind
from quizapp.i18n import _

#: quizapp fits nothing below this many items (reviews a study day or more
#: after the card's previous one) in the first 80 % of the history: fewer
#: leave too little to fit and to compare on.
MIN_REVIEWS = 512
#: Share of the history, by time, held out to compare parameters.
HOLDOUT_FRACTION = 0.2
#: FSRS-6 has 21 parameters.
PARAMETER_COUNT = 21


@dataclass(frozen=True)
class ReviewRow:
    """One review as the optimizer reads it."""

    card: str
    #: Aware UTC.
    time: datetime
    #: 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: int
    duration_ms: int = 0
    #: The learner's study day of the review (any day numbering: only
    #: differences count); None: the UTC date.
    day: int | None = None

    @property
    def day_number(self) -> int:
        return self.day if self.day is not None else self.time.date().toordinal()

    def to_json(self) -> dict:
        return {
            "card": self.card,
            "time": self.time.isoformat(),
            "rating": self.rating,
            "duration_ms": self.duration_ms,
        }

    @classmethod
    def from_json(cls, data: dict) -> ReviewRow:
        time = datetime.fromisoformat(data["time"]).astimezone(UTC)
        rating = int(data["rating"])
        if rating not in (1, 2, 3, 4):
            raise ValueError(f"rating {rating} is not 1-4")
        return cls(str(data["card"]), time, rating, int(data.get("duration_ms") or 0))


def sorted_rows(rows: Iterable[ReviewRow]) -> list[ReviewRow]:
    return sorted(rows, key=lambda r: r.time)


def split_history(
    rows: Sequence[ReviewRow], holdout: float = HOLDOUT_FRACTION
) -> tuple[list[ReviewRow], datetime | None]:
    """(training rows, cutoff): the rows before the cutoff, and the time from
    which reviews are held out (None when there are no rows)."""
    ordered = sorted_rows(rows)
    if not ordered:
        return [], None
    index = min(int(len(ordered) * (1 - holdout)), len(ordered) - 1)
    cutoff = ordered[index].time
    return [r for r in ordered if r.time < cutoff], cutoff


def by_card(rows: Iterable[ReviewRow]) -> dict[str, list[ReviewRow]]:
    """Each card's reviews, oldest first."""
    out: dict[str, list[ReviewRow]] = {}
    for row in sorted_rows(rows):
        out.setdefault(row.card, []).append(row)
    return out


@dataclass(frozen=True)
class Item:
    """One FSRS item: a card's history up to a review made on a later study
    day than the previous one; ``time`` is that last review's."""

    card: str
    time: datetime
    #: (rating, delta_t in study days), oldest first.
    reviews: tuple[tuple[int, int], ...]

    def to_rs(self) -> rs.FSRSItem:
        return rs.FSRSItem([rs.FSRSReview(rating, delta) for rating, delta in self.reviews])


def card_reviews(reviews: Sequence[ReviewRow]) -> list[tuple[int, int]]:
    """One card's reviews (oldest first) as (rating, delta_t in study days)."""
    out = []
    for i, review in enumerate(reviews):
        delta = review.day_number - reviews[i - 1].day_number if i else 0
        out.append((review.rating, max(delta, 0)))
    return out


def items(rows: Iterable[ReviewRow]) -> list[Item]:
    """The FSRS items of a review log, as Anki builds them (module docstring)."""
    out = []
    for card, reviews in by_card(rows).items():
        pairs = card_reviews(reviews)
        for i in range(1, len(pairs)):
            if pairs[i][1] > 0:
                out.append(Item(card, reviews[i].time, tuple(pairs[: i + 1])))
    return out


def trainable_reviews(rows: Iterable[ReviewRow]) -> int:
    """The reviews the optimizer learns from: its items (counted, not built)."""
    count = 0
    for reviews in by_card(rows).values():
        days = [review.day_number for review in reviews]
        count += sum(1 for previous, day in zip(days, days[1:], strict=False) if day > previous)
    return count


def reviews_needed(rows: Sequence[ReviewRow]) -> int:
    """How many more learnable reviews the history needs before quizapp
    fits anything (0: enough). The optimizer sees only the first 80 %."""
    train, _ = split_history(rows)
    have_train = trainable_reviews(train)
    if have_train >= MIN_REVIEWS:
        return 0
    have_all = trainable_reviews(rows)
    return max(math.ceil(MIN_REVIEWS / (1 - HOLDOUT_FRACTION)) - have_all, MIN_REVIEWS - have_train, 1)


@dataclass(frozen=True)
class Metrics:
    """How well one set of parameters predicts the held-out reviews."""

    log_loss: float
    #: Anki's RMSE (bins); see the module's docstring.
    rmse: float
    #: Held-out reviews scored.
    count: int

    def to_json(self) -> dict:
        return {"log_loss": self.log_loss, "rmse": self.rmse, "count": self.count}

    @classmethod
    def from_json(cls, data: dict) -> Metrics:
        return cls(float(data["log_loss"]), float(data["rmse"]), int(data["count"]))


def evaluate(rows: Iterable[ReviewRow], parameters: Sequence[float], *, since: datetime | None) -> Metrics | None:
    """Score ``parameters`` on the items whose last review is at or after
    ``since`` (None: all), each predicted from the card's whole history
    before it. None when no item qualifies."""
    return _evaluate_rs([item.to_rs() for item in items(rows) if since is None or item.time >= since], parameters)


def _evaluate_rs(scored: list[rs.FSRSItem], parameters: Sequence[float]) -> Metrics | None:
    if not scored:
        return None
    result = rs.FSRS(list(parameters)).evaluate(scored)
    return Metrics(log_loss=float(result.log_loss), rmse=float(result.rmse_bins), count=len(scored))


def evaluate_time_series(rows: Iterable[ReviewRow]) -> Metrics | None:
    """The whole history evaluated with time-series splits, as Anki's
    "Evaluate" does (None: no items)."""
    return _evaluate_time_series_items(items(rows))


def _evaluate_time_series_items(all_items: list[Item]) -> Metrics | None:
    if not all_items:
        return None
    ordered = sorted(all_items, key=lambda item: item.time)
    result = rs.evaluate_with_time_series_splits([item.to_rs() for item in ordered])
    return Metrics(log_loss=float(result.log_loss), rmse=float(result.rmse_bins), count=len(ordered))


def is_better(before: Metrics | None, after: Metrics | None) -> bool:
    """Adopt ``after`` over ``before``: lower log loss, RMSE (bins) not higher."""
    if before is None or after is None:
        return False
    return after.log_loss < before.log_loss and after.rmse <= before.rmse


# -- fitting ------------------------------------------------------------------------


class NotEnoughReviews(Exception):
    """The history is too short for the optimizer."""

    def __init__(self, have: int, needed: int) -> None:
        self.have, self.needed = have, needed
        super().__init__(
            _(
                "the optimizer needs {minimum} reviews made a day or more after the card's previous one "
                "in the first {share} of your history; you have {have}: about {needed} more needed"
            ).format(minimum=MIN_REVIEWS, share=f"{1 - HOLDOUT_FRACTION:.0%}", have=have, needed=needed)
        )


class OptimizerUnavailable(RuntimeError):
    """The optimizer could not run (cancelled, or the fit failed)."""


@dataclass(frozen=True)
class FitResult:
    """What a fit answers."""

    parameters: tuple[float, ...]
    before: Metrics | None
    after: Metrics | None
    train_reviews: int
    seconds: float
    #: The whole history evaluated with time-series splits (Anki's "Evaluate").
    evaluation: Metrics | None = None


#: progress(stage, done, total): stage is "fit" or "evaluate".
Progress = Callable[[str, int, int], None]
Fitter = Callable[..., FitResult]


def fit_parameters(
    rows: Sequence[ReviewRow],
    *,
    cutoff: datetime | None,
    current: Sequence[float],
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    time_series: bool = False,
) -> FitResult:
    """Fit FSRS-6 parameters on the rows before ``cutoff`` with the Rust
    core and score ``current`` and the fitted ones on the rest; with
    ``time_series``, also evaluate the whole history with time-series splits
    (Anki's "Evaluate": about three fits more). In-process: call it from a
    thread where the UI must not wait. Raises OptimizerUnavailable when
    cancelled (checked between stages) or when the core fails."""
    started = time.perf_counter()

    def stage(name: str, done: int, total: int) -> None:
        if cancel is not None and cancel():
            raise OptimizerUnavailable("the optimizer was cancelled")
        if progress is not None:
            progress(name, done, total)

    # The items of the whole history, built once: an item is a prefix of its
    # card's history, so those before the cutoff are the training history's.
    all_items = items(rows)
    train_items = sorted((i for i in all_items if cutoff is None or i.time < cutoff), key=lambda item: item.time)
    held_out = [item.to_rs() for item in all_items if cutoff is None or item.time >= cutoff]
    stage("fit", 0, 1)
    try:
        fitted = rs.FSRS(list(current)).compute_parameters([item.to_rs() for item in train_items])
        parameters = tuple(float(p) for p in rs.check_and_fill_parameters(fitted))
        stage("evaluate", 0, 3)
        before = _evaluate_rs(held_out, current)
        stage("evaluate", 1, 3)
        after = _evaluate_rs(held_out, parameters)
        stage("evaluate", 2, 3)
        evaluation = _evaluate_time_series_items(all_items) if time_series else None
        stage("evaluate", 3, 3)
    except (ValueError, RuntimeError) as exc:
        if isinstance(exc, OptimizerUnavailable):
            raise
        raise OptimizerUnavailable(f"the optimizer failed: {type(exc).__name__}: {exc}") from exc
    if len(parameters) != PARAMETER_COUNT:
        raise OptimizerUnavailable(f"the optimizer gave {len(parameters)} parameters, not {PARAMETER_COUNT}")
    return FitResult(
        parameters=parameters,
        before=before,
        after=after,
        train_reviews=len(train_items),
        seconds=time.perf_counter() - started,
        evaluation=evaluation,
    )


# -- imported Anki history ---------------------------------------------------------

#: Anki's "historical retention" default: the retention SM-2 is assumed to
#: have kept, from which a memory state is inferred from ease and interval.
SM2_RETENTION = 0.9


@dataclass(frozen=True)
class AnkiMemoryPlan:
    """How a card arriving from Anki gets its memory state, as Anki's
    rslib (scheduler/fsrs/memory_state.rs) computes it."""

    #: Replay the card's reviews from this one (index, oldest first) on...
    replay_from: int
    #: ...starting from this (stability, difficulty) after the review before
    #: it; None: from a new card.
    start: tuple[float, float] | None = None


def memory_from_sm2(
    parameters: Sequence[float], ease_factor: int, interval_days: float, retention: float = SM2_RETENTION
) -> tuple[float, float]:
    """(stability, difficulty) that Anki infers from an SM-2 ease factor
    (permille; 0 counts as 2500) and interval, as the Rust core does."""
    ease = (ease_factor or 2500) / 1000
    state = rs.FSRS(list(parameters)).memory_state_from_sm2(ease, max(float(interval_days), 1.0), retention)
    difficulty = float(state.difficulty)
    if ease <= 1.1:  # a factor this low is a difficulty FSRS wrote in the revlog
        difficulty = (ease - 0.1) * 9 + 1
    return float(state.stability), difficulty


def anki_memory_plan(
    parameters: Sequence[float], reviews: Sequence[tuple[ReviewKind, int, float]]
) -> AnkiMemoryPlan | None:
    """The plan for one card's imported reviews ((kind, ease factor after,
    interval after in days), oldest first), by Anki's rules:

    - a history with learning reviews is complete: it is replayed from the
      start of its last run of learning reviews (earlier ones belong to a
      card that was reset);
    - otherwise it was cut (the card had been reviewed before its first
      review here): reviews before the first one that set an interval of a
      day or more are dropped, the state after that one is inferred from
      its ease factor and interval (:func:`memory_from_sm2`), and the
      reviews after it are replayed from there.

    None: nothing to replay (the card's state is then inferred from its own
    ease and interval, as Anki does)."""
    last_learning = None
    for index in range(len(reviews) - 1, -1, -1):
        if reviews[index][0] == ReviewKind.LEARNING:
            last_learning = index
        elif last_learning is not None:
            break
    if last_learning is not None:
        return AnkiMemoryPlan(replay_from=last_learning)
    first_interday = next((i for i, (_k, _e, interval) in enumerate(reviews) if interval >= 1), None)
    if first_interday is None or first_interday + 1 >= len(reviews):
        return None
    _kind, ease_factor, interval = reviews[first_interday]
    start = memory_from_sm2(parameters, ease_factor, float(round(interval)))
    return AnkiMemoryPlan(replay_from=first_interday + 1, start=start)


# -- optimal retention and the workload simulator -----------------------------------------

#: Days the simulator looks ahead by default (Anki's default too).
SIMULATION_DAYS = 365
#: Anki's bounds for the optimal retention.
OPTIMAL_RETENTION_RANGE = (0.70, 0.95)


@dataclass(frozen=True)
class StudiedCard:
    """A card the learner has studied, as Anki's simulator starts it: its
    memory state and where it stands relative to today (study days)."""

    stability: float
    difficulty: float
    #: Days from today to the due date (negative: overdue).
    due_day: int
    #: Study days from the last review to the due date.
    interval_days: int
    lapses: int = 0
    #: In (re)learning or buried: Anki starts such cards today.
    learning: bool = False


@dataclass(frozen=True)
class Collection:
    """What the simulator needs to know of a learner's collection."""

    #: Active cards (studied or not).
    cards: int
    new_per_day: int
    reviews_per_day: int
    learning_steps: int = 2
    relearning_steps: int = 1
    #: The studied cards, not suspended (the optimal retention starts from them).
    studied: tuple[StudiedCard, ...] = ()
    #: New cards, not suspended.
    new_cards: int = 0
    #: The desired retention the learner's cards are scheduled with.
    desired_retention: float = 0.9
    maximum_interval_days: int = 36500


def simulator_config(collection: Collection, days: int = SIMULATION_DAYS) -> rs.SimulatorConfig:
    """The Rust simulator's configuration for this collection: Anki's
    defaults for rating probabilities and answer times, the learner's deck
    size, daily limits and steps."""
    config = rs.default_simulator_config()
    config.deck_size = max(collection.cards, 1)
    config.learn_span = max(days, 1)
    config.learn_limit = max(collection.new_per_day, 0)
    config.review_limit = max(collection.reviews_per_day, 0)
    config.new_cards_ignore_review_limit = True
    config.learning_step_count = collection.learning_steps
    config.relearning_step_count = collection.relearning_steps
    return config


#: Anki gives the simulator no daily time budget (f32::MAX seconds).
_NO_TIME_LIMIT = 3.4028234663852886e38


def anki_simulation_cards(parameters: Sequence[float], collection: Collection) -> list[rs.Card]:
    """The collection's cards as Anki hands them to the simulator for its
    "compute minimum recommended retention" (rslib, simulate_request_to_config):
    every studied card with its memory state, every new card queued at the
    new-card limit a day, each card carrying the learner's desired retention."""
    filled = [float(p) for p in rs.check_and_fill_parameters(list(parameters))]
    cards = []
    for i, studied in enumerate(collection.studied, start=1):
        card = rs.Card()
        card.id = i
        card.stability = studied.stability
        card.difficulty = studied.difficulty
        if studied.learning:
            card.last_date, card.due = 0.0, 0.0
        else:
            card.last_date = float(min(studied.due_day - studied.interval_days, 0))
            card.due = float(studied.due_day)
        card.interval = float(studied.interval_days)
        card.lapses = studied.lapses
        card.desired_retention = collection.desired_retention
        card.parameters = filled
        cards.append(card)
    if collection.new_per_day > 0:
        for i in range(collection.new_cards):
            card = rs.Card()
            card.id = -i
            card.difficulty = -math.inf
            card.stability = 1e-8  # above the simulator's filter: Anki's marker of a new card
            card.last_date = -math.inf
            card.due = float(i // collection.new_per_day)
            card.interval = -math.inf
            card.desired_retention = collection.desired_retention
            card.parameters = filled
            cards.append(card)
    return cards


def optimal_retention(parameters: Sequence[float], collection: Collection, *, days: int = SIMULATION_DAYS) -> float:
    """Anki's "compute minimum recommended retention" for these parameters
    and this collection, computed as Anki 26.9 does (rslib's
    compute_optimal_retention): the core's Brent search over 0.70-0.95 of
    the cost per remembered card over ``days`` days, simulated from the
    collection's cards as Anki builds them (:func:`anki_simulation_cards`),
    with no daily time budget; clamped to OPTIMAL_RETENTION_RANGE.

    Note: each card Anki hands over carries the learner's desired retention,
    and the simulator schedules a card with its own, so the retention the
    search tries changes nothing and the search ends where it ends on a
    flat curve (0.937): docs/settings-and-optimizer.md."""
    cards = anki_simulation_cards(parameters, collection)
    config = simulator_config(collection, days)
    config.deck_size = max(len(cards), 1)
    config.max_cost_perday = _NO_TIME_LIMIT
    config.max_ivl = float(collection.maximum_interval_days)
    value = float(rs.optimal_retention(config, list(parameters), cards=cards or None))
    low, high = OPTIMAL_RETENTION_RANGE
    return min(max(value, low), high)


@dataclass(frozen=True)
class Workload:
    """What the simulator predicts, one entry per day from today."""

    retention: float
    days: int
    reviews_per_day: list[int]
    minutes_per_day: list[float]
    #: Cards expected to be remembered at the end of each day.
    memorized: list[float]

    def to_json(self) -> dict[str, Any]:
        """The fields of ``quizapp simulate --json``."""
        return {
            "retention": self.retention,
            "days": self.days,
            "reviews_per_day": self.reviews_per_day,
            "minutes_per_day": [round(m, 2) for m in self.minutes_per_day],
            "memorized": [round(m, 1) for m in self.memorized],
        }


def simulate(
    parameters: Sequence[float],
    collection: Collection,
    *,
    retention: float,
    days: int = SIMULATION_DAYS,
    seed: int = 42,
) -> Workload:
    """Simulate the next ``days`` days of study at this desired retention.
    Reviews per day count every answer (new cards' first answers, learning
    steps and reviews); the cards' simulation starts from new (the Rust
    simulator takes no existing card states)."""
    if not 0 < retention < 1:
        raise ValueError(f"retention {retention} is not between 0 and 1")
    result = rs.simulate(list(parameters), retention, simulator_config(collection, days), seed=seed)
    reviews = [int(r) + int(n) for r, n in zip(result.review_cnt_per_day, result.learn_cnt_per_day, strict=True)]
    return Workload(
        retention=retention,
        days=days,
        reviews_per_day=reviews,
        minutes_per_day=[float(c) / 60 for c in result.cost_per_day],
        memorized=[float(m) for m in result.memorized_cnt_per_day],
    )


@dataclass
class OptimizeReport:
    """The outcome of ``quizapp optimize``."""

    reviews: int
    before: Metrics | None
    after: Metrics | None
    adopted: bool
    parameters: tuple[float, ...]
    previous_parameters: tuple[float, ...]
    #: Reviews the optimizer learned from (first 80 %, a day or more apart).
    train_reviews: int = 0
    seconds: float = 0.0
    #: Cards whose due date the reschedule changed (None: not rescheduled).
    rescheduled: int | None = None
    notes: list[str] = field(default_factory=list)
    #: The whole history evaluated with time-series splits (Anki's "Evaluate").
    evaluation: Metrics | None = None
    #: Optimal retention for the parameters in use after this run.
    optimal_retention: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The fields of ``quizapp optimize --json`` (add fields, never rename)."""
        return {
            "reviews": self.reviews,
            "log_loss_before": _round(self.before.log_loss if self.before else None),
            "log_loss_after": _round(self.after.log_loss if self.after else None),
            "rmse_before": _round(self.before.rmse if self.before else None),
            "rmse_after": _round(self.after.rmse if self.after else None),
            "adopted": self.adopted,
            "held_out_reviews": self.before.count if self.before else 0,
            "train_reviews": self.train_reviews,
            "parameters": list(self.parameters),
            "previous_parameters": list(self.previous_parameters),
            "rescheduled": self.rescheduled,
            "seconds": round(self.seconds, 2),
            "log_loss_time_series": _round(self.evaluation.log_loss if self.evaluation else None),
            "rmse_time_series": _round(self.evaluation.rmse if self.evaluation else None),
            "optimal_retention": _round(self.optimal_retention),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
