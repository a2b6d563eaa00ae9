"""Scheduler.replay (FSRS's arithmetic inlined, for imports of long
histories) gives exactly what answering each review with Scheduler.outcome
gives: the same stability, difficulty, due date, state, step and counts, to
the last bit, on generated histories and under several settings."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.domain import Rating
from quizapp.scheduling import Memory, Scheduler, SchedulingConfig
from tests.simulation import scaled_parameters

T0 = datetime(2021, 5, 4, 7, 30, tzinfo=UTC)


def replay_by_outcome(scheduler: Scheduler, reviews: list[tuple[datetime, int]], key: str) -> Memory:
    """The replay as it was: one outcome() per review."""
    memory = Memory()
    for at, rating in reviews:
        memory = scheduler.outcome(memory, Rating(rating), at, fuzz_key=key).memory
    return memory


def history(rng: random.Random) -> list[tuple[datetime, int]]:
    """A card's reviews: gaps from seconds to months (same day, next day,
    overdue), every rating, lapses in the middle of learning and review."""
    at = T0 + timedelta(seconds=rng.randrange(86_400 * 30))
    reviews = []
    for _ in range(rng.randint(1, 40)):
        reviews.append((at, rng.choice((1, 2, 3, 3, 3, 4))))
        at += rng.choice(
            (
                timedelta(seconds=rng.randrange(1, 3_600)),
                timedelta(hours=rng.uniform(1, 30)),
                timedelta(days=rng.randrange(1, 400), seconds=rng.randrange(86_400)),
            )
        )
    return reviews


CONFIGS = {
    "defaults": SchedulingConfig(),
    "no fuzz": SchedulingConfig(fuzz=False),
    "fitted-like": SchedulingConfig(parameters=scaled_parameters(0.4), desired_retention=0.85),
    "one step each": SchedulingConfig(learning_steps=(timedelta(minutes=5),), relearning_steps=(timedelta(minutes=3),)),
    "three steps": SchedulingConfig(
        learning_steps=(timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1)),
        relearning_steps=(timedelta(minutes=10), timedelta(hours=1)),
    ),
    "no steps": SchedulingConfig(learning_steps=(), relearning_steps=(), maximum_interval_days=90),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_replay_equals_answering_each_review(name):
    scheduler = Scheduler(CONFIGS[name])
    rng = random.Random(name)
    for index in range(300):
        reviews = history(rng)
        key = f"deck:card-{index}"
        assert scheduler.replay(reviews, fuzz_key=key) == replay_by_outcome(scheduler, reviews, key), (index, reviews)


def test_replay_of_nothing_is_a_new_card():
    assert Scheduler().replay([]) == Memory()


def test_replay_refuses_what_outcome_refuses():
    scheduler = Scheduler()
    with pytest.raises(ValueError):
        scheduler.replay([(datetime(2024, 1, 1), 3)])
    with pytest.raises(ValueError):
        scheduler.replay([(T0, 5)])
