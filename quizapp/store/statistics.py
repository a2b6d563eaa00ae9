"""One learner's statistics: today, the streak, the forecast, the calendar
heatmap, true retention, accuracy of generated questions, and FSRS
retrievability. No textual, no torch.

Study days
    Every per-day figure is keyed by the learner's *study day*: the local date
    (in the learner's time zone) of the moment ``day_start_hour`` hours
    earlier, so with the default 04:00 a review at 02:00 belongs to the day
    before (quizapp.study_days).

Speed and portability
    The figures are SQL aggregates or narrow reads, written with SQLAlchemy
    constructs that run unchanged on SQLite and PostgreSQL. The study day of
    a timestamp is found by comparing it with the days' starts, computed in
    Python (``day_index``: a binary search as nested CASEs), never with a
    database's date functions. Past days' figures are kept in a cache
    (table ``statscache``), checked against the reviews on each open (see
    "the cache of past days" below). Retrievability's power is taken in
    Python, one per card.

Every function taking ``session`` only reads, and takes it as a keyword.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Integer, Row, SQLColumnExpression, case, func, literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select

from quizapp.domain import MATURE_DAYS, MemoryState
from quizapp.store.engine import WRITE_OPTIONS
from quizapp.store.models import Card, CardState, ReviewLog, StatsCache
from quizapp.study_days import StudyDays

#: Days of forecast: today (with everything overdue) and the next 29.
FORECAST_DAYS = 30
#: Days of the calendar heatmap: today and the 364 before it.
HEATMAP_DAYS = 365
#: Windows of true retention, in study days ending today.
RETENTION_WINDOWS: dict[str, int] = {"today": 1, "7d": 7, "30d": 30, "365d": 365}
#: Retrievability histogram: buckets of 10 %.
RETRIEVABILITY_BUCKETS = 10


# -- study days ---------------------------------------------------------------


def day_boundaries(days: StudyDays, first: date, last: date) -> list[datetime]:
    """When each study day from ``first`` to ``last`` starts, and when ``last`` ends (UTC)."""
    return [days.start_of(first + timedelta(days=i)) for i in range((last - first).days + 2)]


def day_index(column: SQLColumnExpression[datetime | None], boundaries: Sequence[datetime]) -> ColumnElement[int]:
    """SQL expression: the i with ``boundaries[i] <= column < boundaries[i + 1]``,
    for values in [boundaries[0], boundaries[-1]).

    A binary search written as nested CASEs (about log2(days) comparisons a
    row): plain comparisons of timestamps, so it is exact to the microsecond
    and the same on SQLite and PostgreSQL, DST changes included (the
    boundaries are computed in Python by quizapp.study_days)."""

    def search(lo: int, hi: int) -> ColumnElement[int]:
        if hi - lo == 1:
            return literal_column(str(lo), Integer)
        mid = (lo + hi) // 2
        return case((column < boundaries[mid], search(lo, mid)), else_=search(mid, hi))

    return search(0, len(boundaries) - 1)


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
    return {d: cell[0] for d, cell in _day_cells(session, user_id, days, first, last, retention=False).items()}


def streak(
    *,
    session: Session,
    user_id: int,
    days: StudyDays,
    today: date,
    known: Mapping[date, int] | None = None,
    known_from: date | None = None,
    before: int | None = None,
) -> int:
    """Consecutive study days with a review, ending today, or yesterday when
    there is none yet today. ``known`` (days with reviews from ``known_from``
    to today) saves a query; earlier years are read only while the streak
    reaches back that far, unless ``before`` says how many consecutive days
    with reviews end the day before ``known_from``."""
    if known is None or known_from is None:
        known_from = today - timedelta(days=HEATMAP_DAYS - 1)
        known = reviews_per_day(session=session, user_id=user_id, days=days, first=known_from, last=today)
    studied = {d for d, n in known.items() if n}
    day = today if today in studied else today - timedelta(days=1)
    return _run_back(session, user_id, days, day, studied, known_from, before)


def _run_back(
    session: Session, user_id: int, days: StudyDays, day: date, studied: set[date], known_from: date, before: int | None
) -> int:
    """Consecutive study days with a review ending at ``day`` (0 if it has
    none). ``studied``: the days with reviews from ``known_from`` on;
    ``before``: the run ending the day before ``known_from``, if known (else
    earlier years are read, one at a time, while the run goes on)."""
    count = 0
    while True:
        if day < known_from:
            if before is not None:
                return count + before
            earlier = known_from - timedelta(days=HEATMAP_DAYS)
            studied = studied | set(
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
    return _due_counts(session, user_id, days, today, days.start_of(today), n)[1]


def _due_counts(
    session: Session, user_id: int, days: StudyDays, today: date, now: datetime, n: int = FORECAST_DAYS
) -> tuple[int, list[int]]:
    """(due_now, forecast) in one read: cards due by ``now`` (included), and
    due on each of ``n`` study days from today (``forecast``). Cards studied
    (not new), not suspended, still active, as queries.due_between counts."""
    due = col(CardState.due)
    # Buckets: due <= now, then the rest of today, then each next day.
    boundaries = [
        now,
        now + timedelta(microseconds=1),
        *day_boundaries(days, today + timedelta(days=1), today + timedelta(days=n - 1)),
    ]
    inner = (
        select(day_index(due, boundaries).label("bucket"))
        .where(
            col(CardState.user_id) == user_id,
            col(CardState.state) != MemoryState.NEW,
            col(CardState.suspended) == False,  # noqa: E712
            due < boundaries[-1],
            _active_card(col(CardState.card_id)),
        )
        .subquery()
    )
    counts = [0] * (len(boundaries) - 1)
    for bucket, count in _rows(session, select(inner.c.bucket, func.count()).group_by(inner.c.bucket)):
        counts[int(bucket)] = int(count)
    # Bucket 0 also holds everything before ``now`` (day_index puts what is
    # below the first boundary there).
    return counts[0], [counts[0] + counts[1], *counts[2:]]


def true_retention(
    *, session: Session, user_id: int, days: StudyDays, today: date, windows: Mapping[str, int] = RETENTION_WINDOWS
) -> dict[str, Retention]:
    """Anki's true retention: among reviews of cards in the review state
    (not learning or relearning steps), the first of each card on each study
    day; passed unless graded Again; young when the interval before it was
    under 21 days, mature otherwise. Reads the reviews of the longest window
    (compute_statistics keeps past days in a cache instead)."""
    first = today - timedelta(days=max(windows.values()) - 1)
    return _retention(_day_cells(session, user_id, days, first, today, retention=True), today, windows)


def _retention(cells: Mapping[date, Sequence[int]], today: date, windows: Mapping[str, int]) -> dict[str, Retention]:
    """The windows' true retention from per-day cells (see ``_day_cells``)."""
    result = {}
    for name, length in windows.items():
        first = today - timedelta(days=length - 1)
        chosen = [c for d, c in cells.items() if first <= d <= today]
        result[name] = Retention(
            young=PassFail(sum(c[1] for c in chosen), sum(c[2] for c in chosen)),
            mature=PassFail(sum(c[3] for c in chosen), sum(c[4] for c in chosen)),
        )
    return result


