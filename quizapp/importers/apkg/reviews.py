"""A package's review history (``revlog``) as ParsedReviews, oldest first.

Learning, review and relearning entries are answers; filtered-deck
("cram"), manual and rescheduling entries, and entries without a rating,
are left out. Anki 2.0's scheduler had three learning buttons (Again, Good,
Easy): its ratings are moved to the four-button scale.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from quizapp.anki.collection import interval_days
from quizapp.domain import ReviewKind
from quizapp.importers.apkg.problems import Warnings
from quizapp.importers.base import ParsedReview


def read_reviews(
    conn: sqlite3.Connection, card_ids: dict[int, str], sched_ver: int, warnings: Warnings
) -> list[ParsedReview]:
    """The reviews of the cards in ``card_ids`` (Anki card id -> ParsedCard.id)."""
    reviews: list[ParsedReview] = []
    bad_times = 0
    for rid, cid, ease, ivl, last_ivl, taken, kind in conn.execute(
        "SELECT id, cid, ease, ivl, lastIvl, time, type FROM revlog ORDER BY id"
    ):
        card_id = card_ids.get(cid)
        review_kind = ReviewKind.from_anki_type(kind)
        if card_id is None or review_kind is None or ease not in (1, 2, 3, 4):
            continue
        if sched_ver == 1 and kind in (0, 2) and ease in (2, 3):
            ease += 1  # the 2.0 scheduler's learning buttons were Again, Good, Easy
        try:
            when = datetime.fromtimestamp(rid / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError, TypeError):
            bad_times += 1
            continue
        reviews.append(
            ParsedReview(
                card_id=card_id,
                reviewed_at=when,
                rating=ease,
                kind=review_kind,
                interval_before_days=interval_days(last_ivl),
                interval_after_days=interval_days(ivl),
                duration_ms=max(int(taken or 0), 0),
            )
        )
    if bad_times:
        warnings.warn(f"{bad_times} review(s) with impossible times skipped")
    return reviews
