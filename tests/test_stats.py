"""Statistics (quizapp.store.statistics) against plain-Python recomputations from the raw
rows: synthetic histories of several hundred days, written straight into the
database, in time zones with and without DST."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from quizapp.domain import CardKind, MemoryState
from quizapp.scheduling import Memory
from quizapp.store.models import Card, CardState, Deck, ReviewLog
from quizapp.study_days import StudyDays, day_start, next_day_start

MEXICO = ZoneInfo("America/Mexico_City")  # UTC-6, no DST since 2022
MADRID = ZoneInfo("Europe/Madrid")  # DST: 2025-03-30, 2025-10-26 (01:00 UTC)
NEW_YORK = ZoneInfo("America/New_York")  # DST: 2025-03-09, 2025-11-02
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST change
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30


# -- building histories -------------------------------------------------------


def add_cards(engine, n: int, *, inactive: set[int] = frozenset(), prefix: str = "t") -> list[str]:
    ids = [f"{prefix}:{i}" for i in range(n)]
    with Session(engine) as session:
        deck = Deck(name=f"Deck {prefix}")
        session.add(deck)
        session.flush()
        for i, card_id in enumerate(ids):
            session.add(
                Card(
                    id=card_id,
                    deck_id=deck.id,
                    kind=CardKind.BASIC,
                    front=card_id,
                    position=i,
                    active=i not in inactive,
                )
            )
        session.commit()
    return ids


def add_logs(engine, logs: list[dict]) -> None:
    with Session(engine) as session:
        session.add_all(ReviewLog(**row) for row in logs)
        session.commit()


def add_states(engine, states: list[dict]) -> None:
    with Session(engine) as session:
        session.add_all(CardState(**row) for row in states)
        session.commit()


def log(
    user_id: int,
    card_id: str,
    at: datetime,
    rating: int = 3,
    *,
    state: int = MemoryState.REVIEW,
    interval: float = 5.0,
    duration_ms: int = 1000,
    family: str | None = None,
    mistake: str | None = None,
) -> dict:
    return dict(
        user_id=user_id,
        card_id=card_id,
        reviewed_at=at,
        rating=rating,
        state_before=int(state),
        interval_before_days=interval,
        duration_ms=duration_ms,
        family=family,
        mistake=mistake,
    )


def local(tz, y, m, d, hh=12, mm=0, ss=0, us=0, fold=0) -> datetime:
    """A wall-clock moment in ``tz``, as aware UTC."""
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=tz, fold=fold).astimezone(UTC)


# -- the reference: plain Python over the raw rows ------------------------------


def study_day(t: datetime, tz, hour: int = 4) -> date:
    """The study day of ``t``, as the scheduler defines it."""
    return day_start(t, hour, tz).astimezone(tz).date()


def expected(
    rows: list[dict], states: list[dict], inactive: set[str], *, user_id: int, now: datetime, tz, scheduler
) -> dict:
    """Every figure, recomputed from the rows without SQL."""
    mine = [r for r in rows if r["user_id"] == user_id]
    today = study_day(now, tz)
    start, end = day_start(now, 4, tz), next_day_start(now, 4, tz)
    tomorrow_end = next_day_start(end + timedelta(hours=1), 4, tz)
    todays = [r for r in mine if r["reviewed_at"] >= start]
    days = Counter(study_day(r["reviewed_at"], tz) for r in mine)
    heatmap = {d.isoformat(): n for d, n in sorted(days.items()) if today - timedelta(days=364) <= d <= today}
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)

    scheduled = [
        s
        for s in states
        if s["user_id"] == user_id
        and s["state"] != MemoryState.NEW
        and not s["suspended"]
        and s["card_id"] not in inactive
    ]
    forecast = [0] * 30
    for s in scheduled:
        index = 0 if s["due"] < end else (study_day(s["due"], tz) - today).days
        if index < 30:
            forecast[index] += 1

    firsts: dict[tuple[str, date], dict] = {}
    for r in sorted(mine, key=lambda r: (r["reviewed_at"], r["_order"])):
        if r["state_before"] == MemoryState.REVIEW:
            firsts.setdefault((r["card_id"], study_day(r["reviewed_at"], tz)), r)
    retention = {}
    for name, length in {"today": 1, "7d": 7, "30d": 30, "365d": 365}.items():
        cell = {k: {"pass": 0, "fail": 0} for k in ("young", "mature", "total")}
        for (_, d), r in firsts.items():
            if today - timedelta(days=length - 1) <= d <= today:
                outcome = "pass" if r["rating"] > 1 else "fail"
                cell["mature" if r["interval_before_days"] >= 21 else "young"][outcome] += 1
                cell["total"][outcome] += 1
        for counts in cell.values():
            n = counts["pass"] + counts["fail"]
            counts["rate"] = round(counts["pass"] / n, 4) if n else None
        retention[name] = cell

    families: dict[str, dict] = {}
    mistakes: dict[str, Counter] = {}
    for r in mine:
        if r["family"] is None:
            continue
        f = families.setdefault(r["family"], {"reviews": 0, "correct": 0})
        f["reviews"] += 1
        f["correct"] += r["rating"] > 1
        if r["mistake"] is not None:
            mistakes.setdefault(r["family"], Counter())[r["mistake"]] += 1
    for f in families.values():
        f["accuracy"] = round(f["correct"] / f["reviews"], 4)

    buckets = [0] * 10
    remembered = 0.0
    for s in states:
        if s["user_id"] != user_id or s["state"] == MemoryState.NEW or s["card_id"] in inactive:
            continue
        r = scheduler.retrievability(
            Memory(
                state=MemoryState(s["state"]),
                stability=s["stability"],
                difficulty=5.0,
                due=s["due"],
                last_review=s["last_review"],
            ),
            now,
        )
        remembered += r
        buckets[min(int(r * 10), 9)] += 1

    return {
        "reviews_today": len(todays),
        "new_today": len({r["card_id"] for r in todays if r["state_before"] == MemoryState.NEW}),
        "due_now": sum(1 for s in scheduled if s["due"] <= now),
        "due_tomorrow": sum(1 for s in scheduled if end <= s["due"] < tomorrow_end),
        "streak_days": streak,
        "time_today_s": round(sum(r["duration_ms"] for r in todays) / 1000, 1),
        "again_rate_today": round(sum(r["rating"] == 1 for r in todays) / len(todays), 4) if todays else None,
        "forecast": forecast,
        "heatmap": heatmap,
        "true_retention": retention,
        "families": families,
        "mistakes": {f: dict(c) for f, c in mistakes.items()},
        "buckets": buckets,
        "expected_remembered": round(remembered, 1),
    }


def random_history(
    rng: random.Random, *, user_id: int, other_id: int, cards: list[str], now: datetime, tz, days: int = 420
) -> list[dict]:
    """Reviews over ``days`` days: many at the edges of the study day, on DST
    change days, several of one card on one day, another learner's too."""
    rows: list[dict] = []
    families = {"broadcasting": ["aligned_left", "left_shape"], "matmul": ["wrong_inner"], "promotion": []}

    seen: set[tuple[int, str, datetime]] = set()

    def add(at: datetime, card: str, **kw) -> None:
        key = (kw.get("user_id", user_id), card, at)
        if at > now or key in seen:  # nobody answers one card twice in the same microsecond
            return
        seen.add(key)
        family = rng.choice([None, None, *families]) if "family" not in kw else kw.pop("family")
        rating = kw.pop("rating", rng.choices([1, 2, 3, 4], weights=[2, 1, 6, 1])[0])
        mistake = rng.choice(families[family] + [None]) if family and rating == 1 and families[family] else None
        rows.append(
            dict(
                user_id=kw.pop("user_id", user_id),
                card_id=card,
                reviewed_at=at,
                rating=rating,
                state_before=kw.pop("state", rng.choices([0, 1, 2, 3], weights=[1, 1, 6, 1])[0]),
                interval_before_days=kw.pop("interval", rng.choice([0.0, 1.0, 3.5, 20.0, 20.99, 21.0, 21.01, 60.0])),
                duration_ms=rng.randrange(500, 30000),
                family=family,
                mistake=mistake,
            )
        )

    local_now = now.astimezone(tz)
    walls = [time(3, 59, 59, 999_999), time(4, 0), time(4, 0, 0, 1), time(2, 0), time(0, 30), time(23, 59, 59)]
    for _ in range(2500):
        d = (local_now - timedelta(days=rng.randrange(days))).date()
        wall = (
            rng.choice(walls)
            if rng.random() < 0.4
            else time(rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.randrange(10**6))
        )
        at = datetime.combine(d, wall).replace(tzinfo=tz, fold=rng.randrange(2)).astimezone(UTC)
        card = rng.choice(cards)
        add(at, card)
        if rng.random() < 0.2:  # the same card again later: same study day or not
            add(at + timedelta(minutes=rng.choice([1, 10, 90, 600])), card, state=MemoryState.REVIEW)
    # Around each UTC-offset change in the window, to the second.
    segments = StudyDays(tz, 4).offset_segments(now - timedelta(days=days), now)
    for change, _ in segments[1:]:
        for delta in (-3601, -1, 0, 1, 1800, 3600, 3 * 3600, 5 * 3600):
            add(change + timedelta(seconds=delta), rng.choice(cards), state=MemoryState.REVIEW)
    # A streak of the last 30 days, ending today.
    for back in range(30):
        add(local(tz, *(local_now - timedelta(days=back)).timetuple()[:3], 12), rng.choice(cards))
    # Another learner's reviews: never counted.
    for _ in range(200):
        add(now - timedelta(hours=rng.randrange(24 * days)), rng.choice(cards), user_id=other_id)
    for i, row in enumerate(rows):
        row["_order"] = i  # insertion order = id order: the tie-break of equal times
    return rows


