"""Anki packages (.apkg) written with zipfile and sqlite3: what Anki 2.1's
legacy export writes, so every Anki since 2.1 (and AnkiDroid, AnkiMobile)
opens it.

The zip holds ``collection.anki2``, a schema 11 collection (``col`` with the
note types, decks and options as JSON; ``notes``, ``cards``, ``revlog``,
``graves``), and ``media``, the empty media map ``{}``.

Cards become notes again, by the id conventions of quizapp's readers:

- ``<id>`` and ``<id>::rev`` (basic) -> one "Basic (and reversed card)" note;
- ``<id>::c1``, ``<id>::c2``... (cloze, ``data["text"]`` the cloze text) -> one
  "Cloze" note whose Back Extra is what the cards show after the text;
- type cards -> "Basic (type in the answer)": Front, Back (the answer to
  type) and Back Extra (the card's back);
- other basic cards -> "Basic";
- generated and code cards are left out (Anki can't ask them): counted.

Note guids are derived from the card ids, so exporting again gives the same
guids and Anki updates its notes instead of adding copies; cards that came
from an Anki package (``apkg:<guid>...``) get their original guid back. Field
text is written as HTML with ``text_to_html`` (line breaks, indentation and
``< & >`` survive), and read back by the importer as the same text.

With ``reviews`` (ParsedReview-like: card_id, reviewed_at, rating, kind,
interval_before_days, interval_after_days, duration_ms) the review history
goes to ``revlog`` and each reviewed card gets the schedule its last review
gave it (review, learning or relearning), so Anki continues from there when
the package is imported with scheduling.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizapp.domain import NOT_FOR_ANKI, ReviewKind
from quizapp.importers.anki_ids import guid_for_card_id
from quizapp.importers.cloze import cloze_back, cloze_numbers
from quizapp.importers.html_text import html_to_text, text_to_html

__all__ = ["guid_for", "write_apkg"]

_CLOZE_ID = re.compile(r"^(.+)::c(\d+)$")
_FIELD_SEP = "\x1f"
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

_CSS = """.card {
    font-family: arial;
    font-size: 20px;
    line-height: 1.5;
    text-align: center;
    color: black;
    background-color: white;
}
"""
_CLOZE_CSS = (
    _CSS
    + """.cloze {
    font-weight: bold;
    color: blue;
}
.nightMode .cloze {
    color: lightblue;
}
"""
)
_LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n"
)
_LATEX_POST = "\\end{document}"
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"


def _stable_id(key: str) -> int:
    """A positive id below 2**53 (JavaScript-safe, as Anki needs), fixed for ``key``."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:6], "big") + 1


# -- note types ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    key: str
    name: str
    fields: tuple[str, ...]
    #: (name, question, answer) per card template.
    templates: tuple[tuple[str, str, str], ...]
    cloze: bool = False
    stock_kind: int = 0

    @property
    def id(self) -> int:
        return _stable_id(f"quizapp:model:{self.key}")

    def to_json(self, now: int) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "type": 1 if self.cloze else 0,
            "mod": now,
            "usn": -1,
            "sortf": 0,
            "did": None,
            "tmpls": [
                {
                    "name": name,
                    "ord": ord_,
                    "qfmt": q,
                    "afmt": a,
                    "bqfmt": "",
                    "bafmt": "",
                    "did": None,
                    "bfont": "",
                    "bsize": 0,
                }
                for ord_, (name, q, a) in enumerate(self.templates)
            ],
            "flds": [
                {
                    "name": name,
                    "ord": ord_,
                    "sticky": False,
                    "rtl": False,
                    "font": "Arial",
                    "size": 20,
                    "description": "",
                    "plainText": False,
                    "collapsed": False,
                    "excludeFromSearch": False,
                }
                for ord_, name in enumerate(self.fields)
            ],
            "css": _CLOZE_CSS if self.cloze else _CSS,
            "latexPre": _LATEX_PRE,
            "latexPost": _LATEX_POST,
            "latexsvg": False,
            # Which fields must be non-empty for each card: its question's.
            "req": self._requirements(),
            "tags": [],
            "vers": [],
            "originalStockKind": self.stock_kind,
        }

    def _requirements(self) -> list:
        if self.cloze:
            return [[0, "any", [0]]]
        return [[o, "any", [self.fields.index(_question_field(q))]] for o, (_, q, _) in enumerate(self.templates)]


