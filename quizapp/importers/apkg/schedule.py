"""Where each of a package's cards stood in Anki's SM-2 scheduler (type,
interval, ease factor, due date) as ParsedSchedules: what a card's FSRS
memory state is inferred from, as Anki does, when its review history is
missing or starts mid-way (quizapp.optimizing.anki_memory_plan).

Values that are no numbers, or out of Anki's ranges, leave the card
without a schedule (it is then new, or replayed from its history).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from quizapp.anki.collection import MAX_INTERVAL_DAYS
from quizapp.importers.base import ParsedSchedule

#: Ease factors above this (permille) are no ease factor Anki writes.
MAX_EASE_FACTOR = 100_000
#: Anki's card.queue for an intraday learning card: its due is a time, not a day.
_QUEUE_INTRADAY = 1


def read_schedules(conn: sqlite3.Connection, card_ids: dict[int, str]) -> dict[str, ParsedSchedule]:
    """ParsedCard.id -> schedule, for the cards in ``card_ids`` (Anki card id -> ParsedCard.id)."""
    try:
        row = conn.execute("SELECT crt FROM col LIMIT 1").fetchone()
    except sqlite3.DatabaseError:  # no col table: due dates can't be told
        row = None
    crt = row[0] if row and isinstance(row[0], int) else None
    out: dict[str, ParsedSchedule] = {}
    try:
        rows = conn.execute("SELECT id, type, queue, due, odue, odid, ivl, factor, reps, lapses FROM cards").fetchall()
    except sqlite3.OperationalError:  # a cards table without them: no schedules, the cards are new
        return out
    for cid, ctype, queue, due, odue, odid, ivl, factor, reps, lapses in rows:
        card_id = card_ids.get(cid)
        values = (ctype, queue, due, odue, odid, ivl, factor, reps, lapses)
        if card_id is None or not all(isinstance(v, int) for v in values):
            continue
        if ctype not in (0, 1, 2, 3) or not 0 <= ivl <= MAX_INTERVAL_DAYS or not 0 <= factor <= MAX_EASE_FACTOR:
            continue
        out[card_id] = ParsedSchedule(
            card_type=ctype,
            interval_days=ivl,
            ease_factor=factor,
            reps=max(reps, 0),
            lapses=max(lapses, 0),
            due=_due(odue if odid else due, queue, crt),
        )
    return out


def _due(due: int, queue: int, crt: int | None) -> datetime | None:
    """A card's due date: a time for intraday learning cards, else a day
    number counted from the collection's creation (``col.crt``)."""
    try:
        if queue == _QUEUE_INTRADAY:
            return datetime.fromtimestamp(due, tz=UTC)
        if crt is None or not -MAX_INTERVAL_DAYS <= due <= 2 * MAX_INTERVAL_DAYS:
            return None
        return datetime.fromtimestamp(crt, tz=UTC) + timedelta(days=due)
    except (OverflowError, OSError, ValueError):
        return None