def random_states(rng: random.Random, *, user_id: int, cards: list[str], now: datetime, tz) -> list[dict]:
    days = StudyDays(tz, 4)
    today = days.day_of(now)
    states = []
    for card in cards:
        roll = rng.random()
        if roll < 0.3:  # due exactly when a study day starts, or just before
            due = days.start_of(today + timedelta(days=rng.randrange(-2, 32))) - timedelta(
                microseconds=rng.choice([0, 1])
            )
        else:
            due = now + timedelta(hours=rng.uniform(-24 * 20, 24 * 35))
        if rng.random() < 0.2:  # reviewed a whole number of days ago, to the microsecond
            last = now - timedelta(days=rng.randrange(0, 100))
        else:
            last = now - timedelta(seconds=rng.uniform(0, 200 * 86400))
        states.append(
            dict(
                user_id=user_id,
                card_id=card,
                state=rng.choices([0, 1, 2, 3], weights=[1, 1, 6, 1])[0],
                stability=rng.uniform(0.2, 150),
                difficulty=5.0,
                due=due,
                last_review=last,
                reps=3,
                suspended=rng.random() < 0.1,
            )
        )
    return states


# -- the cross-check ------------------------------------------------------------


@pytest.mark.parametrize("tz", [MEXICO, MADRID, NEW_YORK, LORD_HOWE, KOLKATA], ids=str)
@pytest.mark.parametrize("seed", [1, 2])
def test_every_figure_matches_a_plain_recomputation(make_service, clock, engine, tz, seed):
    rng = random.Random(seed)
    clock.now = datetime(2026, 3, 2, 15, 30, 12, 500_000, tzinfo=UTC)
    service = make_service("ana", tz=tz)
    other = make_service("bea", tz=tz)
    cards = add_cards(engine, 60, inactive={3, 17, 42})
    inactive = {cards[3], cards[17], cards[42]}
    rows = random_history(rng, user_id=service.user_id, other_id=other.user_id, cards=cards, now=clock.now, tz=tz)
    add_logs(engine, [{k: v for k, v in r.items() if k != "_order"} for r in rows])
    states = random_states(rng, user_id=service.user_id, cards=cards, now=clock.now, tz=tz)
    add_states(engine, states)

    got = service.stats()
    want = expected(rows, states, inactive, user_id=service.user_id, now=clock.now, tz=tz, scheduler=service.scheduler)
    for key in (
        "reviews_today",
        "new_today",
        "due_now",
        "due_tomorrow",
        "streak_days",
        "time_today_s",
        "again_rate_today",
        "forecast",
        "heatmap",
        "true_retention",
        "families",
        "mistakes",
    ):
        assert got[key] == want[key], key
    assert got["retrievability"]["buckets"] == want["buckets"]
    assert got["retrievability"]["expected_remembered"] == want["expected_remembered"]
    assert got["streak_days"] >= 30
    assert got["forecast"][1] == got["due_tomorrow"]


