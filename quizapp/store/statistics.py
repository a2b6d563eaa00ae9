"""One learner's statistics: today, the streak, the forecast, the calendar
heatmap, true retention, accuracy of generated questions, and FSRS
retrievability. No textual, no torch.

Study days
    Every per-day figure is keyed by the learner's *study day*: the local date
    (in the learner's time zone) of the moment ``day_start_hour`` hours
    earlier, so with the default 04:00 a review at 02:00 belongs to the day
    before (quizapp.study_days).

Speed
    The figures are SQL aggregates: nothing loads a review row into a Python
    object. The study day of a timestamp is computed in SQL: the time zone's
    UTC offset is constant between two DST changes, so ``sql_study_day``
    turns a time range into a few such segments and picks each row's offset
    with a CASE on its timestamp, then lets SQLite's ``date()`` apply offset
    and day-start hour. Only retrievability is computed in Python, from one
    (stability, last review) pair per card.

Every function taking ``session`` only reads, and takes it as a keyword.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Integer, Row, SQLColumnExpression, String, case, func, literal
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from quizapp.domain import MATURE_DAYS, MemoryState
from quizapp.store import queries
from quizapp.store.models import Card, CardState, ReviewLog
from quizapp.study_days import StudyDays, next_day_start

#: Days of forecast: today (with everything overdue) and the next 29.
FORECAST_DAYS = 30
#: Days of the calendar heatmap: today and the 364 before it.
HEATMAP_DAYS = 365
#: Windows of true retention, in study days ending today.
RETENTION_WINDOWS: dict[str, int] = {"today": 1, "7d": 7, "30d": 30, "365d": 365}
#: Retrievability histogram: buckets of 10 %.
RETRIEVABILITY_BUCKETS = 10


# -- study days ---------------------------------------------------------------


def sql_study_day(
    days: StudyDays, column: SQLColumnExpression[datetime | None], start: datetime, end: datetime
) -> ColumnElement[str]:
    """SQL expression: the study day ('YYYY-MM-DD') of a UTC timestamp
    column, exact for values in [start, end] (DST changes included)."""
    segments = days.offset_segments(start, end)

    def modifier(offset: int) -> str:
        return f"{offset - days.hour * 3600:+d} seconds"

    shift: ColumnElement[str]
    if len(segments) == 1:
        shift = literal(modifier(segments[0][1]))
    else:
        shift = case(
            *[(column < segments[i + 1][0], modifier(segments[i][1])) for i in range(len(segments) - 1)],
            else_=modifier(segments[-1][1]),
        )
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff'. Cut to the second first:
    # SQLite rounds fractions to milliseconds, which could carry
    # 03:59:59.9996 over a day boundary. Day boundaries fall on whole seconds.
    return func.date(func.substr(column, 1, 19), shift, type_=String)


# -- results ------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Today:
    """What the learner did during today's study day."""

    #: Answers given (every kind of review).
    reviews: int = 0
    #: New cards seen for the first time.
    new: int = 0
    #: Answers graded Again.
    again: int = 0
    #: Time spent answering, in milliseconds.
    time_ms: int = 0

    @property
    def again_rate(self) -> float | None:
        return _rate(self.again, self.reviews)

    @property
    def time_s(self) -> float:
        return round(self.time_ms / 1000, 1)


@dataclass(frozen=True)
class PassFail:
    """Counts of passed (not Again) and failed (Again) reviews."""

    passed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed

    @property
    def rate(self) -> float | None:
        """Pass rate, 0..1; None when there were no reviews."""
        return _rate(self.passed, self.total)

    def __add__(self, other: PassFail) -> PassFail:
        return PassFail(self.passed + other.passed, self.failed + other.failed)

    def to_json(self) -> dict:
        return {"pass": self.passed, "fail": self.failed, "rate": self.rate}


@dataclass(frozen=True)
class Retention:
    """True retention over one window: young (interval < 21 d) and mature cards."""

    young: PassFail = PassFail()
    mature: PassFail = PassFail()

    @property
    def total(self) -> PassFail:
        return self.young + self.mature

    def to_json(self) -> dict:
        return {"young": self.young.to_json(), "mature": self.mature.to_json(), "total": self.total.to_json()}


