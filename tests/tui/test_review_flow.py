"""The review flow driven as a learner would, with Textual's Pilot; every
assertion about what was answered is checked in the database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from quizapp.service import Service
from quizapp.settings import Settings
from quizapp.store.models import CardState, ReviewLog
from quizapp.tui.app import make_app

SIZE = (100, 30)


@pytest.fixture
def settings(db_url):
    return Settings(database_url=db_url, user="tester", start_kernel=False)


def app_for(settings, **changes):
    from dataclasses import replace

    return make_app(replace(settings, **changes))


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def logs(app) -> list[ReviewLog]:
    with Session(app.service.engine) as session:
        return list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))


async def test_home_lists_decks_with_counts(settings):
    app = app_for(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#decks")
        names = [str(key.value) for key in table.rows]
        # The built-in deck in the interface language (English in tests) only.
        assert "PyTorch (EN)" in names and "PyTorch (EN)::Broadcasting" in names
        assert not any(name.startswith("PyTorch (ES)") for name in names)
        row = table.get_row("PyTorch (EN)")
        assert str(row[1]) == "20"  # today's new cards, within the daily limit


async def test_reveal_grade_undo_and_summary(settings):
    app = app_for(settings, start_in_review=True, review_deck="PyTorch (ES)::Deep learning")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "ReviewScreen"
        first = screen.card.id
        await pilot.press("enter")  # show the answer
        assert screen.revealed
        assert "Good" in str(screen.query_one("#grades").render())
        await pilot.press("enter")  # accept Good
        await settle(app, pilot)
        assert [(log.card_id, log.rating) for log in logs(app)] == [(first, 3)]
        second = screen.card.id
        assert second != first
        await pilot.press("space", "1")  # reveal, then Again
        await settle(app, pilot)
        assert [log.rating for log in logs(app)] == [3, 1]
        await pilot.press("ctrl+z")  # undo the Again: the same card comes back
        await settle(app, pilot)
        assert [log.rating for log in logs(app)] == [3]
        assert screen.card.id == second
        with Session(app.service.engine) as session:
            assert session.get(CardState, (app.service.user_id, second)) is None
        await pilot.press("escape")  # end of session
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        text = str(app.screen.query_one("#summary").render())
        assert "Cards reviewed: 1" in text and "Good 1" in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_grade_keys_do_nothing_before_the_answer_shows(settings):
    app = app_for(settings, start_in_review=True, review_deck="PyTorch (EN)::Deep learning")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "4")
        await settle(app, pilot)
        assert logs(app) == []


async def test_typed_answer_shows_diff_and_suggests_again(settings):
    app = app_for(settings, start_in_review=True, review_deck="PyTorch (EN)")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        # Bury cards until a type-the-answer card shows.
        for _ in range(200):
            if screen.card.kind == "type":
                break
            await pilot.press("minus")
            await settle(app, pilot)
        assert screen.card.kind == "type"
        await pilot.press(*"wrong answer", "enter")
        assert screen.revealed and screen.verdict is not None and not screen.verdict.correct
        assert "✗" in str(screen.query_one("#verdict").render())
        await pilot.press("enter")  # accepts the suggested grade: Again
        await settle(app, pilot)
        (log,) = logs(app)
        assert log.rating == 1 and log.answered == "wrong answer"
        assert log.correct_answer == screen.app.service.card(log.card_id).data["answer"]


async def test_finishing_a_deck_shows_congratulations(settings, db_url):
    from quizapp.store.engine import make_engine

    service = Service(make_engine(db_url), "tester")
    service.sync_builtin_decks()
    deck = "PyTorch (EN)::PyTorch and tensors"
    app = make_app(
        settings.__class__(
            database_url=db_url, user="tester", start_kernel=False, start_in_review=True, review_deck=deck
        )
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(60):
            if type(app.screen).__name__ != "ReviewScreen":
                break
            await pilot.press("4" if app.screen.revealed else "enter")
            await settle(app, pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        assert "Congratulations" in str(app.screen.query_one("#summary").render())
    assert service.today_counts(deck).new == 0
