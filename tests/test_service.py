"""The use cases, checked against the database."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from quizapp.domain import MemoryState, Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.scheduling import SchedulingConfig
from quizapp.service import Answer
from quizapp.store.models import Card, CardState, ReviewLog
from tests.conftest import SMALL_DECK


@pytest.fixture
def service(make_service, small_deck):
    s = make_service()
    s.sync_deck(read_toml_deck(small_deck))
    return s


def _rows(engine, model):
    with Session(engine) as session:
        return list(session.exec(select(model)))


def test_sync_is_idempotent_and_keeps_schedules_across_edits(service, small_deck, engine):
    service.answer("small:one", Rating.GOOD)
    report = service.sync_deck(read_toml_deck(small_deck))
    assert report.to_json() == {"added": 0, "updated": 0, "unchanged": 6, "removed": 0}
    small_deck.write_text(SMALL_DECK.replace('back = "one"', 'back = "uno"'), encoding="utf-8")
    report = service.sync_deck(read_toml_deck(small_deck))
    assert (report.updated, report.unchanged) == (1, 5)
    assert service.card("small:one").back == "uno"
    assert service.memory("small:one").reps == 1  # the schedule survived the edit


def test_removed_card_leaves_review_but_keeps_history(service, small_deck, engine):
    service.answer("small:one", Rating.AGAIN)
    small_deck.write_text(
        SMALL_DECK.replace('[[cards]]\nid = "one"\nfront = "1?"\nback = "one"\n', ""), encoding="utf-8"
    )
    report = service.sync_deck(read_toml_deck(small_deck))
    assert report.removed == 1
    assert "small:one" not in [c.id for c in service.cards()]
    assert [log.card_id for log in _rows(engine, ReviewLog)] == ["small:one"]
    for _ in range(10):  # never shown again, even when due
        card = service.next_card()
        assert card is None or card.id != "small:one"
        if card is None:
            break
        service.answer(card.id, Rating.EASY)


def test_dry_run_writes_nothing(make_service, small_deck, engine):
    s = make_service()
    report = s.sync_deck(read_toml_deck(small_deck), dry_run=True)
    assert report.added == 6
    assert _rows(engine, Card) == []


def test_counts_and_hierarchy(service):
    counts = {c.name: c for c in service.deck_counts()}
    assert (counts["Small"].new, counts["Small"].total) == (6, 6)
    assert (counts["Small::Sub"].new, counts["Small::Sub"].total) == (4, 4)
    service.answer("small:one", Rating.GOOD)
    counts = {c.name: c for c in service.deck_counts()}
    assert (counts["Small"].new, counts["Small"].learning) == (5, 1)


def test_answer_writes_state_and_log_together(service, engine, clock):
    result = service.answer(
        "small:four",
        Rating.AGAIN,
        duration_ms=1500,
        answer=Answer(asked="q", answered="float", correct_answer="torch.float32"),
    )
    (state,) = _rows(engine, CardState)
    (log,) = _rows(engine, ReviewLog)
    assert state.state == MemoryState.LEARNING and state.reps == 1
    assert state.due == clock.now + timedelta(minutes=1)
    assert log.id == result.log_id and log.rating == 1 and log.duration_ms == 1500
    assert (log.asked, log.answered, log.correct_answer) == ("q", "float", "torch.float32")
    assert log.state_before == MemoryState.NEW and log.previous == "null"


def test_review_order_learning_then_new_and_learn_ahead(service, clock):
    first = service.next_card()
    assert first.id == "small:one"  # new cards come in the author's order
    service.answer(first.id, Rating.AGAIN)  # due in 1 minute
    assert service.next_card().id == "small:two"  # not due yet: next new card
    clock.advance(minutes=2)
    assert service.next_card().id == "small:one"  # due learning card first


def test_daily_new_limit(make_service, small_deck, clock):
    s = make_service(config=SchedulingConfig(new_per_day=2))
    s.sync_deck(read_toml_deck(small_deck))
    for _ in range(2):
        s.answer(s.next_card().id, Rating.EASY)
    assert s.next_card() is None
    assert {c.name: c.new for c in s.deck_counts()}["Small"] == 0
    clock.advance(days=1)  # a new day: new cards again (and the easy ones are due later)
    assert s.next_card().state == MemoryState.NEW


def test_undo_restores_the_schedule_and_removes_the_log(service, engine):
    service.answer("small:one", Rating.GOOD)
    before = service.memory("small:one")
    service.answer("small:one", Rating.GOOD)
    assert service.undo() == "small:one"
    assert service.memory("small:one") == before
    assert len(_rows(engine, ReviewLog)) == 1
    assert service.undo() == "small:one"
    assert _rows(engine, CardState) == [] and _rows(engine, ReviewLog) == []
    assert service.undo() is None


def test_bury_until_tomorrow_and_suspend(service, clock):
    service.bury("small:one")
    assert service.next_card().id == "small:two"
    service.suspend("small:two")
    assert service.next_card().id == "small:two::rev"
    clock.advance(days=1)
    assert service.next_card().id == "small:one"  # unburied the next day
    service.suspend("small:two", False)
    assert "small:two" in [c.id for c in service.cards()]


def test_users_have_independent_schedules(make_service, service):
    service.answer("small:one", Rating.GOOD)
    other = make_service("bea")
    assert other.memory("small:one").reps == 0
    assert other.next_card().id == "small:one"
    assert other.stats()["reviews_today"] == 0 and service.stats()["reviews_today"] == 1


def test_stats_today_tomorrow_and_streak(service, clock):
    for _day in range(3):  # three consecutive days with reviews
        card = service.next_card()
        service.answer(card.id, Rating.EASY, duration_ms=2000)
        clock.advance(days=1)
    clock.advance(days=-1)
    stats = service.stats()
    assert stats["user"] == "tester"
    assert stats["reviews_today"] == 1 and stats["new_today"] == 1
    assert stats["streak_days"] == 3
    assert stats["time_today_s"] == 2.0
    clock.advance(days=1)  # nothing yet today: the streak still counts to yesterday
    assert service.stats()["streak_days"] == 3
    clock.advance(days=1)
    assert service.stats()["streak_days"] == 0


def test_day_boundary_at_four(service, clock):
    clock.now = clock.now.replace(hour=3, minute=30)  # 03:30 UTC (the test TZ)
    service.answer("small:one", Rating.GOOD)
    clock.now = clock.now.replace(hour=4, minute=30)
    assert service.stats()["reviews_today"] == 0  # the 03:30 review was yesterday


def test_due_now_and_due_tomorrow(service, clock):
    service.answer("small:one", Rating.EASY)  # a review card, due in days
    due = service.memory("small:one").due
    assert service.stats()["due_now"] == 0
    clock.now = due - timedelta(days=1)
    assert service.stats()["due_tomorrow"] == 1
    clock.now = due
    assert service.stats()["due_now"] == 1