# -- the rules, one by one --------------------------------------------------------


def test_original_fields_keep_their_names_and_order(make_service):
    stats = make_service().stats()
    assert list(stats)[:7] == [
        "user",
        "reviews_today",
        "new_today",
        "due_now",
        "due_tomorrow",
        "streak_days",
        "time_today_s",
    ]
    for key in ("forecast", "heatmap", "true_retention", "families", "mistakes", "again_rate_today", "retrievability"):
        assert key in stats
    assert stats["forecast"] == [0] * 30 and stats["heatmap"] == {} and stats["again_rate_today"] is None
    assert stats["true_retention"]["7d"] == {
        "young": {"pass": 0, "fail": 0, "rate": None},
        "mature": {"pass": 0, "fail": 0, "rate": None},
        "total": {"pass": 0, "fail": 0, "rate": None},
    }
    assert stats["retrievability"]["buckets"] == [0] * 10
    assert stats["retrievability"]["expected_remembered"] == 0.0


def test_a_review_at_two_in_the_morning_belongs_to_the_day_before(make_service, clock, engine):
    service = make_service(tz=MEXICO)
    (card,) = add_cards(engine, 1)
    add_logs(
        engine,
        [
            log(service.user_id, card, local(MEXICO, 2026, 3, 2, 2, 0), rating=1),  # Monday 02:00: Sunday's
            log(service.user_id, card, local(MEXICO, 2026, 3, 2, 3, 59, 59, 999_999)),  # still Sunday's
            log(service.user_id, card, local(MEXICO, 2026, 3, 2, 4, 0)),  # Monday's
        ],
    )
    clock.now = local(MEXICO, 2026, 3, 2, 10, 0)
    stats = service.stats()
    assert stats["heatmap"] == {"2026-03-01": 2, "2026-03-02": 1}
    assert stats["reviews_today"] == 1 and stats["again_rate_today"] == 0.0
    assert stats["today"] == "2026-03-02" and stats["time_zone"] == "America/Mexico_City"
    clock.now = local(MEXICO, 2026, 3, 3, 3, 0)  # Tuesday 03:00 is still Monday
    assert service.stats()["reviews_today"] == 1
    assert service.stats()["streak_days"] == 2


