"""`quizapp due`: one line saying what is due and new now, per top-level
deck, fast enough for a shell start-up file.

It reads a SQLite database with the standard library's sqlite3, read-only,
and imports neither textual, torch, SQLAlchemy nor fsrs
(benchmarks/due.py measures it). The counts are the deck list's
(Service.deck_counts, tests/test_due.py checks they agree): "due" is
learning cards and reviews due before the study day ends, "new" the new
cards, both within what is left of the daily limits of each deck's preset
and its ancestors' (quizapp.deck_limits, as the Service). Any other
kind of database URL goes through the Service (slower, same answer).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from urllib.parse import unquote

from quizapp import deck_limits
from quizapp.domain import DEFAULT_DAY_START_HOUR, DEFAULT_NEW_PER_DAY, DEFAULT_PRESET, DEFAULT_REVIEWS_PER_DAY
from quizapp.study_days import StudyDays

#: How SQLAlchemy stores a naive UTC datetime in SQLite (sorts as text).
_STORED = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class DueCount:
    deck: str
    due: int
    new: int


def due_line(url: str, user: str, *, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """The line ``quizapp due`` prints."""
    counts = due_counts(url, user, now=now, tz=tz)
    if counts is None:
        return "quizapp: no database yet (run quizapp)"
    if not counts:
        return "quizapp: no decks"
    if not any(c.due or c.new for c in counts):
        return "quizapp: nothing due"
    return "quizapp: " + "; ".join(f"{c.deck} {c.due} due, {c.new} new" for c in counts if c.due or c.new)


def due_counts(url: str, user: str, *, now: datetime | None = None, tz: tzinfo | None = None) -> list[DueCount] | None:
    """Per top-level deck (by name): (due, new) now. None when the database
    file does not exist (nothing is created)."""
    now = now or datetime.now(UTC)
    path = sqlite_path(url)
    if path is None:
        return _via_service(url, user, now, tz)
    if path != ":memory:" and not os.path.exists(path):
        return None
    uri = "file::memory:" if path == ":memory:" else Path(path).absolute().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=5.0)
    try:
        return _counts(connection, user, now, tz)
    finally:
        connection.close()


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///path`` URL (None for any other database)."""
    if not url.startswith("sqlite:///"):
        return None
    path = unquote(url[len("sqlite:///") :].split("?", 1)[0])
    return path or ":memory:"


def _counts(connection: sqlite3.Connection, user: str, now: datetime, tz: tzinfo | None) -> list[DueCount]:
    row = connection.execute("SELECT id FROM user WHERE name = ?", (user,)).fetchone()
    user_id = row[0] if row else -1
    new_per_day, reviews_per_day, hour = DEFAULT_NEW_PER_DAY, DEFAULT_REVIEWS_PER_DAY, DEFAULT_DAY_START_HOUR
    try:
        stored = connection.execute(
            "SELECT new_per_day, reviews_per_day, day_start_hour FROM usersettings WHERE user_id = ?", (user_id,)
        ).fetchone()
    except sqlite3.OperationalError:  # a version-1 database: no settings table yet
        stored = None
    if stored:
        new_per_day, reviews_per_day, hour = stored
    start, end = StudyDays(tz, hour).bounds(now)
    now_s, start_s, end_s = (_stored(t) for t in (now, start, end))
    decks = dict(connection.execute("SELECT id, name FROM deck").fetchall())
    limits = _deck_limits(connection, user_id, decks, (new_per_day, reviews_per_day))
    studied = {
        decks[deck_id]: (new, review)
        for deck_id, new, review in connection.execute(
            """SELECT c.deck_id,
                      COUNT(DISTINCT CASE WHEN r.state_before = 0 THEN r.card_id END),
                      COALESCE(SUM(CASE WHEN r.state_before = 2 THEN 1 ELSE 0 END), 0)
               FROM reviewlog r JOIN card c ON c.id = r.card_id
               WHERE r.user_id = ? AND r.reviewed_at >= ?
               GROUP BY c.deck_id""",
            (user_id, start_s),
        )
        if deck_id in decks
    }
    left = deck_limits.remaining(limits, studied)
    rows = connection.execute(
        """SELECT d.name,
                  COALESCE(SUM(CASE WHEN COALESCE(s.state, 0) = 0 AND visible THEN 1 ELSE 0 END), 0),
                  COALESCE(SUM(CASE WHEN s.state IN (1, 3) AND s.due < :end AND visible THEN 1 ELSE 0 END), 0),
                  COALESCE(SUM(CASE WHEN s.state = 2 AND s.due < :end AND visible THEN 1 ELSE 0 END), 0)
           FROM deck d
           LEFT JOIN (
               SELECT c.deck_id, s.state, s.due,
                      ((s.suspended IS NULL OR s.suspended = 0)
                       AND (s.buried_until IS NULL OR s.buried_until <= :now)) AS visible
               FROM card c
               LEFT JOIN cardstate s ON s.card_id = c.id AND s.user_id = :user
               WHERE c.active = 1
           ) s ON s.deck_id = d.id
           GROUP BY d.id""",
        {"end": end_s, "now": now_s, "user": user_id},
    ).fetchall()
    own = {name: (new, review) for name, new, _, review in rows}
    subtrees = deck_limits.subtree_counts(left, own)
    learning: dict[str, int] = {}
    for name, _, in_learning, _ in rows:
        top = name.split("::")[0]
        learning[top] = learning.get(top, 0) + in_learning
    counts = []
    for top in sorted(learning):
        new, review = deck_limits.capped_counts(left, subtrees, top)
        counts.append(DueCount(deck=top, due=learning[top] + review, new=new))
    return counts


def _deck_limits(
    connection: sqlite3.Connection, user_id: int, decks: dict[int, str], default: tuple[int, int]
) -> dict[str, tuple[int, int]]:
    """Per deck name: the (new, review) limits of its preset (service/presets.py);
    before schema version 4 (no presets), ``default`` for every deck."""
    try:
        presets = {
            preset_id: (name, (new, review))
            for preset_id, name, new, review in connection.execute(
                "SELECT id, name, new_per_day, reviews_per_day FROM preset WHERE user_id = ?", (user_id,)
            )
        }
        assigned = dict(connection.execute("SELECT deck_id, preset_id FROM deckpreset WHERE user_id = ?", (user_id,)))
    except sqlite3.OperationalError:  # a database older than presets
        return dict.fromkeys(decks.values(), default)
    default = next((limits for name, limits in presets.values() if name == DEFAULT_PRESET), default)
    return {
        name: presets[assigned[deck_id]][1] if assigned.get(deck_id) in presets else default
        for deck_id, name in decks.items()
    }


def _stored(t: datetime) -> str:
    return t.astimezone(UTC).replace(tzinfo=None).strftime(_STORED)


def _via_service(url: str, user: str, now: datetime, tz: tzinfo | None) -> list[DueCount]:
    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    service = Service(make_engine(url), user, clock=lambda: now, tz=tz)
    return [DueCount(r.name, r.learning + r.due, r.new) for r in service.deck_counts() if r.depth == 0]