#: A day's cell: [reviews, young pass, young fail, mature pass, mature fail].
Cell = list[int]


def _day_cells(
    session: Session, user_id: int, days: StudyDays, first: date, last: date, *, retention: bool
) -> dict[date, Cell]:
    """Per study day in [first, last] with any review: the reviews, and (with
    ``retention``) the true-retention counts of the day's first review of
    each card in the review state."""
    boundaries = day_boundaries(days, first, last)
    at = col(ReviewLog.reviewed_at)
    mine: list[ColumnElement[bool]] = [col(ReviewLog.user_id) == user_id, at >= boundaries[0], at < boundaries[-1]]
    cells: dict[date, Cell] = {}

    def cell(index: int) -> Cell:
        return cells.setdefault(first + timedelta(days=int(index)), [0, 0, 0, 0, 0])

    counted = select(day_index(at, boundaries).label("day")).where(*mine).subquery()
    for index, count in _rows(session, select(counted.c.day, func.count()).group_by(counted.c.day)):
        cell(index)[0] = int(count)
    if not retention:
        return cells
    # The first review of each (card, day): row_number() over the day's
    # reviews of the card in time order (ties: the one written first).
    # (sqlmodel's select() is typed for up to four columns.)
    reviews = (
        sa_select(
            col(ReviewLog.card_id).label("card_id"),
            day_index(at, boundaries).label("day"),
            at.label("at"),
            col(ReviewLog.id).label("id"),
            case((col(ReviewLog.interval_before_days) >= MATURE_DAYS, 1), else_=0).label("mature"),
            case((col(ReviewLog.rating) > 1, 1), else_=0).label("passed"),
        )
        .where(*mine, col(ReviewLog.state_before) == MemoryState.REVIEW)
        .subquery()
    )
    numbered = select(
        reviews.c.day,
        reviews.c.mature,
        reviews.c.passed,
        func.row_number()
        .over(partition_by=(reviews.c.card_id, reviews.c.day), order_by=(reviews.c.at, reviews.c.id))
        .label("n"),
    ).subquery()
    stmt = (
        select(numbered.c.day, numbered.c.mature, numbered.c.passed, func.count())
        .where(numbered.c.n == 1)
        .group_by(numbered.c.day, numbered.c.mature, numbered.c.passed)
    )
    for index, is_mature, is_pass, count in _rows(session, stmt):
        cell(index)[1 + 2 * int(is_mature) + (0 if is_pass else 1)] = int(count)
    return cells