def test_dst_change_days(make_service, clock, engine):
    """Madrid: 2025-03-30 02:00 -> 03:00 and 2025-10-26 03:00 -> 02:00."""
    service = make_service(tz=MADRID)
    (card,) = add_cards(engine, 1)
    moments = [
        local(MADRID, 2025, 3, 30, 3, 59, 59),  # a 23-hour day: still the 29th's
        local(MADRID, 2025, 3, 30, 4, 0),  # 02:00 UTC: the 30th's
        local(MADRID, 2025, 10, 26, 2, 30, fold=0),  # 00:30 UTC: still the 25th's
        local(MADRID, 2025, 10, 26, 2, 30, fold=1),  # 01:30 UTC: the clock went back; still the 25th's
        local(MADRID, 2025, 10, 26, 3, 59, 59),  # 02:59:59 UTC: the 25th's (a 25-hour day)
        local(MADRID, 2025, 10, 26, 4, 0),  # 03:00 UTC: the 26th's
    ]
    add_logs(engine, [log(service.user_id, card, at) for at in moments])
    clock.now = local(MADRID, 2026, 3, 2, 12)
    assert service.stats()["heatmap"] == {"2025-03-29": 1, "2025-03-30": 1, "2025-10-25": 3, "2025-10-26": 1}


def test_day_boundaries_to_the_microsecond_and_other_hours(make_service, clock, engine):
    from quizapp.scheduling import SchedulingConfig

    service = make_service(tz=KOLKATA, config=SchedulingConfig(day_start_hour=0))
    (card,) = add_cards(engine, 1)
    add_logs(
        engine,
        [
            log(service.user_id, card, local(KOLKATA, 2026, 3, 1, 23, 59, 59, 999_999)),
            log(service.user_id, card, local(KOLKATA, 2026, 3, 2, 0, 0)),
        ],
    )
    clock.now = local(KOLKATA, 2026, 3, 2, 9)
    stats = service.stats()
    assert stats["heatmap"] == {"2026-03-01": 1, "2026-03-02": 1}
    assert stats["day_start_hour"] == 0


def test_offset_segments_find_each_change_to_the_second():
    days = StudyDays(NEW_YORK, 4)
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    segments = days.offset_segments(start, end)
    assert [(t.isoformat(), off) for t, off in segments] == [
        ("2025-01-01T00:00:00+00:00", -5 * 3600),
        ("2025-03-09T07:00:00+00:00", -4 * 3600),
        ("2025-11-02T06:00:00+00:00", -5 * 3600),
    ]
    assert StudyDays(UTC, 4).offset_segments(start, end)[1:] == []


