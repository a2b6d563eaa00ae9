"""The statistics screen, opened with "s" from home: the numbers it shows are
the numbers of ``quizapp stats --json``."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from quizapp.domain import MemoryState
from quizapp.settings import Settings
from quizapp.tui.app import make_app
from tests.test_stats import add_cards, add_logs, add_states, log

SIZE = (110, 50)


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@pytest.fixture
def service(make_service, clock, engine):
    """A learner with 200 days of flashcards and generated questions."""
    rng = random.Random(7)
    service = make_service()
    cards = add_cards(engine, 30)
    rows = []
    for back in range(200):
        for _ in range(rng.randrange(1 if back < 12 else 0, 6)):  # a streak of at least 12 days
            at = clock.now - timedelta(days=back, minutes=rng.randrange(600))
            family = rng.choice([None, "broadcasting", "matmul"])
            rating = rng.choice([1, 3, 3, 4])
            mistake = "aligned_left" if family == "broadcasting" and rating == 1 else None
            rows.append(
                log(
                    service.user_id,
                    rng.choice(cards),
                    at,
                    rating,
                    state=rng.choice([0, 2, 2, 3]),
                    interval=rng.choice([3.0, 30.0]),
                    family=family,
                    mistake=mistake,
                    duration_ms=rng.randrange(1000, 9000),
                )
            )
    add_logs(engine, rows)
    add_states(
        engine,
        [
            dict(
                user_id=service.user_id,
                card_id=card,
                state=MemoryState.REVIEW,
                stability=rng.uniform(1, 60),
                difficulty=5.0,
                due=clock.now + timedelta(hours=rng.uniform(-48, 24 * 40)),
                last_review=clock.now - timedelta(days=rng.uniform(0, 50)),
            )
            for card in cards
        ],
    )
    return service


async def test_stats_screen_shows_the_json_numbers(service, db_url):
    stats = service.stats()
    app = make_app(Settings(database_url=db_url, user="tester", start_kernel=False), service=service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert any(
            b.binding.key == "s" and b.binding.description == "Stats" and b.binding.show
            for b in app.screen.active_bindings.values()
        )
        await pilot.press("s")
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "StatsScreen" and screen.shown is not None

        today = text_of(screen, "#stats-today")
        assert f"Reviewed {stats['reviews_today']} · new {stats['new_today']}" in today
        assert f"({rate(stats['again_rate_today'])})" in today
        assert stats["streak_days"] >= 12 and f"Streak {stats['streak_days']} days" in today
        assert f"due now {stats['due_now']} · due tomorrow {stats['due_tomorrow']}" in today
        minutes, seconds = divmod(round(stats["time_today_s"]), 60)
        assert (f"time {minutes}m {seconds:02d}s" if minutes else f"time {seconds}s") in today

        numbers = text_of(screen, "#forecast-numbers")
        shown = [int(n) for n in re.findall(r"(?:Today|\w{3} \d\d)\s+(\d+)", numbers)]
        assert shown == stats["forecast"]
        assert f"next 30 days {sum(stats['forecast'])}" in numbers

        heatmap = screen.query_one("#heatmap")
        assert {d.isoformat(): n for d, n in heatmap.counts.items()} == stats["heatmap"]
        assert f"reviews {sum(stats['heatmap'].values())}" in text_of(screen, "#heatmap-legend")
        assert f": {stats['reviews_today']} review" in text_of(screen, "#heatmap-day")

        table = screen.query_one("#retention")
        for kind in ("young", "mature", "total"):
            row = [str(cell) for cell in table.get_row(kind)]
            for window, cell in zip(("today", "7d", "30d", "365d"), row[1:]):
                want = stats["true_retention"][window][kind]
                n = want["pass"] + want["fail"]
                assert cell == ("—" if not n else f"{rate(want['rate'])} ({want['pass']}/{n})")

        families = screen.query_one("#families")
        assert families.row_count == len(stats["families"])
        for family, want in stats["families"].items():
            row = [str(cell) for cell in families.get_row(family)]
            assert row[1:4] == [str(want["reviews"]), str(want["correct"]), rate(want["accuracy"])]
        broadcasting = [str(cell) for cell in families.get_row("broadcasting")]
        times = stats["mistakes"]["broadcasting"]["aligned_left"]
        assert f"aligning dimensions from the left ×{times}" in broadcasting[4]

        recall = text_of(screen, "#recall-numbers")
        r = stats["retrievability"]
        assert f"Expected remembered now: {r['expected_remembered']:.1f} of {r['cards']} cards" in recall
        assert [int(n) for n in re.findall(r"\d+-\d+% (\d+)", recall)] == r["buckets"]

        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_heatmap_cursor_and_palette_entry(service, db_url):
    app = make_app(Settings(database_url=db_url, user="tester", start_kernel=False), service=service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Statistics" in commands
        app.action_stats()
        await settle(app, pilot)
        screen = app.screen
        heatmap = screen.query_one("#heatmap")
        heatmap.focus()
        await pilot.press("left", "up")  # a week and a day earlier
        await pilot.pause()
        day = screen.shown.today_date - timedelta(days=8)
        assert heatmap.cursor == day
        assert f"{day:%a %d %b %Y}: {screen.shown.heatmap.get(day, 0)} review" in text_of(screen, "#heatmap-day")
        # Every glyph stands for a range the legend spells out in numbers.
        legend = text_of(screen, "#heatmap-legend")
        assert legend.startswith("· 0") and "reviews per day" in legend


async def test_the_header_names_the_study_day_the_figures_count_in(db_url):
    """At 02:20 with days starting at 04:00 it is still Monday's study day:
    the header says so, as the forecast counts."""
    from datetime import UTC, datetime

    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    now = datetime(2026, 12, 1, 2, 20, tzinfo=UTC)  # a Tuesday, before 04:00
    service = Service(make_engine(db_url), "tester", clock=lambda: now, tz=UTC)
    app = make_app(Settings(database_url=db_url, user="tester", start_kernel=False), service=service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        title = text_of(app.screen, "#stats-title")
        assert "study day Mon 30 Nov 2026 (days start at 04:00)" in title and "now 02:20 UTC" in title
        assert text_of(app.screen, "#forecast-numbers").lstrip().startswith("Today")
