"""The collection inside a package, as SQLite: opened read-only with Anki's
collation, and its note types, decks and scheduler version read from
schema 11 (JSON in the ``col`` table) or schema 18 (``notetypes``,
``fields``, ``templates`` and ``decks`` tables, configs as protobuf)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from quizapp.anki.collection import SCHEMA18_DECK_SEPARATOR, deck_name
from quizapp.anki.errors import Refused
from quizapp.anki.html_text import html_to_text
from quizapp.anki.notetypes import NoteType, Template
from quizapp.anki.package import PLACEHOLDER
from quizapp.anki.protobuf import pb_get, pb_str

#: Deck id -> (name, description as text).
Decks = dict[int, tuple[str, str]]


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def open_collection(db_path: Path, member: str) -> sqlite3.Connection:
    """The extracted collection, read-only; refuses a file that is not SQLite."""
    with open(db_path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise Refused(f"{member} is not an SQLite database (damaged package?)")
    conn = sqlite3.connect(db_path)
    # Anki's own collation, used by schema 18's name columns.
    conn.create_collation("unicase", _unicase)
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def read_schema(conn: sqlite3.Connection, member: str, tables: set[str]) -> tuple[dict[int, NoteType], Decks, int]:
    """Note types (not yet analysed), decks and the scheduler version (1 for Anki 2.0's)."""
    if {"notetypes", "fields", "templates", "decks"} <= tables:
        return _schema18(conn, member, tables)
    if "col" in tables:
        return _schema11(conn, member)
    raise Refused(f"{member} is not an Anki collection (no note types)")


def refuse_placeholder(conn: sqlite3.Connection, member: str) -> None:
    """Refuse a collection that is only Anki's "please update" note."""
    rows = conn.execute("SELECT flds FROM notes LIMIT 2").fetchall()
    if len(rows) == 1 and isinstance(rows[0][0], str) and rows[0][0].startswith(PLACEHOLDER):
        raise Refused(f"{member} holds only Anki's 'please update' placeholder: the real collection is missing")


def _schema11(conn: sqlite3.Connection, member: str) -> tuple[dict[int, NoteType], Decks, int]:
    row = conn.execute("SELECT models, decks, conf FROM col LIMIT 1").fetchone()
    if row is None:
        raise Refused(f"{member} is not an Anki collection (empty col table)")
    try:
        models, deck_rows, conf = (json.loads(x) if x else {} for x in row)
        note_types: dict[int, NoteType] = {}
        for key, m in models.items():
            fields = [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])]
            templates = {
                int(t["ord"]): Template(int(t["ord"]), str(t.get("name", "")), str(t["qfmt"]), str(t["afmt"]))
                for t in m["tmpls"]
            }
            note_types[int(m.get("id", key))] = NoteType(
                id=int(m.get("id", key)),
                name=str(m.get("name", "")),
                cloze=m.get("type") == 1,
                fields=[str(f) for f in fields],
                templates=templates,
                stock_kind=int(m.get("originalStockKind") or 0),
            )
        decks = {
            int(d.get("id", key)): (deck_name(str(d["name"])), html_to_text(str(d.get("desc") or "")))
            for key, d in deck_rows.items()
        }
        sched_ver = int(conf.get("schedVer", 1)) if isinstance(conf, dict) else 1
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refused(f"{member}: note types or decks are damaged ({type(exc).__name__}: {exc})") from None
    return note_types, decks, sched_ver


def _schema18(conn: sqlite3.Connection, member: str, tables: set[str]) -> tuple[dict[int, NoteType], Decks, int]:
    try:
        note_types: dict[int, NoteType] = {}
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
            config = _blob(config)
            stock_kind = pb_get(config, 9, 0)
            note_types[ntid] = NoteType(
                id=ntid,
                name=name,
                cloze=pb_get(config, 1, 0) == 1,
                fields=[],
                templates={},
                stock_kind=stock_kind if isinstance(stock_kind, int) else 0,
            )
        for ntid, _ord, name in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
            if ntid in note_types:
                note_types[ntid].fields.append(name)
        for ntid, ord_, name, config in conn.execute("SELECT ntid, ord, name, config FROM templates"):
            if ntid in note_types:
                config = _blob(config)
                note_types[ntid].templates[ord_] = Template(ord_, name, pb_str(config, 1), pb_str(config, 2))
        decks: Decks = {}
        for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
            normal = pb_get(_blob(kind), 1)
            description = pb_str(normal, 4) if isinstance(normal, bytes) else ""
            decks[did] = (deck_name(name.replace(SCHEMA18_DECK_SEPARATOR, "::")), html_to_text(description))
        row = None
        if "config" in tables:
            row = conn.execute("SELECT val FROM config WHERE key = 'schedVer'").fetchone()
        sched_ver = int(json.loads(_blob(row[0]))) if row else 1
    except (ValueError, TypeError) as exc:
        raise Refused(f"{member}: note types or decks are damaged ({exc})") from None
    return note_types, decks, sched_ver


def _blob(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return b""