def test_true_retention_counts_the_first_review_state_review_of_each_card_and_day(make_service, clock, engine):
    service = make_service()
    a, b, c = add_cards(engine, 3)
    u = service.user_id
    clock.now = datetime(2026, 3, 2, 20, tzinfo=UTC)
    at = datetime(2026, 3, 2, 8, tzinfo=UTC)
    add_logs(
        engine,
        [
            log(u, a, at, rating=1, interval=20.99),  # young, failed: counts
            log(u, a, at + timedelta(hours=1), rating=3, state=MemoryState.RELEARNING),  # a step: never counts
            log(u, a, at + timedelta(hours=2), rating=3, interval=1.0),  # second of the day: ignored
            log(u, b, at, rating=2, interval=21.0),  # mature (21 days), Hard passes
            log(u, b, at - timedelta(hours=5), rating=4, interval=30.0),  # 03:00 UTC: yesterday's, mature pass
            log(u, c, at, rating=3, state=MemoryState.LEARNING, interval=0.0),  # learning: never counts
            log(u, c, at + timedelta(minutes=5), rating=3, state=MemoryState.NEW),  # new: never counts
            log(u, c, at - timedelta(days=10), rating=1, interval=100.0),  # in 30d, not in 7d
            log(u, c, at - timedelta(days=400), rating=3, interval=100.0),  # older than a year
        ],
    )
    r = service.stats()["true_retention"]
    assert r["today"]["young"] == {"pass": 0, "fail": 1, "rate": 0.0}
    assert r["today"]["mature"] == {"pass": 1, "fail": 0, "rate": 1.0}
    assert r["7d"]["mature"] == {"pass": 2, "fail": 0, "rate": 1.0}
    assert r["30d"]["mature"] == {"pass": 2, "fail": 1, "rate": 0.6667}
    assert r["365d"]["mature"] == r["30d"]["mature"] and r["365d"]["young"] == r["today"]["young"]
    assert r["365d"]["total"] == {"pass": 2, "fail": 2, "rate": 0.5}


def test_forecast_buckets(make_service, clock, engine):
    service = make_service(tz=NEW_YORK)
    clock.now = local(NEW_YORK, 2026, 3, 2, 10)
    days = StudyDays(NEW_YORK, 4)
    today = days.day_of(clock.now)
    cards = add_cards(engine, 10, inactive={8})
    end = days.start_of(today + timedelta(days=1))
    u = service.user_id

    def state(card, due, **kw):
        row = dict(
            user_id=u,
            card_id=card,
            state=MemoryState.REVIEW,
            stability=10.0,
            difficulty=5.0,
            due=due,
            last_review=clock.now - timedelta(days=3),
        )
        row.update(kw)
        return row

    add_states(
        engine,
        [
            state(cards[0], clock.now - timedelta(days=40)),  # overdue: today
            state(cards[1], end - timedelta(microseconds=1)),  # later today
            state(cards[2], end),  # tomorrow's first moment
            state(cards[3], days.start_of(today + timedelta(days=8))),  # after the DST change of 8 March
            state(cards[4], days.start_of(today + timedelta(days=8)) - timedelta(seconds=1)),
            state(cards[5], days.start_of(today + timedelta(days=30))),  # beyond the 30 days
            state(cards[6], end, suspended=True),  # suspended: not scheduled
            state(cards[7], end, state=MemoryState.NEW),  # new: not scheduled
            state(cards[8], end),  # inactive card
            state(cards[9], end + timedelta(hours=3), state=MemoryState.LEARNING),  # learning counts
        ],
    )
    stats = service.stats()
    want = [0] * 30
    want[0], want[1], want[7], want[8] = 2, 2, 1, 1
    assert stats["forecast"] == want
    assert stats["due_now"] == 1 and stats["due_tomorrow"] == 2