@dataclass(frozen=True)
class FamilyAccuracy:
    """Generated questions of one family: how often the learner was right,
    and which misconceptions the wrong answers matched."""

    family: str
    reviews: int
    #: Answers graded better than Again.
    correct: int
    #: Misconception key -> wrong answers that matched it, most frequent first.
    mistakes: dict[str, int] = field(default_factory=dict)

    @property
    def accuracy(self) -> float | None:
        return _rate(self.correct, self.reviews)


@dataclass(frozen=True)
class RetrievabilityStats:
    """FSRS retrievability now of every active card the learner has studied."""

    #: Cards with 0-10 %, 10-20 %, ... 90-100 % (100 % included in the last).
    buckets: tuple[int, ...] = (0,) * RETRIEVABILITY_BUCKETS
    #: Sum of the retrievabilities: cards expected to be recalled now.
    expected_remembered: float = 0.0

    @property
    def cards(self) -> int:
        return sum(self.buckets)

    @property
    def mean(self) -> float | None:
        return round(self.expected_remembered / self.cards, 4) if self.cards else None

    def to_json(self) -> dict:
        return {
            "buckets": list(self.buckets),
            "bucket_percent": [[10 * i, 10 * (i + 1)] for i in range(RETRIEVABILITY_BUCKETS)],
            "cards": self.cards,
            "mean": self.mean,
            "expected_remembered": round(self.expected_remembered, 1),
        }


@dataclass(frozen=True)
class Statistics:
    """Everything the statistics screen shows and ``stats --json`` prints."""

    user: str
    #: When the figures were computed (aware UTC).
    now: datetime
    #: Today's study day.
    today_date: date
    day_start_hour: int
    time_zone: str
    today: Today
    due_now: int
    due_tomorrow: int
    streak_days: int
    #: Cards due on each of today (overdue included) and the next 29 days.
    forecast: tuple[int, ...]
    #: Study day -> reviews, for days of the past 365 with at least one review.
    heatmap: dict[date, int]
    #: Window name (RETENTION_WINDOWS) -> true retention.
    true_retention: dict[str, Retention] = field(default_factory=dict)
    families: dict[str, FamilyAccuracy] = field(default_factory=dict)
    retrievability: RetrievabilityStats = RetrievabilityStats()
    #: family -> mistake key -> the misconception in words (English).
    mistake_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: family -> its title (English).
    family_titles: dict[str, str] = field(default_factory=dict)
    #: Blocks not computed yet (PENDING_BLOCKS names), in the partial figures
    #: ``compute_statistics`` hands to its ``progress`` callback; empty when complete.
    pending: frozenset[str] = frozenset()

    def to_json(self) -> dict:
        """The fields of ``quizapp stats --json`` (the first seven are the
        original contract; the rest were added, never renamed)."""
        if self.pending:
            raise ValueError(f"statistics still computing: {sorted(self.pending)}")
        return {
            "user": self.user,
            "reviews_today": self.today.reviews,
            "new_today": self.today.new,
            "due_now": self.due_now,
            "due_tomorrow": self.due_tomorrow,
            "streak_days": self.streak_days,
            "time_today_s": self.today.time_s,
            "again_today": self.today.again,
            "again_rate_today": self.today.again_rate,
            "today": self.today_date.isoformat(),
            "generated_at": self.now.astimezone(UTC).isoformat(),
            "time_zone": self.time_zone,
            "day_start_hour": self.day_start_hour,
            "forecast": list(self.forecast),
            "heatmap": {d.isoformat(): n for d, n in sorted(self.heatmap.items())},
            "true_retention": {name: r.to_json() for name, r in self.true_retention.items()},
            "families": {
                name: {"reviews": f.reviews, "correct": f.correct, "accuracy": f.accuracy}
                for name, f in self.families.items()
            },
            "mistakes": {name: dict(f.mistakes) for name, f in self.families.items() if f.mistakes},
            "mistake_labels": self.mistake_labels,
            "retrievability": self.retrievability.to_json(),
        }


# -- queries ------------------------------------------------------------------


def _rows(session: Session, stmt: Executable) -> Sequence[Row[*tuple[Any, ...]]]:
    """Plain tuples from a core statement (skips the ORM's row loading, which
    costs more than the query itself for 50,000 rows)."""
    return session.connection().execute(stmt).all()


