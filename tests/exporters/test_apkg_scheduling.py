"""An Anki package exported with scheduling (the default) carries the
learner's card states and review log: the real Anki opens it and shows the
same due dates, review counts, lapses and FSRS memory states as quizapp."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from quizapp.anki.ids import guid_for_card_id
from quizapp.domain import MemoryState, Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.store.models import CardState, ReviewLog
from quizapp.study_days import StudyDays
from tests.exporters.test_apkg_export import import_into_anki, note_by_guid

pytest.importorskip("anki")

#: quizapp card id -> (note's base id, Anki card ordinal).
ANKI_CARD = {
    "small:one": ("small:one", 0),
    "small:two": ("small:two", 0),
    "small:two::rev": ("small:two", 1),
    "small:three::c1": ("small:three", 0),
    "small:three::c2": ("small:three", 1),
    "small:four": ("small:four", 0),
}


@pytest.fixture
def utc_machine(monkeypatch):
    """Anki counts days on the machine's clock: make it the learner's (UTC)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def studied(make_service, small_deck, clock):
    """A learner with a card in every state: new, learning, review (one of
    them overdue), relearning after a lapse, suspended, buried."""
    service = make_service()
    # Each state set by hand below: answering small:two must not bury its overdue reverse.
    service.update_settings(bury_new_siblings="off", bury_review_siblings="off")
    service.sync_deck(read_toml_deck(small_deck))
    graduating = ["small:two::rev", "small:three::c1", "small:three::c2", "small:four"]
    for card_id in graduating:
        service.answer(card_id, Rating.GOOD)
    clock.advance(minutes=10)
    for card_id in graduating:
        service.answer(card_id, Rating.GOOD, duration_ms=4_000)
    clock.advance(days=6)  # the reviews are due (small:two::rev stays overdue)
    service.answer("small:three::c1", Rating.AGAIN)  # a lapse: relearning
    service.answer("small:four", Rating.EASY)
    service.answer("small:three::c2", Rating.HARD)
    service.answer("small:two", Rating.AGAIN)  # learning, due in a minute
    service.suspend("small:three::c2")
    service.bury("small:four")
    return service


def _quizapp(engine) -> tuple[dict[str, CardState], dict[str, int]]:
    with Session(engine) as session:
        states = {s.card_id: s for s in session.exec(select(CardState))}
        counts: dict[str, int] = {}
        for log in session.exec(select(ReviewLog)):
            counts[log.card_id] = counts.get(log.card_id, 0) + 1
    return states, counts


def test_real_anki_shows_the_learners_schedule(studied, engine, tmp_path, utc_machine):
    path = tmp_path / "small.apkg"
    report = studied.export(path, "apkg", deck="Small")
    states, counts = _quizapp(engine)
    assert report.reviews == sum(counts.values()) == 12
    assert {MemoryState(s.state) for s in states.values()} == {
        MemoryState.LEARNING,
        MemoryState.REVIEW,
        MemoryState.RELEARNING,
    }

    col = import_into_anki(path, tmp_path)
    try:
        # Anki's today, as a date on the learner's calendar (UTC, days from 04:00).
        anki_today = StudyDays(UTC, 4).day_of(datetime.now(UTC))
        seen = {}
        for card_id, (base, ordinal) in ANKI_CARD.items():
            card = next(c for c in note_by_guid(col, guid_for_card_id(base)).cards() if c.ord == ordinal)
            revlog = col.db.scalar(f"SELECT count(*) FROM revlog WHERE cid = {card.id}")
            seen[card_id] = card
            state = states.get(card_id)
            assert revlog == counts.get(card_id, 0), card_id
            if state is None:
                assert (card.type, card.queue, card.reps) == (0, 0, 0), card_id
                continue
            assert (card.reps, card.lapses) == (state.reps, state.lapses), card_id
            due = state.due.replace(tzinfo=UTC) if state.due.tzinfo is None else state.due
            if card.queue == 1 or (card.type in (1, 3) and card.due > 10**8):  # intraday: a timestamp
                assert card.due == int(due.timestamp()), card_id
            else:  # a day number: the same date in both
                anki_date = anki_today + timedelta(days=card.due - col.sched.today)
                assert anki_date == StudyDays(UTC, 4).day_of(due), card_id
            memory = card.memory_state
            assert memory is not None, card_id
            assert memory.stability == pytest.approx(state.stability, rel=1e-3), card_id
            assert memory.difficulty == pytest.approx(state.difficulty, rel=1e-3), card_id
        # Each state as Anki names it: type (0 new, 1 learning, 2 review, 3 relearning) and queue.
        assert (seen["small:one"].type, seen["small:one"].queue) == (0, 0)
        assert (seen["small:two"].type, seen["small:two"].queue) == (1, 1)
        assert (seen["small:two::rev"].type, seen["small:two::rev"].queue) == (2, 2)
        assert seen["small:two::rev"].due < col.sched.today  # still overdue
        assert (seen["small:three::c1"].type, seen["small:three::c1"].queue) == (3, 1)
        assert seen["small:three::c1"].lapses == 1
        assert (seen["small:three::c2"].type, seen["small:three::c2"].queue) == (2, -1)  # suspended
        assert seen["small:four"].type == 2 and seen["small:four"].queue in (-3, -2, 2)
    finally:
        col.close()


def test_no_scheduling_writes_new_cards_only(studied, tmp_path):
    path = tmp_path / "plain.apkg"
    report = studied.export(path, "apkg", deck="Small", scheduling=False)
    assert report.reviews == 0
    col = import_into_anki(path, tmp_path)
    try:
        assert col.db.scalar("SELECT count(*) FROM revlog") == 0
        assert set(col.db.list("SELECT type FROM cards")) == {0}
    finally:
        col.close()


def test_user_chooses_whose_schedule(studied, make_service, tmp_path):
    other = make_service("ana")  # has studied nothing
    path = tmp_path / "ana.apkg"
    assert other.export(path, "apkg", deck="Small").reviews == 0
    assert studied.export(tmp_path / "tester.apkg", "apkg", deck="Small").reviews == 12
