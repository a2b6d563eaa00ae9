"""The schema 11 collection a package carries, written with sqlite3: what
Anki 2.1's legacy export writes, so every Anki since 2.1 (and AnkiDroid,
AnkiMobile) opens it.

``col`` holds the note types, decks and options as JSON; ``notes`` and
``cards`` the notes, their fields as HTML (``text_to_html``: line breaks,
indentation and ``< & >`` survive, and the importer reads back the same
text); ``revlog`` the review history. Each reviewed card gets the schedule
its last review gave it (review, learning or relearning), so Anki continues
from there when the package is imported with scheduling.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from quizapp.anki.collection import DEFAULT_DECK, FIELD_SEPARATOR, deck_name, revlog_interval
from quizapp.anki.html_text import html_to_text, text_to_html
from quizapp.domain import (
    DEFAULT_LEARNING_STEPS,
    DEFAULT_NEW_PER_DAY,
    DEFAULT_RELEARNING_STEPS,
    DEFAULT_REVIEWS_PER_DAY,
    LEECH_THRESHOLD,
    MAXIMUM_INTERVAL_DAYS,
    MemoryState,
    ReviewKind,
)
from quizapp.exporters.apkg.notes import Note
from quizapp.exporters.apkg.notetypes import BASIC, MODELS, stable_id
from quizapp.exporters.base import CardSchedule, Scheduling

__all__ = ["write_collection"]

DEFAULT_DECK_ID = 1
DEFAULT_CONF_ID = 1

_SCHEMA = """
CREATE TABLE col (
    id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
    ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL,
    conf text NOT NULL, models text NOT NULL, decks text NOT NULL, dconf text NOT NULL, tags text NOT NULL
);
CREATE TABLE notes (
    id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
    usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL,
    csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
    id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
    mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL,
    due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
    lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,
    flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE revlog (
    id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
    ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL,
    type integer NOT NULL
);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
"""


def write_collection(
    db_path: Path, notes: list[Note], reviews, *, now: float, scheduling: Scheduling | None = None
) -> None:
    """Write a collection of ``notes`` and ``reviews`` (ParsedReview-like:
    card_id, reviewed_at, rating, kind, interval_before_days,
    interval_after_days, duration_ms) at ``db_path``, as of ``now`` (epoch seconds).

    With ``scheduling`` (its reviews replace ``reviews``), every card gets the
    learner's own state, as Anki's "include scheduling information" writes it."""
    now_s = int(now)
    if scheduling is not None:
        reviews = scheduling.reviews
    reviews = sorted(reviews or (), key=lambda r: r.reviewed_at)
    first_day = min([datetime.fromtimestamp(now, UTC)] + [_utc(r.reviewed_at) for r in reviews])
    # The collection's creation: day 0 of the review cards' due numbers.
    crt = datetime(first_day.year, first_day.month, first_day.day, 4, tzinfo=UTC) - timedelta(days=1)
    rollover = 4
    if scheduling is not None:
        # Anki counts days from the creation's date (in UTC: creationOffset 0,
        # less the rollover hour) to today on the importing machine's clock;
        # due days are the learner's study days counted from that date.
        rollover = scheduling.day_start_hour
        due_days = [s.due_day for s in scheduling.cards.values() if s.due_day is not None]
        crt_day = min([scheduling.today, first_day.date(), *due_days]) - timedelta(days=1)
        crt = datetime.combine(crt_day, time(0), UTC) + timedelta(hours=rollover, minutes=1)

    decks = _decks(notes, now_s)
    db = sqlite3.connect(db_path)
    try:
        db.executescript(_SCHEMA)
        card_ids = _write_notes(db, notes, decks, now)
        history = _write_reviews(db, reviews, card_ids)
        if scheduling is None:
            _schedule(db, history, crt)
        else:
            _learner_schedule(db, scheduling, card_ids, crt_day)
        conf = {
            "activeDecks": [DEFAULT_DECK_ID],
            "curDeck": DEFAULT_DECK_ID,
            "newSpread": 0,
            "collapseTime": 1200,
            "timeLim": 0,
            "estTimes": True,
            "dueCounts": True,
            "curModel": BASIC.id,
            "nextPos": len(notes) + 1,
            "sortType": "noteFld",
            "sortBackwards": False,
            "addToCur": True,
            "dayLearnFirst": False,
            "schedVer": 2,
            "sched2021": True,
            "creationOffset": 0,
            "rollover": rollover,
        }
        db.execute(
            "INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
            (
                int(crt.timestamp()),
                int(now * 1000),
                int(now * 1000),
                json.dumps(conf),
                json.dumps({str(m.id): m.to_json(now_s) for m in MODELS}),
                json.dumps({str(d["id"]): d for d in decks.values()}),
                json.dumps({str(DEFAULT_CONF_ID): _deck_options(now_s, scheduling)}),
            ),
        )
        db.commit()
    finally:
        db.close()


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _decks(notes: list[Note], now: int) -> dict[str, dict]:
    names = {DEFAULT_DECK}
    for note in notes:
        for _, deck, _ in note.cards:
            parts = deck_name(deck).split("::")
            names.update("::".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {
        name: {
            "id": DEFAULT_DECK_ID if name == DEFAULT_DECK else stable_id(f"quizapp:deck:{name}"),
            "name": name,
            "mod": now,
            "usn": -1,
            "lrnToday": [0, 0],
            "revToday": [0, 0],
            "newToday": [0, 0],
            "timeToday": [0, 0],
            "collapsed": False,
            "browserCollapsed": False,
            "desc": "",
            "dyn": 0,
            "conf": DEFAULT_CONF_ID,
            "extendNew": 0,
            "extendRev": 0,
        }
        for name in sorted(names)
    }


def _deck_options(now: int, scheduling: Scheduling | None = None) -> dict:
    """The "Default" options group, with Anki's (and quizapp's) default settings;
    with ``scheduling``, the learner's desired retention and FSRS parameters."""
    fsrs: dict[str, object] = {}
    if scheduling is not None:
        fsrs["desiredRetention"] = scheduling.desired_retention
        if len(scheduling.parameters) == 21:
            fsrs["fsrsParams6"] = list(scheduling.parameters)
    return fsrs | {
        "id": DEFAULT_CONF_ID,
        "name": "Default",
        "mod": now,
        "usn": -1,
        "maxTaken": 60,
        "autoplay": True,
        "timer": 0,
        "replayq": True,
        "dyn": False,
        "new": {
            "bury": False,
            "delays": _minutes(DEFAULT_LEARNING_STEPS),
            "initialFactor": 2500,
            "ints": [1, 4, 0],
            "order": 1,
            "perDay": DEFAULT_NEW_PER_DAY,
        },
        "rev": {
            "bury": False,
            "ease4": 1.3,
            "ivlFct": 1.0,
            "maxIvl": MAXIMUM_INTERVAL_DAYS,
            "perDay": DEFAULT_REVIEWS_PER_DAY,
            "hardFactor": 1.2,
        },
        "lapse": {
            "delays": _minutes(DEFAULT_RELEARNING_STEPS),
            "leechAction": 1,
            "leechFails": LEECH_THRESHOLD,
            "minInt": 1,
            "mult": 0.0,
        },
    }