def test_streak_rules(make_service, clock, engine):
    service = make_service()
    (card,) = add_cards(engine, 1)
    clock.now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    # 400 consecutive days ending yesterday (longer than the heatmap's year),
    # then a gap, then 5 more days.
    days = [clock.now - timedelta(days=n) for n in range(1, 401)] + [
        clock.now - timedelta(days=n) for n in range(402, 407)
    ]
    add_logs(engine, [log(service.user_id, card, at) for at in days])
    assert service.stats()["streak_days"] == 400  # none yet today: counted to yesterday
    add_logs(engine, [log(service.user_id, card, clock.now - timedelta(hours=1))])
    assert service.stats()["streak_days"] == 401
    clock.now += timedelta(days=2)  # nothing today nor yesterday
    assert service.stats()["streak_days"] == 0


def test_family_accuracy_and_mistakes_with_labels(make_service, clock, engine):
    service = make_service()
    cards = add_cards(engine, 2)
    u, at = service.user_id, clock.now - timedelta(hours=1)
    add_logs(
        engine,
        [
            log(u, cards[0], at, 3, family="broadcasting"),
            log(u, cards[0], at, 1, family="broadcasting", mistake="aligned_left"),
            log(u, cards[0], at, 1, family="broadcasting", mistake="aligned_left"),
            log(u, cards[0], at, 1, family="broadcasting", mistake="left_shape"),
            log(u, cards[0], at, 1, family="broadcasting"),  # wrong, matching no misconception
            log(u, cards[1], at, 2, family="matmul"),  # Hard is right
            log(u, cards[1], at, 4),  # a flashcard: no family
        ],
    )
    stats = service.stats()
    assert stats["families"] == {
        "broadcasting": {"reviews": 5, "correct": 1, "accuracy": 0.2},
        "matmul": {"reviews": 1, "correct": 1, "accuracy": 1.0},
    }
    assert stats["mistakes"] == {"broadcasting": {"aligned_left": 2, "left_shape": 1}}
    assert list(stats["mistakes"]["broadcasting"]) == ["aligned_left", "left_shape"]  # most frequent first
    assert stats["mistake_labels"]["broadcasting"]["aligned_left"] == "aligning dimensions from the left"
    statistics = service.statistics()
    assert statistics.family_titles["broadcasting"] == "Broadcasting: result shape"


def test_retrievability_matches_fsrs_card_by_card(make_service, clock, engine):
    service = make_service()
    cards = add_cards(engine, 5, inactive={4})
    now = clock.now
    add_states(
        engine,
        [
            dict(
                user_id=service.user_id,
                card_id=cards[0],
                state=MemoryState.REVIEW,
                stability=10.0,
                difficulty=5.0,
                due=now,
                last_review=now,
            ),  # just reviewed: 100 %
            dict(
                user_id=service.user_id,
                card_id=cards[1],
                state=MemoryState.REVIEW,
                stability=10.0,
                difficulty=5.0,
                due=now,
                last_review=now - timedelta(days=10),
            ),  # one stability ago: 90 %
            dict(
                user_id=service.user_id,
                card_id=cards[2],
                state=MemoryState.REVIEW,
                stability=1.0,
                difficulty=5.0,
                due=now,
                last_review=now - timedelta(days=2, microseconds=-1),
                suspended=True,
            ),  # 1 whole day
            dict(user_id=service.user_id, card_id=cards[3], state=MemoryState.NEW, due=None, last_review=None),
            dict(
                user_id=service.user_id,
                card_id=cards[4],
                state=MemoryState.REVIEW,
                stability=1.0,
                difficulty=5.0,
                due=now,
                last_review=now - timedelta(days=300),
            ),  # inactive
        ],
    )
    memories = [
        Memory(state=MemoryState.REVIEW, stability=10.0, difficulty=5.0, due=now, last_review=lr)
        for lr in (now, now - timedelta(days=10))
    ]
    memories.append(
        Memory(
            state=MemoryState.REVIEW,
            stability=1.0,
            difficulty=5.0,
            due=now,
            last_review=now - timedelta(days=2, microseconds=-1),
        )
    )
    values = [service.scheduler.retrievability(m, now) for m in memories]
    r = service.stats()["retrievability"]
    assert r["cards"] == 3
    assert r["expected_remembered"] == round(sum(values), 1)
    assert round(values[1], 4) == 0.9
    want = [0] * 10
    for v in values:
        want[min(int(v * 10), 9)] += 1
    assert r["buckets"] == want