def _scanned(column: SQLColumnExpression[int]) -> ColumnElement[int]:
    """``column + 0``: the same value, but SQLite then reads the table in
    order rather than through an index. For aggregates over most of a
    learner's history a scan is several times faster than an index lookup
    per row (measured in benchmarks/stats.py)."""
    return column + 0


#: Per family [reviews, correct], and per family {mistake key: count}.
FamilyCounts = tuple[dict[str, list[int]], dict[str, dict[str, int]]]


def _family_counts(
    session: Session, user_id: int, *, since: datetime | None = None, until: datetime | None = None
) -> FamilyCounts:
    """Generated questions' answers per family, those right, and the
    misconceptions of the wrong ones, among the learner's reviews in
    [since, until) (None: unbounded). Over the whole history the table is
    read in order; a bounded range goes through the time index."""
    family_column, mistake_column, at = col(ReviewLog.family), col(ReviewLog.mistake), col(ReviewLog.reviewed_at)
    if since is None and until is None:
        mine: list[ColumnElement[bool]] = [_scanned(col(ReviewLog.user_id)) == user_id]
    else:
        mine = [col(ReviewLog.user_id) == user_id]
        if since is not None:
            mine.append(at >= since)
        if until is not None:
            mine.append(at < until)
    totals: dict[str, list[int]] = {}
    for family, n, correct in _rows(
        session,
        select(family_column, func.count(), func.sum(case((col(ReviewLog.rating) > 1, 1), else_=0)))
        .where(*mine, family_column.is_not(None))
        .group_by(family_column),
    ):
        totals[family] = [int(n), int(correct or 0)]
    mistakes: dict[str, dict[str, int]] = {}
    for family, mistake, count in _rows(
        session,
        select(family_column, mistake_column, func.count())
        .where(*mine, family_column.is_not(None), mistake_column.is_not(None))
        .group_by(family_column, mistake_column),
    ):
        mistakes.setdefault(family, {})[mistake] = int(count)
    return totals, mistakes


