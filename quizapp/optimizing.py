"""Personal FSRS parameters: fit them to the learner's review log, compare
them with the parameters in use on the learner's own recent history, and
adopt them only when they predict it better.

The fitting itself is the `fsrs` package's Optimizer, which needs torch: it
runs in a separate worker process (quizapp/kernel/optimizer_worker.py),
never in the UI process. Everything in this module is pure Python over
``fsrs.Scheduler`` (no torch, no database): the history split, the count the
optimizer's minimum applies to, and the evaluation.

How the comparison works
------------------------

The review log is sorted by time; the last ``HOLDOUT_FRACTION`` (20 %) of
the reviews (from the review at index ``floor(0.8 n)`` on, with every review
at that same instant) is held out. The new parameters are fitted on the
first 80 % only. Both parameter sets are then scored on the held-out reviews:
each card's whole history is replayed with ``fsrs.Scheduler`` (so a held-out
review is predicted from everything before it), and every held-out review
made at least one whole day after the card's previous review (the reviews
the optimizer itself learns from; same-day reviews have R = 1 by
construction) contributes one prediction ``p`` (the retrievability FSRS
gives at that moment) and one outcome ``y`` (1 for Hard/Good/Easy, 0 for
Again):

* log loss = -(1/N) Σ [y ln p + (1 - y) ln(1 - p)], with p clipped to
  [1e-6, 1 - 1e-6];
* RMSE is Anki's "RMSE (bins)" (the fsrs-optimizer's ``rmse_matrix``):
  reviews are binned by elapsed days, by the review's position in the card's
  history and by the card's lapse count so far, each on a logarithmic scale::

      delta_t bin = round(2.48 * 3.62 ** floor(log(days) / log(3.62)), 2)
      i bin       = round(1.99 * 1.89 ** floor(log(i) / log(1.89)))
      lapse bin   = round(1.65 * 1.73 ** floor(log(lapses) / log(1.73)))  (0 if none)

  and RMSE = sqrt(Σ_b n_b (ȳ_b - p̄_b)² / Σ_b n_b), where ȳ_b and p̄_b are
  the mean outcome and mean prediction in bin b and n_b its size. It
  measures calibration: how far predicted recall is from actual recall.

New parameters are adopted when their log loss is lower and their RMSE
(bins) is not higher (:func:`is_better`). The parameters in use are kept
so the learner can return to them (``quizapp optimize --revert``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import fsrs

#: The fsrs optimizer keeps the default parameters below this many reviews
#: that it can learn from (``fsrs.optimizer.mini_batch_size``; a test checks).
MIN_REVIEWS = 512
#: The optimizer reads at most this many reviews per card (``max_seq_len``).
MAX_SEQ_LEN = 64
#: Share of the history, by time, held out to compare parameters.
HOLDOUT_FRACTION = 0.2
#: Predictions are clipped to [EPS, 1 - EPS] in the log loss.
EPS = 1e-6


@dataclass(frozen=True)
class ReviewRow:
    """One review as the optimizer reads it."""

    card: str
    #: Aware UTC.
    time: datetime
    #: 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: int
    duration_ms: int = 0

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


def trainable_reviews(rows: Iterable[ReviewRow]) -> int:
    """The reviews the fsrs optimizer learns from, counted as it counts them:
    among each card's first MAX_SEQ_LEN reviews, those made one whole day or
    more after the card's previous review."""
    count = 0
    for reviews in by_card(rows).values():
        head = reviews[:MAX_SEQ_LEN]
        count += sum(1 for a, b in zip(head, head[1:]) if (b.time - a.time).days > 0)
    return count


def reviews_needed(rows: Sequence[ReviewRow]) -> int:
    """How many more learnable reviews the history needs before the optimizer
    can fit anything (0: enough). The optimizer sees only the first 80 %."""
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


def _bin(value: float, base: float, scale: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), digits)


def evaluate(rows: Iterable[ReviewRow], parameters: Sequence[float], *, since: datetime | None) -> Metrics | None:
    """Score ``parameters`` on the reviews at or after ``since`` (None: all),
    replaying every card's whole history. None when no review qualifies."""
    scheduler = fsrs.Scheduler(parameters=tuple(parameters), enable_fuzzing=False)
    loss = 0.0
    bins: dict[tuple[float, float, float], list[float]] = {}
    count = 0
    for reviews in by_card(rows).values():
        card = fsrs.Card(card_id=1, due=reviews[0].time)
        lapses = 0
        for position, review in enumerate(reviews, start=1):
            elapsed = (review.time - card.last_review).days if card.last_review else 0
            if elapsed > 0 and (since is None or review.time >= since):
                p = float(scheduler.get_card_retrievability(card, review.time))
                y = 0.0 if review.rating == 1 else 1.0
                q = min(max(p, EPS), 1 - EPS)
                loss -= y * math.log(q) + (1 - y) * math.log(1 - q)
                key = (
                    _bin(elapsed, 3.62, 2.48, 2),
                    _bin(position, 1.89, 1.99, 0),
                    _bin(lapses, 1.73, 1.65, 0) if lapses else 0.0,
                )
                cell = bins.setdefault(key, [0.0, 0.0, 0.0])
                cell[0] += y
                cell[1] += p
                cell[2] += 1
                count += 1
            if elapsed > 0 and review.rating == 1:
                lapses += 1
            card, _ = scheduler.review_card(card, fsrs.Rating(review.rating), review.time)
    if count == 0:
        return None
    squared = sum(n * (ys / n - ps / n) ** 2 for ys, ps, n in bins.values())
    return Metrics(log_loss=loss / count, rmse=math.sqrt(squared / count), count=count)


def is_better(before: Metrics | None, after: Metrics | None) -> bool:
    """Adopt ``after`` over ``before``: lower log loss, RMSE (bins) not higher."""
    if before is None or after is None:
        return False
    return after.log_loss < before.log_loss and after.rmse <= before.rmse


# -- the use case -----------------------------------------------------------------


class NotEnoughReviews(Exception):
    """The history is too short for the optimizer."""

    def __init__(self, have: int, needed: int) -> None:
        self.have, self.needed = have, needed
        super().__init__(
            f"the optimizer needs {MIN_REVIEWS} reviews made a day or more after the card's previous one "
            f"in the first {1 - HOLDOUT_FRACTION:.0%} of your history; you have {have}: "
            f"about {needed} more needed"
        )


class OptimizerUnavailable(RuntimeError):
    """The optimizer's worker could not run (dependencies missing, crashed)."""


@dataclass(frozen=True)
class FitResult:
    """What the optimizer worker answers."""

    parameters: tuple[float, ...]
    before: Metrics | None
    after: Metrics | None
    train_reviews: int
    seconds: float


#: progress(stage, done, total): stage is "fit" or "evaluate".
Progress = Callable[[str, int, int], None]
Fitter = Callable[..., FitResult]


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
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