def test_cli_stats_json_carries_the_new_fields(capsys, db_url):
    import json

    from quizapp.cli import main

    assert main(["--db", db_url, "--user", "ana", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["user"] == "ana" and len(stats["forecast"]) == 30
    assert set(stats["true_retention"]) == {"today", "7d", "30d", "365d"}


# -- the cache of past days (store/statistics.py) ---------------------------------


def stored_rows(engine) -> list[dict]:
    """Every review in the database, as random_history gives them."""
    from sqlmodel import col, select

    with Session(engine) as session:
        logs = session.exec(select(ReviewLog).order_by(col(ReviewLog.id))).all()
        return [
            {
                **{
                    k: getattr(r, k)
                    for k in (
                        "user_id",
                        "card_id",
                        "reviewed_at",
                        "rating",
                        "state_before",
                        "interval_before_days",
                        "duration_ms",
                        "family",
                        "mistake",
                    )
                },
                "_order": r.id,
            }
            for r in logs
        ]


COMPARED = ("reviews_today", "streak_days", "forecast", "heatmap", "true_retention", "families", "mistakes")


def test_the_cache_of_past_days_follows_every_change(make_service, clock, engine):
    from sqlmodel import col, delete, select

    from quizapp.store.models import StatsCache

    rng = random.Random(5)
    tz = MADRID
    clock.now = datetime(2026, 3, 2, 15, 30, 12, 500_000, tzinfo=UTC)
    service = make_service("ana", tz=tz)
    other = make_service("bea", tz=tz)
    cards = add_cards(engine, 40, inactive={5})
    inactive = {cards[5]}
    rows = random_history(rng, user_id=service.user_id, other_id=other.user_id, cards=cards, now=clock.now, tz=tz)
    add_logs(engine, [{k: v for k, v in r.items() if k != "_order"} for r in rows])
    states = random_states(rng, user_id=service.user_id, cards=cards, now=clock.now, tz=tz)
    add_states(engine, states)

    def agrees() -> None:
        got = service.stats()
        want = expected(
            stored_rows(engine),
            states,
            inactive,
            user_id=service.user_id,
            now=clock.now,
            tz=tz,
            scheduler=service.scheduler,
        )
        for key in COMPARED:
            assert got[key] == want[key], key

    def cached_last_day() -> str | None:
        with Session(engine) as session:
            row = session.get(StatsCache, service.user_id)
            return row.last_day if row else None

    agrees()  # computes everything and fills the cache
    yesterday = StudyDays(tz, 4).day_of(clock.now) - timedelta(days=1)
    assert cached_last_day() == yesterday.isoformat()
    agrees()  # from the cache
    # A review of a past day arrives (an import of a history), then one goes.
    past = clock.now - timedelta(days=40)
    add_logs(engine, [log(service.user_id, cards[1], past, rating=1, family="matmul", mistake="wrong_inner")])
    agrees()
    with Session(engine) as session:
        oldest = session.exec(
            select(ReviewLog).where(ReviewLog.user_id == service.user_id).order_by(col(ReviewLog.id))
        ).first()
        session.delete(oldest)
        session.commit()
    agrees()
    # The largest row goes and a new one comes (SQLite gives it the same id), same count, same id sum.
    with Session(engine) as session:
        top = session.exec(select(ReviewLog).order_by(col(ReviewLog.id).desc())).first()
        session.delete(top)
        session.commit()
    add_logs(engine, [log(service.user_id, cards[2], past + timedelta(hours=30), rating=1)])
    agrees()
    # Days pass, with reviews on them: the cache is extended.
    for _ in range(2):
        clock.advance(days=1, hours=2)
        add_logs(engine, [log(service.user_id, cards[3], clock.now - timedelta(minutes=5), rating=3)])
        agrees()
    assert cached_last_day() == (StudyDays(tz, 4).day_of(clock.now) - timedelta(days=1)).isoformat()
    # The cache is what is read: a doctored row shows (only the reviews' fingerprint guards it).
    with Session(engine) as session:
        row = session.get(StatsCache, service.user_id)
        assert row is not None
        row.days = "{}"
        session.add(row)
        session.commit()
    assert sum(service.stats()["heatmap"].values()) < sum(
        v
        for v in expected(
            stored_rows(engine),
            states,
            inactive,
            user_id=service.user_id,
            now=clock.now,
            tz=tz,
            scheduler=service.scheduler,
        )["heatmap"].values()
    )
    with Session(engine) as session:
        session.exec(delete(StatsCache))
        session.commit()
    agrees()