def _question_field(qfmt: str) -> str:
    return re.search(r"\{\{(?:type:)?([^#/^}][^}]*)\}\}", qfmt).group(1)


BASIC = _Model("basic", "Basic", ("Front", "Back"), (("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),), stock_kind=1)
REVERSED = _Model(
    "reversed",
    "Basic (and reversed card)",
    ("Front", "Back"),
    (("Card 1", "{{Front}}", _ANSWER + "{{Back}}"), ("Card 2", "{{Back}}", _ANSWER + "{{Front}}")),
    stock_kind=2,
)
TYPE_IN = _Model(
    "type",
    "Basic (type in the answer)",
    ("Front", "Back", "Back Extra"),
    (("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}\n\n{{Back Extra}}"),),
    stock_kind=4,
)
CLOZE = _Model(
    "cloze",
    "Cloze",
    ("Text", "Back Extra"),
    (("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}"),),
    cloze=True,
    stock_kind=5,
)
MODELS = (BASIC, REVERSED, TYPE_IN, CLOZE)


# -- notes from cards ----------------------------------------------------------------


def guid_for(base_id: str) -> str:
    """The Anki guid of the note whose cards are ``base_id`` (+ ``::rev``/``::cN``):
    the note's own guid for a card read from Anki, else ``quizapp:<id>``."""
    return guid_for_card_id(base_id)


@dataclass
class _Note:
    guid: str
    model: _Model
    fields: list[str]
    tags: tuple[str, ...]
    #: (ord, deck name, card id) per card.
    cards: list[tuple[int, str, str]] = field(default_factory=list)


def _group(cards: Iterable) -> tuple[list[_Note], int]:
    left_out = 0
    by_id: dict[str, object] = {}
    for card in cards:
        if card.kind in NOT_FOR_ANKI:
            left_out += 1
            continue
        by_id.setdefault(card.id, card)

    notes: list[_Note] = []
    done: set[str] = set()
    guids: set[str] = set()

    def guid(base_id: str) -> str:
        """guid_for(base_id), unless another note has it already."""
        value = guid_for(base_id)
        if value in guids:
            value = guid_for(f"quizapp:again:{base_id}")
        guids.add(value)
        return value

    clozes: dict[str, list[tuple[int, object]]] = {}
    for card_id, card in by_id.items():
        m = _CLOZE_ID.match(card_id)
        if str(card.kind) == "cloze" and m and isinstance((card.data or {}).get("text"), str):
            clozes.setdefault(m.group(1), []).append((int(m.group(2)), card))

    # <id> and <id>::rev, both basic: one reversed note.
    reverses = {
        card_id[: -len("::rev")]: card
        for card_id, card in by_id.items()
        if card_id.endswith("::rev")
        and str(card.kind) == "basic"
        and str(getattr(by_id.get(card_id[: -len("::rev")]), "kind", "")) == "basic"
    }
    paired = {card.id for card in reverses.values()}

    for card_id, card in by_id.items():
        if card_id in done or card_id in paired:
            continue
        kind = str(card.kind)
        m = _CLOZE_ID.match(card_id)
        if kind == "cloze" and m and m.group(1) in clozes:
            siblings = sorted(clozes.pop(m.group(1)), key=lambda s: s[0])
            note = _cloze_note(m.group(1), siblings, guid)
            if note is not None:
                done.update(c.id for _, c in siblings)
                notes.append(note)
                continue
        done.add(card_id)
        if kind == "type":
            answer = str((card.data or {}).get("answer", "")) or card.back
            notes.append(
                _Note(guid(card_id), TYPE_IN, [card.front, answer, card.back], _tags(card), [(0, card.deck, card_id)])
            )
        elif card_id in reverses:
            reverse = reverses[card_id]
            notes.append(
                _Note(
                    guid(card_id),
                    REVERSED,
                    [card.front, card.back],
                    _tags(card),
                    [(0, card.deck, card_id), (1, reverse.deck, reverse.id)],
                )
            )
        else:
            notes.append(_Note(guid(card_id), BASIC, [card.front, card.back], _tags(card), [(0, card.deck, card_id)]))
    return notes, left_out


def _cloze_note(base: str, siblings: list[tuple[int, object]], guid) -> _Note | None:
    first = siblings[0][1]
    text = first.data["text"]
    numbers = cloze_numbers(text)
    if not numbers:
        return None
    # What the cards show after the revealed text is the Back Extra field.
    number, card = siblings[0]
    revealed = cloze_back(text, number)
    extra = card.back[len(revealed) :].strip() if card.back.startswith(revealed) else ""
    decks = {n: c.deck for n, c in siblings}
    ids = {n: c.id for n, c in siblings}
    note = _Note(guid(base), CLOZE, [text, extra], _tags(first))
    for n in numbers:
        note.cards.append((n - 1, decks.get(n, first.deck), ids.get(n, f"{base}::c{n}")))
    return note


def _tags(card) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip().replace(" ", "_") for t in (card.tags or ()) if t.strip()))


# -- the collection ------------------------------------------------------------------


def write_apkg(cards, path: Path, *, reviews=None) -> int:
    """Write ``cards`` (with ``reviews``, if given) as an Anki package at
    ``path``; return how many cards were left out (generated and code cards)."""
    notes, left_out = _group(cards)
    now = time.time()
    now_s = int(now)
    reviews = sorted(reviews or (), key=lambda r: r.reviewed_at)
    first_day = min([datetime.fromtimestamp(now, UTC)] + [_utc(r.reviewed_at) for r in reviews])
    # The collection's creation: day 0 of the review cards' due numbers.
    crt = datetime(first_day.year, first_day.month, first_day.day, 4, tzinfo=UTC) - timedelta(days=1)

    decks = _decks(notes, now_s)
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        db = sqlite3.connect(db_path)
        try:
            db.executescript(_SCHEMA)
            card_ids = _write_notes(db, notes, decks, now)
            history = _write_reviews(db, reviews, card_ids)
            _schedule(db, history, crt)
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
                    json.dumps({str(DEFAULT_CONF_ID): _deck_options(now_s)}),
                ),
            )
            db.commit()
        finally:
            db.close()
        # Written beside the target, then renamed: never a half-written package.
        path = Path(path)
        partial = path.with_name(path.name + ".part")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(db_path, "collection.anki2")
                archive.writestr("media", "{}")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return left_out


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _deck_name(deck) -> str:
    return "::".join(p.strip() for p in str(deck or "").split("::") if p.strip()) or "Default"