def _active_card(card_id_column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL condition: the card is still active. Written as "not among the
    inactive ones" (few, read once) rather than a join: that saves a lookup
    in the card table per row."""
    return card_id_column.not_in(select(Card.id).where(Card.active == False))  # noqa: E712


def today_figures(*, session: Session, user_id: int, since: datetime) -> Today:
    """Reviews since ``since`` (today's start): count, new cards, Again, time."""
    stmt = select(
        func.count(col(ReviewLog.id)),
        func.count(func.distinct(case((col(ReviewLog.state_before) == MemoryState.NEW, ReviewLog.card_id)))),
        func.sum(case((col(ReviewLog.rating) == 1, 1), else_=0)),
        func.sum(col(ReviewLog.duration_ms)),
    ).where(ReviewLog.user_id == user_id, ReviewLog.reviewed_at >= since)
    ((reviews, new, again, time_ms),) = _rows(session, stmt)
    return Today(int(reviews or 0), int(new or 0), int(again or 0), int(time_ms or 0))


def reviews_per_day(*, session: Session, user_id: int, days: StudyDays, first: date, last: date) -> dict[date, int]:
    """Study day -> reviews, for the days in [first, last] that have any."""
    start, end = days.start_of(first), days.start_of(last + timedelta(days=1))
    day = sql_study_day(days, col(ReviewLog.reviewed_at), start, end)
    stmt = (
        select(day, func.count())
        .where(ReviewLog.user_id == user_id, ReviewLog.reviewed_at >= start, ReviewLog.reviewed_at < end)
        .group_by(day)
    )
    return {date.fromisoformat(d): int(n) for d, n in _rows(session, stmt)}


def streak(
    *,
    session: Session,
    user_id: int,
    days: StudyDays,
    today: date,
    known: Mapping[date, int] | None = None,
    known_from: date | None = None,
) -> int:
    """Consecutive study days with a review, ending today, or yesterday when
    there is none yet today. ``known`` (days with reviews from ``known_from``
    to today) saves a query; earlier years are read only while the streak
    reaches back that far."""
    if known is None or known_from is None:
        known_from = today - timedelta(days=HEATMAP_DAYS - 1)
        known = reviews_per_day(session=session, user_id=user_id, days=days, first=known_from, last=today)
    studied = set(known)
    day = today if today in studied else today - timedelta(days=1)
    count = 0
    while True:
        if day < known_from:  # the streak goes back further: read the year before
            earlier = known_from - timedelta(days=HEATMAP_DAYS)
            studied |= set(
                reviews_per_day(
                    session=session, user_id=user_id, days=days, first=earlier, last=known_from - timedelta(days=1)
                )
            )
            known_from = earlier
        if day not in studied:
            return count
        count += 1
        day -= timedelta(days=1)


def forecast(*, session: Session, user_id: int, days: StudyDays, today: date, n: int = FORECAST_DAYS) -> list[int]:
    """Cards due on each of ``n`` study days from today: today's entry counts
    every card due before today ends (overdue ones too). Cards as
    ``due_now``: studied (not new), not suspended, still active."""
    today_end = days.start_of(today + timedelta(days=1))
    horizon = days.start_of(today + timedelta(days=n))
    due = col(CardState.due)
    base = [
        col(CardState.user_id) == user_id,
        col(CardState.state) != MemoryState.NEW,
        col(CardState.suspended) == False,  # noqa: E712
        _active_card(col(CardState.card_id)),
    ]
    ((overdue,),) = _rows(session, select(func.count()).select_from(CardState).where(*base, due < today_end))
    day = sql_study_day(days, due, today_end, horizon)
    stmt = select(day, func.count()).select_from(CardState).where(*base, due >= today_end, due < horizon).group_by(day)
    result = [0] * n
    result[0] = int(overdue)
    for d, count in _rows(session, stmt):
        index = (date.fromisoformat(d) - today).days
        if 0 <= index < n:
            result[index] += int(count)
    return result


def true_retention(
    *, session: Session, user_id: int, days: StudyDays, today: date, windows: Mapping[str, int] = RETENTION_WINDOWS
) -> dict[str, Retention]:
    """Anki's true retention: among reviews of cards in the review state
    (not learning or relearning steps), the first of each card on each study
    day; passed unless graded Again; young when the interval before it was
    under 21 days, mature otherwise.

    The first review of a (card, day) group is picked with SQLite's bare
    columns: with a single min() aggregate, the other columns come from the
    row holding the minimum (sqlite.org/lang_select.html#bareagg). It sorts
    less than a row_number() window (measured: 25-40 % faster)."""
    longest = max(windows.values())
    start = days.start_of(today - timedelta(days=longest - 1))
    end = days.start_of(today + timedelta(days=1))
    day = sql_study_day(days, col(ReviewLog.reviewed_at), start, end).label("day")
    # sqlmodel's select() is typed for up to four columns; for more it builds this same Select.
    columns: Select[str, str, datetime, int, int] = Select(
        col(ReviewLog.card_id),
        day,
        func.min(col(ReviewLog.reviewed_at)).label("first_at"),
        case((col(ReviewLog.interval_before_days) >= MATURE_DAYS, 1), else_=0).label("mature"),
        case((col(ReviewLog.rating) > 1, 1), else_=0).label("passed"),
    )
    firsts = (
        columns.where(
            ReviewLog.user_id == user_id,
            ReviewLog.state_before == MemoryState.REVIEW,
            ReviewLog.reviewed_at >= start,
            ReviewLog.reviewed_at < end,
        )
        .group_by(col(ReviewLog.card_id), day)
        .subquery()
    )
    stmt = select(firsts.c.day, firsts.c.mature, firsts.c.passed, func.count()).group_by(
        firsts.c.day, firsts.c.mature, firsts.c.passed
    )
    per_day: dict[date, dict[tuple[int, int], int]] = {}
    for d, is_mature, is_pass, count in _rows(session, stmt):
        per_day.setdefault(date.fromisoformat(d), {})[(int(is_mature), int(is_pass))] = int(count)
    result = {}
    for name, length in windows.items():
        first = today - timedelta(days=length - 1)
        cells = [c for d, c in per_day.items() if first <= d <= today]
        result[name] = Retention(
            young=PassFail(sum(c.get((0, 1), 0) for c in cells), sum(c.get((0, 0), 0) for c in cells)),
            mature=PassFail(sum(c.get((1, 1), 0) for c in cells), sum(c.get((1, 0), 0) for c in cells)),
        )
    return result


def _scanned(column: SQLColumnExpression[int]) -> ColumnElement[int]:
    """``column + 0``: the same value, but SQLite then reads the table in
    order rather than through an index. For aggregates over most of a
    learner's history a scan is several times faster than an index lookup
    per row (measured in benchmarks/stats.py)."""
    return column + 0


def family_accuracy(*, session: Session, user_id: int) -> dict[str, FamilyAccuracy]:
    """Generated questions over the learner's whole history, per family: the
    answers, those right (graded better than Again) and the misconceptions
    the wrong ones matched."""
    family_column, mistake_column = col(ReviewLog.family), col(ReviewLog.mistake)
    of_learner = _scanned(col(ReviewLog.user_id)) == user_id
    totals = _rows(
        session,
        select(family_column, func.count(), func.sum(case((col(ReviewLog.rating) > 1, 1), else_=0)))
        .where(of_learner, family_column.is_not(None))
        .group_by(family_column),
    )
    mistakes: dict[str, dict[str, int]] = {}
    rows = _rows(
        session,
        select(family_column, mistake_column, func.count())
        .where(of_learner, family_column.is_not(None), mistake_column.is_not(None))
        .group_by(family_column, mistake_column),
    )
    for family, mistake, count in sorted(rows, key=lambda r: (r[0], -r[2], r[1])):
        mistakes.setdefault(family, {})[mistake] = int(count)
    return {
        family: FamilyAccuracy(family, int(n), int(correct or 0), mistakes.get(family, {}))
        for family, n, correct in sorted(totals, key=lambda r: r[0])
    }


def retrievability(
    *, session: Session, user_id: int, now: datetime, parameters: Iterable[float]
) -> RetrievabilityStats:
    """Each studied, active card's probability of recall now (suspended cards
    included: what is known does not depend on being scheduled), by FSRS's
    forgetting curve: R = (1 + factor * elapsed days / stability) ** -decay,
    elapsed counted in whole days as ``fsrs`` does."""
    w = tuple(parameters)
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    # Whole days since the last review, in SQL and exact to the microsecond:
    # whole seconds apart, less one when now's fraction of a second is
    # smaller than the review's (the stored text ends in '.ffffff').
    now = now.astimezone(UTC)
    stored = col(CardState.last_review)
    seconds = (
        literal(math.floor(now.timestamp()))
        - func.cast(func.strftime("%s", func.substr(stored, 1, 19)), Integer)
        - case((func.substr(stored, 21, 6) > f"{now.microsecond:06d}", 1), else_=0)
    )
    elapsed_days = func.max(seconds, 0) // 86400
    rows = _rows(
        session,
        select(col(CardState.stability), elapsed_days).where(
            _scanned(col(CardState.user_id)) == user_id,
            CardState.state != MemoryState.NEW,
            col(CardState.stability).is_not(None),
            stored.is_not(None),
            _active_card(col(CardState.card_id)),
        ),
    )
    buckets = [0] * RETRIEVABILITY_BUCKETS
    total = 0.0
    for stability, elapsed in rows:
        r = (1 + factor * elapsed / stability) ** decay if stability > 0 else 0.0
        total += r
        buckets[min(int(r * RETRIEVABILITY_BUCKETS), RETRIEVABILITY_BUCKETS - 1)] += 1
    return RetrievabilityStats(tuple(buckets), total)


# -- everything ---------------------------------------------------------------

#: ({family: {mistake key: words}}, {family: title}) for {family: [mistake keys]}.
DescribeMistakes = Callable[[Mapping[str, Iterable[str]]], tuple[dict[str, dict[str, str]], dict[str, str]]]


def _no_words(mistakes: Mapping[str, Iterable[str]]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    return {}, {}


#: The blocks computed after the quick ones, slowest last.
PENDING_BLOCKS = ("families", "retrievability", "true_retention")


def compute_statistics(
    engine: Engine,
    *,
    user_id: int,
    user_name: str,
    now: datetime,
    tz: tzinfo | None,
    day_start_hour: int,
    parameters: Iterable[float],
    describe_mistakes: DescribeMistakes | None = None,
    progress: Callable[[Statistics], None] | None = None,
) -> Statistics:
    """Every figure for one learner at ``now``, read in one session.

    The quick figures come first (today, due counts, streak, heatmap,
    forecast: tens of milliseconds on a large collection); ``progress``, if
    given, receives them, and again after each slower block, as Statistics
    whose ``pending`` names what is still to come. True retention, which
    groups a year of reviews by card and day, comes last.
    ``describe_mistakes`` puts the families' misconceptions and titles into
    words (the question families know them; this module doesn't).
    """
    days = StudyDays(tz, day_start_hour)
    today = days.day_of(now)
    # Today's bounds exactly as Service.day_bounds has them.
    start, end = days.bounds(now)
    tomorrow_end = next_day_start(end + timedelta(hours=1), day_start_hour, tz)
    heatmap_from = today - timedelta(days=HEATMAP_DAYS - 1)
    with Session(engine) as session:
        heatmap = reviews_per_day(session=session, user_id=user_id, days=days, first=heatmap_from, last=today)
        stats = Statistics(
            user=user_name,
            now=now,
            today_date=today,
            day_start_hour=day_start_hour,
            time_zone=days.tz_name(),
            today=today_figures(session=session, user_id=user_id, since=start),
            due_now=queries.due_between(session=session, user_id=user_id, start=None, end=now, include_end=True),
            due_tomorrow=queries.due_between(session=session, user_id=user_id, start=end, end=tomorrow_end),
            streak_days=streak(
                session=session, user_id=user_id, days=days, today=today, known=heatmap, known_from=heatmap_from
            ),
            forecast=tuple(forecast(session=session, user_id=user_id, days=days, today=today)),
            heatmap=heatmap,
            pending=frozenset(PENDING_BLOCKS),
        )
        if progress is not None:
            progress(stats)
        families = family_accuracy(session=session, user_id=user_id)
        labels, titles = (describe_mistakes or _no_words)({name: list(f.mistakes) for name, f in families.items()})
        stats = replace(
            stats,
            families=families,
            mistake_labels=labels,
            family_titles=titles,
            retrievability=retrievability(session=session, user_id=user_id, now=now, parameters=parameters),
            pending=frozenset({"true_retention"}),
        )
        if progress is not None:
            progress(stats)
        retention = true_retention(session=session, user_id=user_id, days=days, today=today)
    return replace(stats, true_retention=retention, pending=frozenset())


__all__ = [
    "FORECAST_DAYS",
    "HEATMAP_DAYS",
    "MATURE_DAYS",
    "PENDING_BLOCKS",
    "RETENTION_WINDOWS",
    "FamilyAccuracy",
    "PassFail",
    "Retention",
    "RetrievabilityStats",
    "Statistics",
    "Today",
    "compute_statistics",
]
