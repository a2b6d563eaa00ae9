"""Synthetic learners, for the optimizer's tests and benchmark.

A simulated learner's memory follows FSRS with *true* parameters of its
own (a known forgetting curve); the app schedules them with other
parameters (FSRS's defaults, as for a new learner). Each study day the
learner meets ``new_per_day`` new cards and reviews everything due that
day, learning steps included; whether a review is recalled is drawn from
the true retrievability at that moment. Pure Python, seeded: the same
arguments give the same history.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizapp.optimizing import ReviewRow

START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


def scaled_parameters(initial_stability: float = 1.0, base: Sequence[float] = DEFAULT_PARAMETERS) -> tuple[float, ...]:
    """FSRS parameters whose initial stabilities (w0-w3) are ``base``'s times
    ``initial_stability``: below 1, a learner who forgets new cards faster."""
    params = list(base)
    for i in range(4):
        params[i] = min(max(params[i] * initial_stability, 0.001), 100.0)
    return tuple(params)


def simulate_history(
    reviews: int,
    *,
    true_parameters: Sequence[float],
    scheduling_parameters: Sequence[float] = DEFAULT_PARAMETERS,
    new_per_day: int = 20,
    seed: int = 0,
    start: datetime = START,
    card_prefix: str = "sim:",
) -> list[ReviewRow]:
    """``reviews`` reviews of a learner whose memory follows ``true_parameters``,
    scheduled with ``scheduling_parameters``. Oldest first."""
    rng = random.Random(seed)
    app = fsrs.Scheduler(parameters=tuple(scheduling_parameters), enable_fuzzing=False)
    truth = fsrs.Scheduler(parameters=tuple(true_parameters), enable_fuzzing=False)
    app_cards: list[fsrs.Card] = []
    true_cards: list[fsrs.Card] = []
    queue: list[tuple[datetime, int]] = []
    rows: list[ReviewRow] = []
    day = 0
    while len(rows) < reviews:
        day_start = start + timedelta(days=day, minutes=rng.randint(0, 120))
        day_end = start + timedelta(days=day + 1) - timedelta(hours=6)
        for _ in range(new_per_day):
            index = len(app_cards)
            app_cards.append(fsrs.Card(card_id=index + 1, due=day_start))
            true_cards.append(fsrs.Card(card_id=index + 1, due=day_start))
            heapq.heappush(queue, (day_start, index))
        now = day_start
        while queue and queue[0][0] < day_end and len(rows) < reviews:
            due, index = heapq.heappop(queue)
            now = max(now, due) + timedelta(seconds=rng.randint(5, 40))
            rating = _answer(rng, truth, true_cards[index], now)
            app_cards[index], _ = app.review_card(app_cards[index], fsrs.Rating(rating), now)
            true_cards[index], _ = truth.review_card(true_cards[index], fsrs.Rating(rating), now)
            rows.append(ReviewRow(f"{card_prefix}{index + 1}", now, rating, rng.randint(2000, 15000)))
            heapq.heappush(queue, (max(app_cards[index].due, now + timedelta(seconds=1)), index))
        day += 1
    return rows


def _answer(rng: random.Random, truth: fsrs.Scheduler, card: fsrs.Card, now: datetime) -> int:
    """The learner's grade: a first sight is graded by how easy the card looks;
    later, recall is drawn from the true retrievability."""
    if card.last_review is None:
        return rng.choices((1, 2, 3, 4), weights=(0.25, 0.10, 0.55, 0.10))[0]
    if rng.random() < truth.get_card_retrievability(card, now):
        return rng.choices((2, 3, 4), weights=(0.10, 0.80, 0.10))[0]
    return 1