def _decks(notes: list[_Note], now: int) -> dict[str, dict]:
    names = {"Default"}
    for note in notes:
        for _, deck, _ in note.cards:
            parts = _deck_name(deck).split("::")
            names.update("::".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {
        name: {
            "id": DEFAULT_DECK_ID if name == "Default" else _stable_id(f"quizapp:deck:{name}"),
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


def _deck_options(now: int) -> dict:
    return {
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
            "delays": [1.0, 10.0],
            "initialFactor": 2500,
            "ints": [1, 4, 0],
            "order": 1,
            "perDay": 20,
        },
        "rev": {"bury": False, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200, "hardFactor": 1.2},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0},
    }


def _write_notes(db: sqlite3.Connection, notes: list[_Note], decks: dict[str, dict], now: float) -> dict[str, int]:
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
                _FIELD_SEP.join(fields),
                sort_text,
                _checksum(sort_text),
            ),
        )
        for ord_, deck, card_id in note.cards:
            next_card += 1
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                (next_card, note_id, decks[_deck_name(deck)]["id"], ord_, int(now), position),
            )
            card_ids[card_id] = next_card
    return card_ids


def _checksum(text: str) -> int:
    """Anki's duplicate check: the first 8 hex digits of the sort field's SHA-1."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def _anki_interval(days: float) -> int:
    """Anki's revlog interval: whole days, or negative seconds under a day."""
    days = float(days or 0)
    return max(round(days), 1) if days >= 1 else -round(days * 86400)


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
                _anki_interval(review.interval_after_days),
                _anki_interval(review.interval_before_days),
                2500 if kind else 0,
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
