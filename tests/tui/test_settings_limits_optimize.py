"""The settings screen, session limits (`quizapp review --limit/--minutes`)
and the optimizer's screen, driven with Textual's Pilot."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from quizapp.optimizing import FitResult, Metrics
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


def answered(app) -> int:
    with Session(app.service.engine) as session:
        return len(session.exec(select(ReviewLog)).all())


# -- settings ---------------------------------------------------------------------


async def test_settings_screen_shows_optimal_retention_and_the_workload(settings):
    """Beside the desired retention: the optimal one, and the simulator's
    reviews and minutes per day, recomputed for the retention typed."""
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        optimal = str(screen.query_one("#settings-optimal").render())
        value = float(optimal.split("parameters: ")[1].split()[0])
        assert 0.7 <= value <= 0.95
        workload = str(screen.query_one("#settings-workload").render())
        assert "At desired retention 0.90, over 365 days" in workload and "reviews/day" in workload
        screen.query_one("#setting-desired_retention").value = "0.8"
        await settle(app, pilot)
        assert "At desired retention 0.80" in str(screen.query_one("#settings-workload").render())
        screen.query_one("#setting-desired_retention").value = "2"  # invalid: nothing simulated
        await settle(app, pilot)
        assert "At desired retention 0.80" in str(screen.query_one("#settings-workload").render())


async def test_settings_screen_validates_and_saves(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "SettingsScreen"
        field = screen.query_one("#setting-new_per_day")
        assert field.value == "20"
        field.value = "many"
        await pilot.pause()
        assert "✗ new per day: 'many' is not a whole number" in str(screen.query_one("#hint-new_per_day").render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert "Not saved" in str(screen.query_one("#settings-status").render())
        assert app.service.study_settings().new_per_day == 20
        field.value = "5"
        screen.query_one("#setting-learning_steps").value = "2m 15m"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        stored = app.service.study_settings()
        assert stored.new_per_day == 5 and app.service.config.new_per_day == 5
        assert [s.total_seconds() for s in stored.learning_steps] == [120, 900]


async def test_settings_escape_keeps_the_old_values(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_study_settings()
        await settle(app, pilot)
        app.screen.query_one("#setting-day_start_hour").value = "6"
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert app.service.study_settings().day_start_hour == 4


# -- session limits ----------------------------------------------------------------


async def test_card_limit_ends_the_session_with_the_summary(settings):
    app = make_app(replace(settings, start_in_review=True, review_deck=DECK, review_limit=2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(2):
            assert type(app.screen).__name__ == "ReviewScreen"
            await pilot.press("enter", "enter")
            await settle(app, pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        text = str(app.screen.query_one("#summary").render())
        assert "Session limit reached: 2 cards." in text and "Cards reviewed: 2" in text
        assert answered(app) == 2


async def test_time_limit_ends_the_session_at_the_next_card(settings):
    app = make_app(replace(settings, start_in_review=True, review_deck=DECK, review_minutes=30))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("enter")  # the answer shows: the session waits for the grade
        screen._time_is_up()  # what the 30-minute timer calls
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("enter")  # grade it: now the session ends
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        assert "Time limit reached: 30 min." in str(app.screen.query_one("#summary").render())
        assert answered(app) == 1


async def test_time_limit_on_an_untouched_card_ends_at_once(settings):
    app = make_app(replace(settings, start_in_review=True, review_deck=DECK, review_minutes=30))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        app.screen._time_is_up()  # the next card is on screen, untouched
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        assert answered(app) == 1


def test_review_options_reach_the_settings(monkeypatch, tmp_path):
    from quizapp import cli

    seen = {}
    monkeypatch.setattr(cli, "_run_tui", lambda s: seen.setdefault("settings", s) and 0)
    cli.main(["--db", str(tmp_path / "q.db"), "review", "--limit", "15", "--minutes", "7.5"])
    assert (seen["settings"].review_limit, seen["settings"].review_minutes) == (15, 7.5)
    assert cli.main(["review", "--limit", "0"]) == 2


# -- optimizer --------------------------------------------------------------------


async def test_optimize_screen_says_how_many_more_reviews(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_optimize()
        await settle(app, pilot)
        text = str(app.screen.query_one("#optimize-stage").render())
        assert "Not yet" in text and "more needed" in text


async def test_optimize_screen_shows_both_figures_and_offers_to_reschedule(settings):
    from tests.simulation import scaled_parameters, simulate_history
    from tests.test_optimizing import store_history

    def fake_fit(rows, *, cutoff, current, progress=None, cancel=None):
        progress("fit", 5, 10)
        return FitResult(scaled_parameters(2.0), Metrics(0.5123, 0.081, 300), Metrics(0.4567, 0.062, 300), 900, 1.0)

    app = make_app(settings)
    app.service.ctx.fit = fake_fit
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        store_history(app.service, simulate_history(2000, true_parameters=scaled_parameters(0.4), seed=5))
        app.action_optimize()
        await settle(app, pilot)  # the screen mounts and starts its worker
        await settle(app, pilot)  # the fit, the comparison and the optimal retention
        assert type(app.screen).__name__ == "ConfirmScreen"
        report = str(app.screen_stack[-2].query_one("#optimize-report").render())
        assert "0.5123" in report and "0.4567" in report and "8.10%" in report and "6.20%" in report
        assert "Adopted" in report
        assert app.service.study_settings().parameters == scaled_parameters(2.0)
        due_before = app.service.memory("sim:1").due
        await pilot.press("y")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "OptimizeScreen"
        assert "cards rescheduled" in str(app.screen.query_one("#optimize-stage").render())
        assert app.service.memory("sim:1").due != due_before
        await pilot.press("p")  # back to the previous parameters
        await settle(app, pilot)
        assert app.service.study_settings().previous_parameters == scaled_parameters(2.0)


async def test_command_palette_lists_settings_and_optimizer(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
    assert "Settings" in titles and "Optimize FSRS parameters" in titles
