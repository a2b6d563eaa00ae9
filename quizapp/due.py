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

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from urllib.parse import unquote

from quizapp import deck_limits
from quizapp.domain import (
    BUILTIN_SOURCE_PREFIX,
    DEFAULT_DAY_START_HOUR,
    DEFAULT_NEW_PER_DAY,
    DEFAULT_PRESET,
    DEFAULT_REVIEWS_PER_DAY,
    other_language_decks,
)
from quizapp.i18n import LANGUAGES, _, language_from_locale, set_language
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
    counts, language = _due(url, user, now=now, tz=tz)
    if language is not None:  # the learner's own interface language
        set_language(language)
    if counts is None:
        return _("quizapp: no database yet (run quizapp)")
    if not counts:
        return _("quizapp: no decks")
    if not any(c.due or c.new for c in counts):
        return _("quizapp: nothing due")
    return "quizapp: " + "; ".join(
        _("{deck} {due} due, {new} new").format(deck=c.deck, due=c.due, new=c.new) for c in counts if c.due or c.new
    )


def due_counts(url: str, user: str, *, now: datetime | None = None, tz: tzinfo | None = None) -> list[DueCount] | None:
    """Per top-level deck (by name): (due, new) now. None when the database
    file does not exist (nothing is created)."""
    return _due(url, user, now=now, tz=tz)[0]


def _due(
    url: str, user: str, *, now: datetime | None = None, tz: tzinfo | None = None
) -> tuple[list[DueCount] | None, str | None]:
    """The counts, and the learner's interface language when it is set."""
    now = now or datetime.now(UTC)
    path = sqlite_path(url)
    if path is None:
        return _via_service(url, user, now, tz), None
    if path != ":memory:" and not os.path.exists(path):
        return None, None
    uri = "file::memory:" if path == ":memory:" else Path(path).absolute().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=5.0)
    try:
        counts = _counts(connection, user, now, tz)
        return counts, _learner_settings(connection, _user_id(connection, user))[0]
    finally:
        connection.close()


def _user_id(connection: sqlite3.Connection, user: str) -> int:
    row = connection.execute("SELECT id FROM user WHERE name = ?", (user,)).fetchone()
    return row[0] if row else -1


def _learner_settings(connection: sqlite3.Connection, user_id: int) -> tuple[str | None, bool]:
    """The learner's interface language (None: the locale's) and whether the
    other language's built-in deck is shown."""
    try:
        stored = connection.execute(
            "SELECT language, other_language_deck FROM usersettings WHERE user_id = ?", (user_id,)
        ).fetchone()
    except sqlite3.OperationalError:  # an older database: neither setting yet
        stored = None
    language, other_deck = stored if stored else (None, False)
    return (language if language in LANGUAGES else None), bool(other_deck)


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///path`` URL (None for any other database)."""
    if not url.startswith("sqlite:///"):
        return None
    path = unquote(url[len("sqlite:///") :].split("?", 1)[0])
    return path or ":memory:"


def _counts(connection: sqlite3.Connection, user: str, now: datetime, tz: tzinfo | None) -> list[DueCount]:
    user_id = _user_id(connection, user)
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
    hidden = _hidden_decks(connection, user_id)  # the other language's built-in deck
    rows = [row for row in rows if row[0] not in hidden]
    own = {name: (new, review) for name, new, _learning, review in rows}
    subtrees = deck_limits.subtree_counts(left, own)
    learning: dict[str, int] = {}
    for name, _new, in_learning, _review in rows:
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


def _hidden_decks(connection: sqlite3.Connection, user_id: int) -> frozenset[str]:
    """The built-in deck in the other language, as service/languages.py finds it."""
    language, other_deck = _learner_settings(connection, user_id)
    if other_deck:
        return frozenset()
    language = language or language_from_locale()
    decks = dict(connection.execute("SELECT id, name FROM deck").fetchall())
    builtin = {
        deck_id
        for (deck_id,) in connection.execute(
            "SELECT DISTINCT deck_id FROM card WHERE substr(source, 1, ?) = ?",
            (len(BUILTIN_SOURCE_PREFIX), BUILTIN_SOURCE_PREFIX),
        )
    }
    names = {decks[i] for i in builtin if i in decks}
    if not names:
        return frozenset()
    parents = {"::".join(n.split("::")[:k]) for n in names for k in range(1, n.count("::") + 1)}
    wanted = [i for i, name in decks.items() if name in names or name in parents]
    marks = ", ".join("?" * len(wanted))
    contents: dict[str, list[tuple[str, str | None]]] = {}
    for deck_id, source, data in connection.execute(
        f"SELECT deck_id, source, MIN(data) FROM card WHERE active = 1 AND deck_id IN ({marks}) GROUP BY deck_id, source",
        wanted,
    ):
        contents.setdefault(decks[deck_id], []).append((source, _builtin_language(source, data)))
    return other_language_decks(language, names | parents, contents)


def _builtin_language(source: str, data: str | None) -> str | None:
    if not source.startswith(BUILTIN_SOURCE_PREFIX) or not data:
        return None
    try:
        lang = json.loads(data).get("lang")
    except (ValueError, AttributeError):
        return None
    return lang if isinstance(lang, str) else None


def _stored(t: datetime) -> str:
    return t.astimezone(UTC).replace(tzinfo=None).strftime(_STORED)


def _via_service(url: str, user: str, now: datetime, tz: tzinfo | None) -> list[DueCount]:
    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    service = Service(make_engine(url), user, clock=lambda: now, tz=tz)
    return [DueCount(r.name, r.learning + r.due, r.new) for r in service.deck_counts() if r.depth == 0]
