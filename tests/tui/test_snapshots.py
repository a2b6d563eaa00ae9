"""A few screenshots at a fixed terminal size (SVG snapshots in __snapshots__).

Regenerate after an intended change of the look:
    .venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from quizapp.settings import Settings
from quizapp.tui.app import make_app

SIZE = (100, 30)


async def _settle(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home_screen(snap_compare, db_url):
    app = make_app(Settings(database_url=db_url, user="tester", start_kernel=False))
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_review_with_answer_shown(snap_compare, db_url):
    app = make_app(
        Settings(
            database_url=db_url,
            user="tester",
            start_kernel=False,
            start_in_review=True,
            review_deck="PyTorch (ES)::Broadcasting",
        )
    )

    async def reveal(pilot):
        await _settle(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=reveal)


def test_review_of_a_generated_question_answered_at_80x24(snap_compare, db_url):
    """The verdict, the right answer and the rule on top; the snippet below, highlighted."""
    from tests.tui.test_review_daily import EN_LIVE, live_app

    app = live_app(db_url, EN_LIVE)

    async def answer(pilot):
        await _settle(pilot)
        await pilot.press("d", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=answer)
