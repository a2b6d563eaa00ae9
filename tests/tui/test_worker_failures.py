"""A worker that raises is reported once, by the screen's handler
(QuizScreen.show_failure), where the screen shows it; the app goes on."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from quizapp.settings import Settings
from quizapp.store.models import ReviewLog
from quizapp.tui.app import make_app

SIZE = (100, 30)
DECK = "PyTorch (ES)::Deep learning"


@pytest.fixture
def settings(db_url):
    return Settings(database_url=db_url, user="tester", start_kernel=False)


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def boom(*args, **kwargs):
    raise RuntimeError("disk on fire")


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_deck_list_says_why_it_is_empty(settings, monkeypatch):
    app = make_app(settings)
    monkeypatch.setattr(app.service, "deck_counts", boom)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        status = str(app.screen.query_one("#home-status").render())
        assert status == "Error loading the decks: RuntimeError: disk on fire"
        assert notices(app) == []  # shown in one place


async def test_a_failed_answer_is_notified_and_can_be_given_again(settings, monkeypatch):
    app = make_app(replace(settings, start_in_review=True, review_deck=DECK))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        card = screen.card.id
        with monkeypatch.context() as patch:
            patch.setattr(app.service, "answer", boom)
            await pilot.press("enter", "enter")  # show, then accept Good: the save fails
            await settle(app, pilot)
        assert "Error saving the answer: RuntimeError: disk on fire" in notices(app)
        assert screen.card.id == card and screen.revealed  # nothing was lost
        await pilot.press("enter")  # the same grade again, now saved
        await settle(app, pilot)
        with Session(app.service.engine) as session:
            assert [log.card_id for log in session.exec(select(ReviewLog))] == [card]
        assert screen.card.id != card


async def test_a_bad_search_is_a_line_under_the_search_box(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_browse()
        await settle(app, pilot)
        await pilot.press("slash", *"dek:x", "enter")
        await settle(app, pilot)
        status = str(app.screen.query_one("#browse-status").render())
        assert status.startswith("✗ unknown search dek:")  # the parser's words, no exception type
        assert notices(app) == []
