from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from quizapp.domain import MemoryState, Rating
from quizapp.scheduling import Memory, Scheduler, SchedulingConfig, format_interval
from quizapp.study_days import day_start, next_day_start

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_new_card_uses_learning_steps():
    outcomes = Scheduler().preview(Memory(), NOW)
    assert outcomes[Rating.AGAIN].interval == timedelta(minutes=1)
    assert outcomes[Rating.GOOD].interval == timedelta(minutes=10)
    assert outcomes[Rating.GOOD].memory.state == MemoryState.LEARNING
    assert outcomes[Rating.EASY].memory.state == MemoryState.REVIEW
    assert outcomes[Rating.EASY].interval >= timedelta(days=1)


def test_graduation_and_lapse_count():
    s = Scheduler()
    m = s.outcome(Memory(), Rating.GOOD, NOW).memory
    m = s.outcome(m, Rating.GOOD, NOW + timedelta(minutes=10)).memory
    assert m.state == MemoryState.REVIEW and m.reps == 2
    lapse = s.outcome(m, Rating.AGAIN, m.due)
    assert lapse.memory.state == MemoryState.RELEARNING
    assert lapse.memory.lapses == 1
    assert lapse.interval == timedelta(minutes=10)  # the relearning step


def test_preview_equals_the_answer_given():
    """The interval shown on a button is exactly what that answer gives."""
    s = Scheduler()
    m = Memory(MemoryState.REVIEW, None, 30.0, 5.0, NOW, NOW - timedelta(days=30), 5, 0)
    shown = s.preview(m, NOW, fuzz_key="card-1")
    for rating in Rating:
        assert s.outcome(m, rating, NOW, fuzz_key="card-1").memory.due == shown[rating].memory.due


def test_fuzz_spreads_intervals_across_cards():
    s = Scheduler()
    m = Memory(MemoryState.REVIEW, None, 60.0, 5.0, NOW, NOW - timedelta(days=60), 5, 0)
    dues = {s.outcome(m, Rating.GOOD, NOW, fuzz_key=f"card-{i}").memory.due for i in range(30)}
    assert len(dues) > 1
    unfuzzed = Scheduler(SchedulingConfig(fuzz=False)).outcome(m, Rating.GOOD, NOW).interval
    assert all(abs((d - NOW) - unfuzzed) <= timedelta(days=10) for d in dues)


def test_leech_after_eight_lapses():
    s = Scheduler()
    m = Memory(MemoryState.REVIEW, None, 5.0, 8.0, NOW, NOW - timedelta(days=5), 20, 7)
    out = s.outcome(m, Rating.AGAIN, NOW)
    assert out.memory.lapses == 8 and out.becomes_leech
    assert not s.outcome(m, Rating.GOOD, NOW).becomes_leech


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        Scheduler().outcome(Memory(), Rating.GOOD, datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "local, expected_day",
    [("2026-03-02 03:59", "2026-03-01"), ("2026-03-02 04:00", "2026-03-02"), ("2026-03-02 23:30", "2026-03-02")],
)
def test_day_starts_at_four_local_time(local, expected_day):
    tz = ZoneInfo("America/Mexico_City")
    now = datetime.fromisoformat(local).replace(tzinfo=tz).astimezone(UTC)
    start = day_start(now, 4, tz)
    assert start.astimezone(tz).strftime("%Y-%m-%d %H:%M") == f"{expected_day} 04:00"
    assert next_day_start(now, 4, tz) - start == timedelta(days=1)


def test_day_start_across_daylight_saving():
    tz = ZoneInfo("Europe/Madrid")  # clocks go forward on 2026-03-29
    now = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    start, end = day_start(now, 4, tz), next_day_start(now, 4, tz)
    assert start.astimezone(tz).hour == 4 and end.astimezone(tz).hour == 4
    assert end - start == timedelta(hours=24)


@pytest.mark.parametrize(
    "delta, text",
    [
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=4), "4d"),
        (timedelta(days=45), "1.5mo"),
        (timedelta(days=800), "2.2y"),
    ],
)
def test_format_interval(delta, text):
    assert format_interval(delta) == text
