"""Screenshots of every screen at 80x24 (SVG snapshots in __snapshots__), in
English, and a few in Spanish.

They are deterministic: a fixed clock and time zone, the built-in decks, a
few answers given at that clock, torch off, and the one path that depends on
the machine (the backup folder) fixed.

Regenerate after an intended change of the look:
    .venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from quizapp.domain import Rating
from quizapp.service import Service
from quizapp.session import Answered, SessionStats
from quizapp.settings import Settings
from quizapp.store.engine import make_engine
from quizapp.tui.app import make_app

SIZE = (80, 24)
#: A Tuesday morning, well after the 04:00 start of the study day.
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
#: Cards answered before the screenshots (of the English deck), with their grades.
ANSWERED = {
    "pytorch-en:ml-what": Rating.GOOD,
    "pytorch-en:ml-how-patterns": Rating.AGAIN,
    "pytorch-en:ml-why": Rating.EASY,
}


def _service(db_url: str, language: str) -> Service:
    service = Service(make_engine(db_url), "tester", clock=lambda: NOW - timedelta(days=3), tz=UTC)
    service.sync_builtin_decks()
    service.set_interface_language(language)
    for card_id, rating in ANSWERED.items():  # three days ago, so the history and the forecast show them
        service.answer(card_id, rating, duration_ms=4200)
    service.ctx.clock = lambda: NOW
    service.backup_folder = lambda: Path("/home/tester/.local/share/quizapp/backups/quizapp-0a1b2c3d")  # type: ignore[method-assign]
    return service


def _app(db_url: str, language: str = "en", **settings):
    return make_app(
        Settings(database_url=db_url, user="tester", start_kernel=False, **settings),
        service=_service(db_url, language),
    )


async def _settle(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):  # a blinking cursor is there or not by chance
        field.cursor_blink = False
    await pilot.pause()


def _pressing(*keys: str):
    async def run_before(pilot):
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run_before


def test_home_screen(snap_compare, db_url):
    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=_settle)


def test_review_with_a_flashcard(snap_compare, db_url):
    app = _app(db_url, start_in_review=True, review_deck="PyTorch (EN)::Deep learning")
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_review_after_answering(snap_compare, db_url):
    app = _app(db_url, start_in_review=True, review_deck="PyTorch (EN)::Deep learning")
    assert snap_compare(app, terminal_size=SIZE, run_before=_pressing("enter"))


def test_summary_screen(snap_compare, db_url):
    from quizapp.tui.screens.summary import SummaryScreen

    stats = SessionStats(
        started=0.0,
        answers=[Answered(i, card, rating, 4200 + 1000 * i) for i, (card, rating) in enumerate(ANSWERED.items())],
        ended=600.0,
    )

    async def show(pilot):
        await _settle(pilot)
        pilot.app.push_screen(SummaryScreen("PyTorch (EN)::Deep learning", stats, finished=True))
        await _settle(pilot)

    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=show)


def test_browser(snap_compare, db_url):
    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=_pressing("b"))


def test_statistics(snap_compare, db_url):
    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=_pressing("s"))


def test_import_screen(snap_compare, db_url):
    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=_pressing("i"))


def test_settings_screen(snap_compare, db_url):
    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=_pressing("o"))


def test_optimize_screen(snap_compare, db_url):
    async def optimize(pilot):
        await _settle(pilot)
        pilot.app.action_optimize()
        await _settle(pilot)

    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=optimize)


def test_confirm_dialog(snap_compare, db_url):
    """The browser asking before it resets a card."""
    assert snap_compare(_app(db_url), terminal_size=SIZE, run_before=_pressing("b", "tab", "r"))


@pytest.mark.parametrize("keys", [(), ("o",), ("b",)], ids=["home", "settings", "browser"])
def test_spanish(snap_compare, db_url, keys):
    assert snap_compare(_app(db_url, "es"), terminal_size=SIZE, run_before=_pressing(*keys))


def test_review_of_a_generated_question_answered_at_80x24(snap_compare, db_url):
    """The verdict, the right answer and the rule on top; the snippet below, highlighted."""
    from tests.tui.test_review_daily import EN_LIVE, live_app

    app = live_app(db_url, EN_LIVE)

    async def answer(pilot):
        await _settle(pilot)
        await pilot.press("d", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=answer)