def _add_families(a: FamilyCounts, b: FamilyCounts, *, sign: int = 1) -> FamilyCounts:
    """a + b (or a - b with ``sign=-1``, for b a part of a), without the families and keys left at zero."""
    totals = {name: list(counts) for name, counts in a[0].items()}
    for name, (n, correct) in b[0].items():
        cell = totals.setdefault(name, [0, 0])
        cell[0] += sign * n
        cell[1] += sign * correct
    mistakes = {name: dict(keys) for name, keys in a[1].items()}
    for name, keys in b[1].items():
        mine = mistakes.setdefault(name, {})
        for key, count in keys.items():
            mine[key] = mine.get(key, 0) + sign * count
    return (
        {name: cell for name, cell in totals.items() if cell[0]},
        {name: kept for name, keys in mistakes.items() if (kept := {k: n for k, n in keys.items() if n})},
    )


def _family_accuracy(counts: FamilyCounts) -> dict[str, FamilyAccuracy]:
    """FamilyAccuracy per family, by name; mistakes most frequent first."""
    totals, mistakes = counts
    return {
        family: FamilyAccuracy(
            family,
            n,
            correct,
            dict(sorted(mistakes.get(family, {}).items(), key=lambda item: (-item[1], item[0]))),
        )
        for family, (n, correct) in sorted(totals.items())
    }


def family_accuracy(*, session: Session, user_id: int) -> dict[str, FamilyAccuracy]:
    """Generated questions over the learner's whole history, per family: the
    answers, those right (graded better than Again) and the misconceptions
    the wrong ones matched."""
    return _family_accuracy(_family_counts(session, user_id))


def retrievability(
    *, session: Session, user_id: int, now: datetime, parameters: Iterable[float]
) -> RetrievabilityStats:
    """Each studied, active card's probability of recall now (suspended cards
    included: what is known does not depend on being scheduled), by FSRS's
    forgetting curve: R = (1 + factor * elapsed days / stability) ** -decay,
    elapsed counted in whole days as ``fsrs`` does.

    The whole days are counted in SQL by comparing the last review with
    ``now`` less 1, 2, ... days (``day_index``), so no timestamp becomes a
    Python object."""
    w = tuple(parameters)
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    now = now.astimezone(UTC)
    stored = col(CardState.last_review)
    studied = [
        _scanned(col(CardState.user_id)) == user_id,
        col(CardState.state) != MemoryState.NEW,
        col(CardState.stability).is_not(None),
        stored.is_not(None),
        _active_card(col(CardState.card_id)),
    ]
    ((oldest,),) = _rows(session, select(func.min(stored)).where(*studied))
    buckets = [0] * RETRIEVABILITY_BUCKETS
    total = 0.0
    if oldest is None:
        return RetrievabilityStats(tuple(buckets), total)
    # (now - last).days == m  <=>  now - (m + 1) days < last <= now - m days,
    # that is  c(m + 1) <= last < c(m)  with  c(m) = now - m days + 1 us.
    span = max((now - oldest).days, 0) + 2
    tick = timedelta(microseconds=1)
    boundaries = [now - timedelta(days=span - j) + tick for j in range(span)] + [now + timedelta(days=36_500)]
    elapsed = literal_column(str(span - 1), Integer) - day_index(stored, boundaries)
    for stability, days_since in _rows(session, select(col(CardState.stability), elapsed).where(*studied)):
        r = (1 + factor * days_since / stability) ** decay if stability > 0 else 0.0
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


# -- the cache of past days ----------------------------------------------------
#
# Past study days don't change unless their reviews do, so their figures
# (each day's cell, the families' counts) are kept in ``statscache``, one row
# per learner, for the reviews before the day after its ``last_day``. The
# row is trusted only while its fingerprint matches those reviews: their
# count, the sum and largest of their ids (an index-only read on SQLite),
# and the card and time of the row with that largest id. Review rows are
# only ever added or deleted, never changed: an added row brings a new id,
# larger than any, so the sum changes even if a deletion keeps the count;
# SQLite reuses an id only when the largest row was deleted, which that
# row's card and time give away. Anything else (another zone or day-start
# hour, a clock moved back) leaves the row unused.


