"""How a collection's columns encode deck names and intervals (quizapp.anki.collection)."""

import pytest

from quizapp.anki.collection import MAX_INTERVAL_DAYS, deck_name, interval_days, interval_in_range, revlog_interval


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("PyTorch::Tensores", "PyTorch::Tensores"),
        (" A :: :: B ", "A::B"),
        ("", "Default"),
        (None, "Default"),
        ("::", "Default"),
    ],
)
def test_deck_name(raw, name):
    assert deck_name(raw) == name


@pytest.mark.parametrize(("days", "stored"), [(3, 3), (1.4, 1), (0.5, -43200), (10 / 1440, -600), (0, 0)])
def test_revlog_interval_is_days_or_negative_seconds(days, stored):
    assert revlog_interval(days) == stored


@pytest.mark.parametrize(("stored", "days"), [(3, 3.0), (-600, 600 / 86400), (0, 0.0), (None, 0.0), ("x", 0.0)])
def test_interval_days_reads_both(stored, days):
    assert interval_days(stored) == pytest.approx(days)


@pytest.mark.parametrize(
    ("stored", "days", "in_range"),
    [
        (36500, 36500.0, True),
        (10**15, 36500.0, False),
        (-(10**15), 36500.0, False),
        (1e300, 36500.0, False),
        (float("inf"), 0.0, False),
        (float("nan"), 0.0, False),
        ("9" * 5000, 0.0, False),  # past int()'s digit limit
        ("x", 0.0, False),
        (-600, 600 / 86400, True),
    ],
)
def test_absurd_intervals_are_cut_to_ankis_maximum(stored, days, in_range):
    assert interval_days(stored) == pytest.approx(days)
    assert 0 <= interval_days(stored) <= MAX_INTERVAL_DAYS
    assert interval_in_range(stored) is in_range
