"""Time the statistics on a large collection: 50,000 cards and 500,000
reviews spread over two years, in a temporary SQLite file (or any empty
database: ``--db postgresql+psycopg://...``).

    .venv/bin/python benchmarks/stats.py [--cards N] [--reviews N] [--runs N] [--keep PATH] [--card-order] [--db URL]

Prints the time to build the collection (bulk inserts with SQLAlchemy core
executemany), to compute every figure (``Service.statistics``: the first
time, which also fills the cache of past days; later opens, with the cache
valid; and with the cache emptied before each run, as after a change to an
old day; wall and CPU time, since a busy machine inflates the wall time; and
each block's CPU time, without the cache), and for the statistics screen to appear: from
``push_screen`` to the first figures shown and to all of them, driven by
Textual's ``run_test``. Reviews are stored in time order, as the app writes
them, or card by card with ``--card-order``, as an imported history is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics as pystats
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from quizapp.domain import CardKind, MemoryState
from quizapp.service import Service
from quizapp.store.engine import make_engine
from quizapp.store.models import Card, CardState, Deck, ReviewLog

#: A zone with DST, so the day computation meets offset changes.
TZ = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
DAYS = 730
DECKS = ("PyTorch::Tensores", "PyTorch::Autograd", "Vocabulario", "Generadas")


def _families() -> dict[str, list[str]]:
    """Real family names and misconception keys, so labels resolve."""
    from quizapp.questions import all_families

    return {name: sorted(family.mistakes) for name, family in all_families().items()}


def _rating(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4), weights=(10, 8, 72, 10))[0]


def _moment(rng: random.Random, day: int) -> datetime:
    """A moment on study day ``day`` (days before NOW), at a plausible local hour
    (some after midnight, before the 04:00 day start)."""
    hour = rng.choice((8, 9, 12, 13, 18, 20, 21, 22, 23, 1, 2))
    local = (NOW.astimezone(TZ) - timedelta(days=day)).replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60)
    )
    at = local.astimezone(UTC)
    return at if at <= NOW else NOW - timedelta(minutes=rng.randrange(1, 600))


def build(url: str, n_cards: int, n_reviews: int, seed: int = 1, card_order: bool = False) -> Service:
    """The collection; reviews inserted in time order, or card by card
    (``card_order``: as an imported Anki history is)."""
    rng = random.Random(seed)
    engine = make_engine(url)
    service = Service(engine, "bench", clock=lambda: NOW, tz=TZ)
    user = service.user_id
    families = _families()
    family_names = sorted(families)
    per_card = n_reviews / n_cards * 1.25  # histories stop at today: aim above
    with engine.begin() as conn:
        conn.execute(insert(Deck.__table__), [{"id": i + 1, "name": n, "description": ""} for i, n in enumerate(DECKS)])
        cards, states, logs = [], [], []
        for i in range(n_cards):
            deck = i % len(DECKS)
            family = family_names[i % len(family_names)] if deck == 3 else None
            card_id = f"bench:{i}"
            cards.append(
                dict(
                    id=card_id,
                    deck_id=deck + 1,
                    kind=CardKind.GENERATED if family else CardKind.BASIC,
                    front=f"front {i}",
                    back=f"back {i}",
                    data=json.dumps({"family": family} if family else {}),
                    tags="",
                    source="bench",
                    position=i,
                    active=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            # Each card: introduced some day, then reviewed at growing intervals.
            wanted = max(1, round(rng.gauss(per_card, per_card / 3)))
            day = rng.randrange(DAYS)
            interval = 1.0
            state = MemoryState.NEW
            last = None
            count = 0
            while count < wanted and day >= 0:
                at = _moment(rng, day)
                rating = _rating(rng)
                mistake = None
                if family and rating == 1 and families[family] and rng.random() < 0.6:
                    mistake = rng.choice(families[family])
                logs.append(
                    dict(
                        user_id=user,
                        card_id=card_id,
                        reviewed_at=at,
                        rating=rating,
                        duration_ms=rng.randrange(2000, 20000),
                        state_before=int(state),
                        interval_before_days=0.0 if state == MemoryState.NEW else interval,
                        interval_after_days=interval,
                        previous="null",
                        asked="",
                        answered="",
                        correct_answer="",
                        family=family,
                        mistake=mistake,
                    )
                )
                count += 1
                last = at
                if rating == 1 and state == MemoryState.REVIEW:
                    state, interval = MemoryState.RELEARNING, max(1.0, interval * 0.3)
                else:
                    state = MemoryState.REVIEW
                    interval = min(interval * (1.2 if rating == 2 else 1.6 if rating == 3 else 2.2), 365.0)
                day -= max(1, round(interval * rng.uniform(0.8, 1.2))) if state == MemoryState.REVIEW else 0
                if state == MemoryState.RELEARNING:
                    day -= 1  # relearned the next day, to keep the history moving
            if last is None:
                continue  # never reviewed: stays new (no state row)
            states.append(
                dict(
                    user_id=user,
                    card_id=card_id,
                    state=int(MemoryState.REVIEW),
                    step=None,
                    stability=max(interval, 0.5),
                    difficulty=rng.uniform(3, 8),
                    due=last + timedelta(days=interval),
                    last_review=last,
                    reps=count,
                    lapses=0,
                    suspended=rng.random() < 0.01,
                    leech=False,
                    buried_until=None,
                )
            )
        conn.execute(insert(Card.__table__), cards)
        conn.execute(insert(CardState.__table__), states)
        # Exactly n_reviews: the histories overshoot a little; the oldest go.
        logs.sort(key=lambda row: row["reviewed_at"])
        logs = logs[-n_reviews:]
        if card_order:  # as an import writes them; else as the app does, one answer after another
            logs.sort(key=lambda row: int(row["card_id"].split(":")[1]))
        for i in range(0, len(logs), 50_000):
            conn.execute(insert(ReviewLog.__table__), logs[i : i + 50_000])
    return service


async def time_screen(service: Service, size=(120, 60)) -> tuple[float, float]:
    """Seconds from push_screen to the first figures (today, streak, forecast,
    heatmap) and to all of them, shown on the statistics screen."""
    from quizapp.settings import Settings
    from quizapp.tui.app import QuizApp
    from quizapp.tui.screens.stats import StatsScreen

    settings = Settings(
        database_url=str(service.engine.url), user=service.user_name, start_kernel=False, sync_builtin_decks=False
    )
    app = QuizApp(settings, service)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = StatsScreen()
        start = time.perf_counter()
        app.push_screen(screen)
        # pause(0): until the screen and its widgets have handled their
        # messages (layout and refresh included). A plain pause() would also
        # wait for the CPU to go idle, that is for the worker to finish.
        while screen.partial is None:
            await asyncio.sleep(0.002)
        await pilot.pause(0)
        first = time.perf_counter() - start
        while screen.shown is None:
            await asyncio.sleep(0.002)
        await pilot.pause(0)
        return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="build the collection at this path and keep it (reused if it exists)")
    parser.add_argument(
        "--db", help="a database's URL to build in (PostgreSQL), instead of a SQLite file; reused if built already"
    )
    parser.add_argument(
        "--card-order",
        action="store_true",
        help="insert the reviews card by card (as an Anki import does), not in time order",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "stats.db")
        url = args.db or f"sqlite:///{path}"
        start = time.perf_counter()
        if _has_reviews(url):  # --keep or --db of an earlier run: built already
            service = Service(make_engine(url), "bench", clock=lambda: NOW, tz=TZ)
        else:
            service = build(url, args.cards, args.reviews, card_order=args.card_order)
        built = time.perf_counter() - start
        from sqlmodel import Session, func, select

        with Session(service.engine) as session:
            n_logs = session.exec(select(func.count()).select_from(ReviewLog)).one()
            n_cards = session.exec(select(func.count()).select_from(Card)).one()
        print(
            f"collection on {service.engine.dialect.name}: {n_cards} cards, {n_logs} reviews over {DAYS} days; "
            f"built in {built:.1f} s"
        )
        service.engine.dispose()
        service = Service(make_engine(url), "bench", clock=lambda: NOW, tz=TZ)
        cold_start, cold_cpu = time.perf_counter(), time.process_time()
        figures = service.statistics()
        cold, cold_cpu = time.perf_counter() - cold_start, time.process_time() - cold_cpu
        warm, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            service.statistics()
            warm.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        # CPU time is what an idle machine would take (the work is one thread);
        # wall time grows with whatever else the machine is running.
        print(
            f"compute statistics: first {cold * 1000:.0f} ms (CPU {cold_cpu * 1000:.0f} ms; fills the cache); "
            f"then median {pystats.median(warm) * 1000:.0f} ms (CPU {pystats.median(cpu) * 1000:.0f} ms; "
            f"wall min {min(warm) * 1000:.0f}, max {max(warm) * 1000:.0f}; {args.runs} runs); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        _time_first_figures(service, args.runs)
        uncached, uncached_cpu = [], []
        for _ in range(max(1, args.runs // 2)):
            _drop_cache(service)
            t, c = time.perf_counter(), time.process_time()
            service.statistics()
            uncached.append(time.perf_counter() - t)
            uncached_cpu.append(time.process_time() - c)
        print(
            f"compute statistics with the cache emptied first: median {pystats.median(uncached) * 1000:.0f} ms "
            f"(CPU {pystats.median(uncached_cpu) * 1000:.0f} ms; {len(uncached)} runs)"
        )
        print(
            f"  reviews in the heatmap year: {sum(figures.heatmap.values())}, streak {figures.streak_days} days, "
            f"expected remembered {figures.retrievability.expected_remembered:.0f} of {figures.retrievability.cards}"
        )
        _time_parts(service)
        runs = [asyncio.run(time_screen(service)) for _ in range(max(1, math.ceil(args.runs / 2)))]
        for label, times in (("first figures", [r[0] for r in runs]), ("all figures", [r[1] for r in runs])):
            print(
                f"statistics screen, push_screen to {label} shown: median {pystats.median(times) * 1000:.0f} ms "
                f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} runs)"
            )


def _has_reviews(url: str) -> bool:
    from sqlalchemy import func, select

    if url.startswith("sqlite:///") and not os.path.exists(url.removeprefix("sqlite:///")):
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(ReviewLog.__table__)).scalar())
    finally:
        engine.dispose()


def _drop_cache(service: Service) -> None:
    from sqlalchemy import delete

    from quizapp.store.models import StatsCache

    with service.engine.begin() as conn:
        conn.execute(delete(StatsCache))


def _time_first_figures(service: Service, runs: int) -> None:
    """Time until ``progress`` receives the quick figures (today, the
    streak, the forecast, the heatmap), with the cache valid: wall and CPU."""
    walls, cpus = [], []

    def first_figures() -> None:
        start, start_cpu = time.perf_counter(), time.process_time()
        seen: list[tuple[float, float]] = []
        service.statistics(
            progress=lambda s: seen.append((time.perf_counter() - start, time.process_time() - start_cpu))
        )
        walls.append(seen[0][0])
        cpus.append(seen[0][1])

    for _ in range(runs):
        first_figures()
    print(
        f"  first figures (progress callback): median {pystats.median(walls) * 1000:.0f} ms "
        f"(CPU {pystats.median(cpus) * 1000:.0f} ms; {runs} runs)"
    )


def _time_parts(service: Service) -> None:
    """Each block on its own, to see where the time goes."""
    from datetime import timedelta as td

    from sqlmodel import Session

    from quizapp.store import statistics as s
    from quizapp.study_days import StudyDays

    days = StudyDays(service.tz, service.config.day_start_hour)
    today = days.day_of(NOW)
    parts = {
        "today": lambda session: s.today_figures(session=session, user_id=service.user_id, since=days.start_of(today)),
        "heatmap": lambda session: s.reviews_per_day(
            session=session, user_id=service.user_id, days=days, first=today - td(days=364), last=today
        ),
        "forecast": lambda session: s.forecast(session=session, user_id=service.user_id, days=days, today=today),
        "true retention": lambda session: s.true_retention(
            session=session, user_id=service.user_id, days=days, today=today
        ),
        "families": lambda session: s.family_accuracy(session=session, user_id=service.user_id),
        "retrievability": lambda session: s.retrievability(
            session=session, user_id=service.user_id, now=NOW, parameters=service.config.parameters
        ),
    }
    with Session(service.engine) as session:
        timings = []
        for name, part in parts.items():
            t = time.process_time()
            part(session)
            timings.append(f"{name} {(time.process_time() - t) * 1000:.0f}")
    print("  by block (CPU ms): " + ", ".join(timings))


if __name__ == "__main__":
    main()