@dataclass(frozen=True)
class _Fingerprint:
    reviews: int
    id_sum: int
    top_id: int
    top_card: str
    top_at: datetime | None


@dataclass(frozen=True)
class _Past:
    """What the cache holds: the cells of days [first, last] and the families'
    counts over every review before the day after ``last``."""

    first: date
    last: date
    cells: dict[date, Cell]
    families: FamilyCounts
    #: Consecutive study days with reviews ending the day before ``first``.
    run_before: int


def _fingerprint(session: Session, user_id: int, before: datetime) -> _Fingerprint:
    """The learner's reviews before ``before``: see the comment above."""
    at, review_id = col(ReviewLog.reviewed_at), col(ReviewLog.id)
    mine: list[ColumnElement[bool]] = [col(ReviewLog.user_id) == user_id, at < before]
    ((count, id_sum, top),) = _rows(
        session, select(func.count(), func.sum(review_id), func.max(review_id)).where(*mine)
    )
    if top is None:
        return _Fingerprint(0, 0, 0, "", None)
    ((card, when),) = _rows(session, select(col(ReviewLog.card_id), at).where(review_id == top))
    return _Fingerprint(int(count), int(id_sum), int(top), card, when)


def _cache_key(days: StudyDays) -> str:
    return f"{days.tz_name()}|{days.hour}"


def _load_cache(session: Session, user_id: int, days: StudyDays, first: date, yesterday: date) -> _Past | None:
    """The cache, if it is for these study days, reaches back to ``first``,
    ends by ``yesterday`` and matches the reviews; else None."""
    row = session.get(StatsCache, user_id)
    if row is None or row.key != _cache_key(days) or not row.first_day:
        return None
    row_first, row_last = date.fromisoformat(row.first_day), date.fromisoformat(row.last_day)
    if row_first > first or row_last > yesterday:
        return None
    stored = _Fingerprint(row.reviews, row.id_sum, row.top_id, row.top_card, row.top_at)
    if _fingerprint(session, user_id, days.start_of(row_last + timedelta(days=1))) != stored:
        return None
    cells = {date.fromisoformat(key): [int(n) for n in cell] for key, cell in json.loads(row.days).items()}
    families = json.loads(row.families)
    return _Past(
        row_first, row_last, cells, (families.get("families", {}), families.get("mistakes", {})), row.run_before
    )


def _save_cache(engine: Engine, user_id: int, days: StudyDays, past: _Past, fingerprint: _Fingerprint) -> None:
    """Write the cache row in its own write transaction, if the reviews are
    still those ``past`` was computed from. A cache: when the database is
    busy (or another process saves the row first) it is left as it was."""
    cells = {
        d.isoformat(): cell for d, cell in sorted(past.cells.items()) if past.first <= d <= past.last and any(cell)
    }
    families = {"families": past.families[0], "mistakes": past.families[1]}
    try:
        with Session(engine.execution_options(**WRITE_OPTIONS)) as session:
            if _fingerprint(session, user_id, days.start_of(past.last + timedelta(days=1))) != fingerprint:
                return
            row = session.get(StatsCache, user_id) or StatsCache(user_id=user_id)
            row.key, row.first_day, row.last_day = _cache_key(days), past.first.isoformat(), past.last.isoformat()
            row.reviews, row.id_sum, row.top_id = fingerprint.reviews, fingerprint.id_sum, fingerprint.top_id
            row.top_card, row.top_at = fingerprint.top_card, fingerprint.top_at
            row.days, row.families, row.run_before = json.dumps(cells), json.dumps(families), past.run_before
            session.add(row)
            session.commit()
    except (IntegrityError, OperationalError):
        pass