def _minutes(steps: tuple[timedelta, ...]) -> list[float]:
    return [step.total_seconds() / 60 for step in steps]


def _write_notes(db: sqlite3.Connection, notes: list[Note], decks: dict[str, dict], now: float) -> dict[str, int]:
    """Insert notes and their (new) cards; return quizapp card id -> Anki card id."""
    base_ms = int(now * 1000)
    card_ids: dict[str, int] = {}
    next_card = base_ms
    for position, note in enumerate(notes, start=1):
        note_id = base_ms + position
        fields = [text_to_html(str(v or "")) for v in note.fields]
        sort_text = html_to_text(fields[0])
        tags = f" {' '.join(note.tags)} " if note.tags else ""
        db.execute(
            "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')",
            (
                note_id,
                note.guid,
                note.model.id,
                int(now),
                tags,
                FIELD_SEPARATOR.join(fields),
                sort_text,
                _checksum(sort_text),
            ),
        )
        for ord_, deck, card_id in note.cards:
            next_card += 1
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                (next_card, note_id, decks[deck_name(deck)]["id"], ord_, int(now), position),
            )
            card_ids[card_id] = next_card
    return card_ids


def _checksum(text: str) -> int:
    """Anki's duplicate check: the first 8 hex digits of the sort field's SHA-1."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def _write_reviews(db: sqlite3.Connection, reviews: list, card_ids: dict[str, int]) -> dict[int, list]:
    history: dict[int, list] = {}
    used: set[int] = set()
    for review in reviews:
        cid = card_ids.get(review.card_id)
        review_kind = ReviewKind.parse(review.kind)
        if cid is None or review_kind is None or review.rating not in (1, 2, 3, 4):
            continue
        kind = review_kind.anki_type
        revlog_id = int(_utc(review.reviewed_at).timestamp() * 1000)
        while revlog_id in used:  # the primary key: one review per millisecond
            revlog_id += 1
        used.add(revlog_id)
        db.execute(
            "INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            (
                revlog_id,
                cid,
                review.rating,
                revlog_interval(review.interval_after_days),
                revlog_interval(review.interval_before_days),
                getattr(review, "ease_factor", 0) or (2500 if kind else 0),  # an imported review keeps its own
                max(int(review.duration_ms or 0), 0),
                kind,
            ),
        )
        history.setdefault(cid, []).append(review)
    return history


def _schedule(db: sqlite3.Connection, history: dict[int, list], crt: datetime) -> None:
    """Give each reviewed card the state its last review left it in."""
    for cid, reviews in history.items():
        last = reviews[-1]
        when = _utc(last.reviewed_at)
        days = float(last.interval_after_days or 0)
        reps = len(reviews)
        lapses = sum(1 for r in reviews if r.kind == ReviewKind.REVIEW and r.rating == 1)
        if days >= 1:
            ivl = max(round(days), 1)
            due = (when - crt).days + ivl
            ctype, queue, left = 2, 2, 0
        else:
            ivl = 0 if last.kind == ReviewKind.LEARNING else 1
            due = int((when + timedelta(days=days)).timestamp())
            ctype, queue, left = (1 if last.kind == ReviewKind.LEARNING else 3), 1, 1
        db.execute(
            "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = 2500, reps = ?, lapses = ?, left = ? "
            "WHERE id = ?",
            (ctype, queue, due, ivl, reps, lapses, left, cid),
        )


#: Anki's cards.type and cards.queue values.
_NEW, _LEARN, _REVIEW, _RELEARN = 0, 1, 2, 3
_QUEUE_DAY_LEARN, _QUEUE_SUSPENDED, _QUEUE_BURIED = 3, -1, -3
_DEFAULT_FACTOR = 2500


def _learner_schedule(db: sqlite3.Connection, scheduling: Scheduling, card_ids: dict[str, int], crt_day: date) -> None:
    """Give each card the learner's state: what Anki's "include scheduling
    information" export writes (cards.type, queue, due, ivl, factor, reps,
    lapses, left, and the FSRS memory state in cards.data)."""
    for card_id, schedule in scheduling.cards.items():
        cid = card_ids.get(card_id)
        if cid is None:
            continue
        row = _anki_state(schedule, scheduling, crt_day)
        if row is None:
            continue
        db.execute(
            "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, "
            "data = ? WHERE id = ?",
            (*row, cid),
        )


def _anki_state(s: CardSchedule, scheduling: Scheduling, crt_day: date) -> tuple | None:
    """(type, queue, due, ivl, factor, reps, lapses, left, data) of ``s``; None for a new card left as written."""
    if s.state == MemoryState.NEW or s.due is None:
        if not s.suspended:
            return None
        return (_NEW, _QUEUE_SUSPENDED, 0, 0, 0, s.reps, s.lapses, 0, "")
    due_number = (s.due_day - crt_day).days if s.due_day is not None else 0
    since = s.last_review or s.due
    interval = max(round((s.due - since).total_seconds() / 86400), 0)
    if s.state == MemoryState.REVIEW:
        ctype, queue, due, ivl, left = _REVIEW, _REVIEW, due_number, max(interval, 1), 0
    else:
        ctype = _LEARN if s.state == MemoryState.LEARNING else _RELEARN
        steps = scheduling.learning_steps if ctype == _LEARN else scheduling.relearning_steps
        left = max(steps - (s.step or 0), 1)
        ivl = 0 if ctype == _LEARN else max(round(s.stability or 1), 1)
        if interval >= 1:  # a step of a day or more: Anki's day-learning queue, due by day
            queue, due = _QUEUE_DAY_LEARN, due_number
        else:
            queue, due = _LEARN, int(s.due.timestamp())
    if s.suspended:
        queue = _QUEUE_SUSPENDED
    elif s.buried:
        queue = _QUEUE_BURIED
    data = ""
    if s.stability is not None and s.difficulty is not None:
        memory = {"s": round(s.stability, 4), "d": round(s.difficulty, 3), "dr": scheduling.desired_retention}
        if s.last_review is not None:
            memory["lrt"] = int(s.last_review.timestamp())
        data = json.dumps(memory)
    return (ctype, queue, due, ivl, _DEFAULT_FACTOR, s.reps, s.lapses, left, data)
