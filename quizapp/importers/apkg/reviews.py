"""A package's review history (``revlog``) as ParsedReviews, oldest first.

Learning, review and relearning entries are answers; filtered-deck
("cram"), manual and rescheduling entries, and entries without a rating,
are left out. Anki 2.0's scheduler had three learning buttons (Again, Good,
Easy): its ratings are moved to the four-button scale.

A package is data from anyone, so absurd values are not taken as they are
(each kind is said once, naming the package): a review dated before Anki
existed or after tomorrow is skipped; an interval past Anki's maximum
(100 years) is cut to it; an answer time that is negative, no number, or
over an hour is cut to 0..1 hour.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from quizapp.anki.collection import MAX_INTERVAL_DAYS, interval_days, interval_in_range
from quizapp.domain import ReviewKind
from quizapp.importers.apkg.problems import Warnings
from quizapp.importers.apkg.schedule import MAX_EASE_FACTOR
from quizapp.importers.base import ParsedReview

#: Anki's first release: no review is older.
EARLIEST_REVIEW = datetime(2006, 1, 1, tzinfo=UTC)
#: The longest answer time kept (Anki's own cap goes up to an hour).
MAX_DURATION_MS = 3_600_000


def _duration_ms(taken: object) -> int | None:
    """``taken`` in 0..MAX_DURATION_MS, or None when it was outside (or no number)."""
    try:
        value = int(taken or 0)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 0 <= value <= MAX_DURATION_MS else None


def _ease_factor(factor: object) -> int:
    """An ease factor in permille, 0 when it is no number or out of range."""
    return factor if isinstance(factor, int) and 0 <= factor <= MAX_EASE_FACTOR else 0


def read_reviews(
    conn: sqlite3.Connection, card_ids: dict[int, str], sched_ver: int, warnings: Warnings
) -> list[ParsedReview]:
    """The reviews of the cards in ``card_ids`` (Anki card id -> ParsedCard.id)."""
    reviews: list[ParsedReview] = []
    bad_times = bad_intervals = bad_durations = 0
    latest = datetime.now(UTC) + timedelta(days=1)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(revlog)")}
    factor_column = "factor" if "factor" in columns else "0"  # a revlog without it has no ease factors
    # Intervals repeat: each raw value is converted once (a history may hold millions).
    intervals: dict[object, tuple[float, bool]] = {}
    kinds = {kind: ReviewKind.from_anki_type(kind) for kind in range(5)}
    for rid, cid, ease, ivl, last_ivl, taken, kind, factor in conn.execute(
        f"SELECT id, cid, ease, ivl, lastIvl, time, type, {factor_column} FROM revlog ORDER BY id"
    ):
        card_id = card_ids.get(cid)
        review_kind = kinds[kind] if kind in kinds else ReviewKind.from_anki_type(kind)
        if card_id is None or review_kind is None or ease not in (1, 2, 3, 4):
            continue
        if sched_ver == 1 and kind in (0, 2) and ease in (2, 3):
            ease += 1  # the 2.0 scheduler's learning buttons were Again, Good, Easy
        try:
            when = datetime.fromtimestamp(rid / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError, TypeError):
            when = None
        if when is None or not EARLIEST_REVIEW <= when <= latest:
            bad_times += 1
            continue
        after = intervals.get(ivl)
        if after is None:
            after = intervals[ivl] = (interval_days(ivl), interval_in_range(ivl))
        before = intervals.get(last_ivl)
        if before is None:
            before = intervals[last_ivl] = (interval_days(last_ivl), interval_in_range(last_ivl))
        if not (after[1] and before[1]):
            bad_intervals += 1
        duration = _duration_ms(taken)
        if duration is None:
            bad_durations += 1
            duration = MAX_DURATION_MS if isinstance(taken, int | float) and taken > MAX_DURATION_MS else 0
        reviews.append(
            ParsedReview(
                card_id=card_id,
                reviewed_at=when,
                rating=ease,
                kind=review_kind,
                interval_before_days=before[0],
                interval_after_days=after[0],
                duration_ms=duration,
                ease_factor=_ease_factor(factor),
            )
        )
    if bad_times:
        warnings.warn(f"{bad_times} review(s) with impossible times skipped (before 2006 or in the future)")
    if bad_intervals:
        warnings.warn(f"{bad_intervals} review(s) with intervals past {MAX_INTERVAL_DAYS} days: cut to that")
    if bad_durations:
        hours = MAX_DURATION_MS // 3_600_000
        warnings.warn(f"{bad_durations} review(s) with answer times below 0 or over {hours} hour: cut to 0-{hours} h")
    return reviews
