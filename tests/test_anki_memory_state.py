"""For the same review history and the same FSRS-6 parameters, quizapp's
memory state (stability, difficulty) and its next intervals equal the real
Anki's (the `anki` test dependency: its backend recomputes a card's memory
state from the review log it wrote)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs_rs_python as rs
import pytest

from quizapp.domain import Rating
from quizapp.scheduling import Scheduler, SchedulingConfig
from tests.anki_fixtures import answer
from tests.simulation import scaled_parameters

#: Noon UTC: whole days apart are whole study days apart for Anki (its day
#: starts at 04:00 local time) and for quizapp.
T0 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
#: (time offset, rating): learning steps, a lapse, relearning, reviews.
#: Reviews on different days are whole multiples of 24 hours apart: quizapp's
#: scheduler (the fsrs package) counts elapsed days as whole 24-hour periods
#: where Anki counts study days, so 1 day 23 h 50 min is 1 day for one and 2
#: for the other (docs/settings-and-optimizer.md).
HISTORY = [
    (timedelta(0), 3),
    (timedelta(minutes=10), 3),
    (timedelta(days=2, minutes=10), 3),
    (timedelta(days=8, minutes=10), 1),
    (timedelta(days=8, minutes=20), 3),
    (timedelta(days=10, minutes=20), 2),
    (timedelta(days=21, minutes=20), 3),
    (timedelta(days=47, minutes=20), 4),
]
PARAMETERS = [
    tuple(rs.DEFAULT_PARAMETERS),
    scaled_parameters(0.4, base=tuple(rs.DEFAULT_PARAMETERS)),
]


def anki_memory_state(tmp_path, parameters) -> tuple[float, float]:
    from anki.collection import Collection

    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        col.set_config("fsrs", True)
        config = col.decks.config_dict_for_deck_id(1)
        config["fsrsParams6"] = list(parameters)
        config["desiredRetention"] = 0.9
        col.decks.update_config(config)
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = "q", "a"
        col.add_note(note, 1)
        card_id = note.cards()[0].id
        for offset, rating in HISTORY:
            answer(col, card_id, rating, int((T0 + offset).timestamp() * 1000), 5000)
        state = col._backend.compute_memory_state(card_id).state
        return state.stability, state.difficulty
    finally:
        col.close()


@pytest.mark.parametrize("parameters", PARAMETERS, ids=["defaults", "fitted-like"])
def test_memory_state_and_intervals_equal_ankis(tmp_path, parameters):
    stability, difficulty = anki_memory_state(tmp_path, parameters)
    scheduler = Scheduler(SchedulingConfig(parameters=parameters, fuzz=False))
    memory = scheduler.replay([(T0 + offset, rating) for offset, rating in HISTORY])
    assert memory.stability == pytest.approx(stability, rel=1e-3)
    assert memory.difficulty == pytest.approx(difficulty, rel=1e-3)
    # The next intervals, fuzz aside: those Anki's scheduler gives for this
    # memory state (the core's next_states, which Anki calls), in whole days.
    elapsed = 30
    now = memory.last_review + timedelta(days=elapsed)
    anki_next = rs.FSRS(list(parameters)).next_states(rs.MemoryState(stability, difficulty), 0.9, elapsed)
    preview = scheduler.preview(memory, now)
    for rating, state in ((Rating.HARD, anki_next.hard), (Rating.GOOD, anki_next.good), (Rating.EASY, anki_next.easy)):
        assert preview[rating].memory.stability == pytest.approx(state.memory.stability, rel=1e-3)
        assert preview[rating].interval.days == pytest.approx(round(state.interval), abs=1)