# -- all the figures ----------------------------------------------------------


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
    """Every figure for one learner at ``now``, read in one transaction (one
    snapshot, on PostgreSQL too).

    The quick figures come first (today, due counts, streak, heatmap,
    forecast); ``progress``, if given, receives them, and again after each
    slower block, as Statistics whose ``pending`` names what is still to
    come. Past days come from the cache when it is valid, and only the days
    since it was made are read; otherwise everything is computed (true
    retention, which groups a year of reviews by card and day, last) and
    the cache is saved at the end for the next time.
    ``describe_mistakes`` puts the families' misconceptions and titles into
    words (the question families know them; this module doesn't).
    """
    days = StudyDays(tz, day_start_hour)
    today = days.day_of(now)
    yesterday = today - timedelta(days=1)
    # Today's bounds exactly as Service.day_bounds has them.
    start = days.bounds(now)[0]
    heatmap_from = today - timedelta(days=HEATMAP_DAYS - 1)
    today_start = days.start_of(today)
    reader = engine
    if engine.dialect.name == "postgresql":  # one snapshot for every statement
        reader = engine.execution_options(isolation_level="REPEATABLE READ")
    save: tuple[_Past, _Fingerprint] | None = None
    with Session(reader) as session:
        cached = _load_cache(session, user_id, days, heatmap_from, yesterday)
        if cached is not None:  # the days since the cache was made, today's included
            since = cached.last + timedelta(days=1)
            recent = _day_cells(session, user_id, days, max(since, heatmap_from), today, retention=True)
            cells = {d: c for d, c in cached.cells.items() if d >= heatmap_from} | recent
            known_from, before = cached.first, cached.run_before
            studied = {d for d, c in (cached.cells | recent).items() if c[0]}
        else:
            cells = _day_cells(session, user_id, days, heatmap_from, today, retention=False)
            known_from, before = heatmap_from, None
            studied = {d for d, c in cells.items() if c[0]}
        heatmap = {d: cell[0] for d, cell in cells.items() if cell[0]}
        due_now, forecast_days = _due_counts(session, user_id, days, today, now)
        stats = Statistics(
            user=user_name,
            now=now,
            today_date=today,
            day_start_hour=day_start_hour,
            time_zone=days.tz_name(),
            today=today_figures(session=session, user_id=user_id, since=start),
            due_now=due_now,
            due_tomorrow=forecast_days[1],
            streak_days=_run_back(
                session, user_id, days, today if today in studied else yesterday, studied, known_from, before
            ),
            forecast=tuple(forecast_days),
            heatmap=heatmap,
            pending=frozenset(PENDING_BLOCKS),
        )
        if progress is not None:
            progress(stats)
        todays_families = _family_counts(session, user_id, since=today_start)
        if cached is not None:
            since_cache = days.start_of(cached.last + timedelta(days=1))
            closed_families = _add_families(
                cached.families, _family_counts(session, user_id, since=since_cache, until=today_start)
            )
        else:
            everything = _family_counts(session, user_id)
            closed_families = _add_families(everything, todays_families, sign=-1)
        families = _family_accuracy(_add_families(closed_families, todays_families))
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
        if cached is None:
            cells = _day_cells(session, user_id, days, heatmap_from, today, retention=True)
        if cached is None or cached.last < yesterday:
            run_before = _run_back(
                session, user_id, days, heatmap_from - timedelta(days=1), studied, known_from, before
            )
            past = _Past(
                heatmap_from,
                yesterday,
                {d: c for d, c in cells.items() if d <= yesterday},
                closed_families,
                run_before,
            )
            save = (past, _fingerprint(session, user_id, today_start))
        retention = _retention(cells, today, RETENTION_WINDOWS)
    if save is not None:
        _save_cache(engine, user_id, days, *save)
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
