"""Anki packages (.apkg, and .colpkg: the same zip), read with zipfile and sqlite3.

A package is a zip holding one collection, a SQLite database:

- ``collection.anki2``: Anki 2.0 and 2.1 legacy exports (schema 11: note
  types and decks as JSON in the ``col`` table);
- ``collection.anki21``: Anki 2.1 "support older versions" exports (same
  schema, 2021 scheduler);
- ``collection.anki21b``: Anki 2.1.50+ exports, zstd-compressed, schema 18
  (``notetypes``/``fields``/``templates``/``decks`` tables, configs as
  protobuf). Its ``media`` map is a zstd-compressed protobuf too.

When several are present the newest is the real one (the older is a "please
update Anki" placeholder note); a package holding only that placeholder is
refused. Media files are never extracted: fields keep their names
(``[image: a.png]``); a name that climbs directories is neutralised to its
last component, with a warning. The collection itself is extracted to a
temporary directory that is gone when ``read_apkg`` returns.

Cards and ids, stable across re-exports of the same collection:

- a note's first card is ``apkg:<guid>``; the second card of a reversed note
  type is ``apkg:<guid>::rev``; cloze number N is ``apkg:<guid>::cN`` (the
  conventions of quizapp's own decks, so the exporter rebuilds the notes);
  any other card N of a note type with more templates is ``apkg:<guid>::N``.
- note types are recognised by their kind and templates, not by name: a
  cloze type gives cloze cards; a template with ``{{type:Field}}`` gives a
  type-the-answer card; one question field and one answer field per template
  (Basic, reversed, optional reversed) gives basic cards; anything else is
  read as Basic from the first field of each side, with a warning.
- ``source`` is ``apkg:`` + the top-level deck(s) of the imported cards (e.g.
  ``apkg:PyTorch``), not the file name: re-importing a new export of the same
  Anki deck, under any file name, updates the cards it imported before and
  retires the ones deleted in Anki.

Review history (``revlog``) becomes ParsedReview rows: learning, review and
relearning entries; filtered-deck ("cram"), manual and rescheduling entries,
and entries without a rating, are left out (they are not answers).
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path
from urllib.parse import unquote

from quizapp.domain import CardKind, ReviewKind
from quizapp.importers.anki_ids import card_id_for_guid
from quizapp.importers.base import DeckError, ParsedCard, ParsedDeck, ParsedReview, Problem
from quizapp.importers.cloze import cloze_answers, cloze_back, cloze_front, cloze_numbers
from quizapp.importers.html_text import html_to_text

__all__ = ["MAX_FIELD_BYTES", "MAX_UNCOMPRESSED_BYTES", "read_apkg"]

#: Uncompressed bytes read out of one package (collection and media map), all told.
MAX_UNCOMPRESSED_BYTES = 500 * 2**20
#: A member larger than RATIO_FLOOR may not expand more than MAX_RATIO times:
#: SQLite collections compress 3-20x; a zip bomb, a thousand times.
MAX_RATIO = 100
RATIO_FLOOR = 8 * 2**20
#: One field of one note (UTF-8 bytes).
MAX_FIELD_BYTES = 2**20
#: The media map and meta members are small; a big one is hostile.
MAX_MEDIA_MAP_BYTES = 64 * 2**20
MAX_META_BYTES = 2**16
MAX_GUID_CHARS = 200

#: Newest first: the first one present holds the data.
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
#: PackageMetadata.Version values this reader knows (0 unknown: legacy).
KNOWN_PACKAGE_VERSIONS = (0, 1, 2, 3)
PLACEHOLDER = "Please update to the latest Anki version"

#: revlog.type -> ParsedReview.kind; 3 (filtered/cram), 4 (manual), 5 (rescheduled) are skipped.
#: Deck names in schema 18 separate levels with \x1f.
_DECK_SEP = "\x1f"
_FIELD_SEP = "\x1f"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_REF = re.compile(r"\{\{([#^/]?)([^{}]*)\}\}")
_TAG = re.compile(r"<[A-Za-z][^>]*>")
_SRC_ATTR = re.compile(r"""(\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Refused(Exception):
    """The package can't be read; the message is the one-line reason."""


class _Damaged(_Refused):
    """Compressed data that doesn't decompress."""


# -- entry point -----------------------------------------------------------


def read_apkg(path: Path, *, deck: str | None = None) -> ParsedDeck:
    """Read the cards, decks and review history of an Anki package.

    ``deck`` renames the package's top-level deck (its subdecks stay under
    it); a package with several top-level decks is placed under ``deck``.
    ``source`` stays the package's own (``apkg:`` + its top-level decks).
    Raises DeckError with one Problem (file = ``path``) when the package
    can't be read; notes that can't become cards are skipped with a warning.
    """
    name = str(path)

    def refuse(message: str) -> DeckError:
        return DeckError([Problem(name, None, message)])

    member = "the package"
    try:
        with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
            with zipfile.ZipFile(path) as archive:
                member = _pick_collection(archive)
                budget = _Budget()
                db_path = Path(tmp) / "collection.sqlite"
                _extract(archive, member, db_path, budget, zstd=member.endswith("b"))
                media_warnings = _check_media_map(archive, budget, zstd=member.endswith("b"), file=name)
            conn = _connect(db_path, member)
            try:
                return _Reader(conn, path, member, deck, media_warnings).read()
            finally:
                conn.close()
    except _Refused as exc:
        raise refuse(str(exc)) from None
    except FileNotFoundError:
        raise refuse("no such file") from None
    except IsADirectoryError:
        raise refuse("is a directory, not an Anki package") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise refuse(f"not a valid Anki package: damaged zip file ({_first_line(exc)})") from None
    except NotImplementedError as exc:  # a compression method zipfile doesn't know
        raise refuse(f"not a valid Anki package: {_first_line(exc)}") from None
    except sqlite3.DatabaseError as exc:
        raise refuse(f"{member} is not a valid Anki collection ({_first_line(exc)})") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        # Values of the wrong type where Anki always writes the right one.
        raise refuse(f"{member} is damaged ({type(exc).__name__}: {_first_line(exc)})") from None
    except OSError as exc:
        raise refuse(f"cannot read the package: {exc.strerror or _first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


# -- the zip ---------------------------------------------------------------


class _Budget:
    """Counts the uncompressed bytes taken out of the package."""

    def __init__(self, limit: int = MAX_UNCOMPRESSED_BYTES) -> None:
        self.left = limit
        self.limit = limit

    def take(self, n: int, what: str) -> None:
        self.left -= n
        if self.left < 0:
            raise _Refused(f"{what} expands past {self.limit // 2**20} MB: refused (zip bomb?)")


def _pick_collection(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "meta" in names:
        meta = _read_member(archive, "meta", _Budget(MAX_META_BYTES), limit=MAX_META_BYTES)
        version = _meta_version(meta)
        if version not in KNOWN_PACKAGE_VERSIONS:
            raise _Refused(
                f"package format version {version} is newer than this quizapp reads; "
                "export it from Anki with 'Support older Anki versions' ticked"
            )
    for member in COLLECTIONS:
        if member in names:
            return member
    raise _Refused("not an Anki package: no collection inside (collection.anki21b, .anki21 or .anki2)")


def _check_member(info: zipfile.ZipInfo, budget: _Budget, limit: int | None = None) -> None:
    if info.flag_bits & 0x1:
        raise _Refused(f"{info.filename} is encrypted")
    limit = budget.left if limit is None else min(limit, budget.left)
    if info.file_size > limit:
        raise _Refused(
            f"{info.filename} declares {info.file_size / 2**20:.1f} MB uncompressed, "
            f"over the {budget.limit // 2**20} MB limit: refused (zip bomb?)"
        )
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise _Refused(f"{info.filename} expands {ratio}:1 when unpacked: refused as a zip bomb")


def _chunks(archive: zipfile.ZipFile, member: str, budget: _Budget, limit: int | None = None) -> Iterator[bytes]:
    """The member's bytes, refusing more than declared or allowed."""
    info = archive.getinfo(member)
    _check_member(info, budget, limit)
    declared = info.file_size
    seen = 0
    with archive.open(info) as src:
        while chunk := src.read(1 << 20):
            seen += len(chunk)
            if seen > declared:
                raise _Refused(f"{member} holds more than its declared size: refused (zip bomb?)")
            budget.take(len(chunk), member)
            yield chunk


def _read_member(archive: zipfile.ZipFile, member: str, budget: _Budget, limit: int) -> bytes:
    return b"".join(_chunks(archive, member, budget, limit))


def _zstd():
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency of quizapp
        raise _Refused(
            "this package is in Anki's 2.1.50+ format, which needs the 'zstandard' module "
            "(pip install zstandard), or export it with 'Support older Anki versions' ticked"
        ) from None
    return zstandard


def _extract(archive: zipfile.ZipFile, member: str, dest: Path, budget: _Budget, *, zstd: bool) -> None:
    """Copy ``member`` (zstd-decompressed for .anki21b) to ``dest``, within the budget."""
    with open(dest, "wb") as out:
        if not zstd:
            for chunk in _chunks(archive, member, budget):
                out.write(chunk)
            return
        compressed = archive.getinfo(member).file_size
        for chunk in _unzstd(_chunks(archive, member, budget), member, budget, compressed):
            out.write(chunk)


class _ChunkStream:
    """A file-like view of an iterator of byte chunks (what zstandard reads from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _unzstd(chunks: Iterator[bytes], member: str, budget: _Budget, compressed: int) -> Iterator[bytes]:
    """Decompress zstd ``chunks``, refusing what expands past the budget or ratio."""
    zstandard = _zstd()
    produced = 0
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(_ChunkStream(chunks), read_across_frames=True)
        while chunk := reader.read(1 << 20):
            produced += len(chunk)
            budget.take(len(chunk), member)
            if produced > RATIO_FLOOR and produced > MAX_RATIO * max(compressed, 1):
                raise _Refused(f"{member} expands over {MAX_RATIO}:1 when unpacked: refused as a zip bomb")
            yield chunk
    except zstandard.ZstdError as exc:
        raise _Damaged(f"{member} is damaged: not valid zstd data ({_first_line(exc)})") from None


def _check_media_map(archive: zipfile.ZipFile, budget: _Budget, *, zstd: bool, file: str) -> list[Problem]:
    """Warnings about the package's media map: names that would leave the
    media folder (neutralised, as in fields), or a map that can't be read
    (it costs no card). A map that expands like a bomb is refused."""
    if "media" not in archive.namelist():
        return []
    raw = _read_member(archive, "media", budget, MAX_MEDIA_MAP_BYTES)
    warnings: list[Problem] = []
    try:
        if zstd or raw.startswith(_ZSTD_MAGIC):
            data = b"".join(_unzstd(iter([raw]), "media", budget, len(raw)))
            if len(data) > MAX_MEDIA_MAP_BYTES:
                raise _Refused(f"media expands past {MAX_MEDIA_MAP_BYTES // 2**20} MB: refused (zip bomb?)")
            names = _media_entries(data)
        else:
            mapping = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
                raise ValueError("not a JSON object of file names")
            names = list(mapping.values())
    except (ValueError, UnicodeDecodeError, _Damaged) as exc:
        return [Problem(file, None, f"media list unreadable, ignored: {_first_line(exc)}")]
    for media_name in names:
        clean = _safe_media_name(media_name)
        if clean != media_name:
            warnings.append(Problem(file, None, f"media file name {media_name!r} is unsafe: kept as {clean!r}"))
    return warnings


# -- protobuf, just enough ---------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated protobuf varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _pb_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: ints for varints, bytes otherwise."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > len(buf):
            raise ValueError("truncated protobuf message")
        yield number, value


def _pb_get(buf: bytes | None, number: int, default=None):
    """The last value of field ``number`` (protobuf's rule for scalars)."""
    value = default
    for n, v in _pb_fields(buf or b""):
        if n == number:
            value = v
    return value


def _pb_str(buf: bytes | None, number: int) -> str:
    value = _pb_get(buf, number, b"")
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _meta_version(raw: bytes) -> int:
    try:
        version = _pb_get(raw, 1, 0)
    except ValueError:
        raise _Refused("package 'meta' is damaged") from None
    return version if isinstance(version, int) else -1


def _media_entries(data: bytes) -> list[str]:
    """MediaEntries { repeated MediaEntry entries = 1 } -> the entries' names
    (MediaEntry: name 1, size 2, sha1 3, legacy_zip_filename 255)."""
    names = []
    for number, entry in _pb_fields(data):
        if number == 1 and isinstance(entry, bytes):
            names.append(_pb_str(entry, 1))
    return names


# -- media names --------------------------------------------------------------


def _safe_media_name(name: str) -> str:
    """``name`` if it is a plain file name; else its last component, cleaned."""
    decoded = unquote(name)
    unsafe = any(
        "/" in n or "\\" in n or n in (".", "..") or _CONTROL.search(n) or re.match(r"^[A-Za-z]:", n)
        for n in (name, decoded)
    )
    if not unsafe:
        return name
    last = re.split(r"[/\\]", decoded)[-1]
    last = _CONTROL.sub("", last)
    last = re.sub(r"^[A-Za-z]:", "", last).strip()
    return last if last not in ("", ".", "..") else "unnamed"


# -- SQLite -------------------------------------------------------------------


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _connect(db_path: Path, member: str) -> sqlite3.Connection:
    with open(db_path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise _Refused(f"{member} is not an SQLite database (damaged package?)")
    conn = sqlite3.connect(db_path)
    # Anki's own collation, used by schema 18's name columns.
    conn.create_collation("unicase", _unicase)
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


@dataclass
class _Template:
    ord: int
    name: str
    qfmt: str
    afmt: str


@dataclass
class _NoteType:
    id: int
    name: str
    cloze: bool
    fields: list[str]
    templates: dict[int, _Template]
    stock_kind: int = 0
    #: Filled by _analyse: per template ord, how its card is read.
    layout: dict[int, _Layout] = field(default_factory=dict)
    standard: bool = True
    reversed_pair: bool = False
    image_occlusion: bool = False


@dataclass
class _Layout:
    """Which fields a template shows: question, answer, typed answer."""

    question: list[str]
    answer: list[str]
    typed: str | None = None


def _refs(template: str, fields: list[str]) -> tuple[list[str], list[str]]:
    """Fields a template shows (in order, once each), and those it asks to type."""
    shown: list[str] = []
    typed: list[str] = []
    for sigil, body in _REF.findall(template):
        if sigil:  # {{#F}}, {{^F}}, {{/F}}: conditions, not content
            continue
        parts = [p.strip() for p in body.split(":")]
        name, filters = parts[-1], parts[:-1]
        if name not in fields:  # FrontSide, Tags, Deck, Card...
            continue
        target = typed if "type" in filters else shown
        if name not in target:
            target.append(name)
    return shown, typed


def _analyse(nt: _NoteType) -> None:
    """Decide how each template's card is read, and whether the type is standard."""
    text = " ".join(t.qfmt + t.afmt for t in nt.templates.values())
    nt.image_occlusion = nt.cloze and (nt.stock_kind == 6 or "image-occlusion" in text)
    for ord_, t in nt.templates.items():
        q_shown, q_typed = _refs(t.qfmt, nt.fields)
        a_shown, a_typed = _refs(t.afmt, nt.fields)
        typed = (q_typed or a_typed or [None])[0]
        question = [f for f in q_shown if f != typed]
        answer = [f for f in a_shown if f not in question and f != typed]
        nt.layout[ord_] = _Layout(question, answer, typed)
        if len(question) != 1 or len(answer) > 1 or len(q_typed) + len(a_typed) > (2 if typed else 0):
            nt.standard = False
    if not nt.cloze and len(nt.templates) == 2 and 0 in nt.layout and 1 in nt.layout:
        first, second = nt.layout[0], nt.layout[1]
        nt.reversed_pair = (
            not first.typed and not second.typed and first.question == second.answer and first.answer == second.question
        )
    if not nt.cloze and len(nt.templates) > 1 and not nt.reversed_pair:
        nt.standard = False


# -- reading the collection ------------------------------------------------------


class _Reader:
    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        member: str,
        deck: str | None,
        warnings: list[Problem],
    ) -> None:
        self.conn = conn
        self.path = path
        self.file = str(path)
        self.member = member
        self.target_deck = deck.strip() if deck and deck.strip() else None
        self.warnings = warnings
        self._warned: set[str] = set()

    def warn(self, message: str, *, once: str | None = None) -> None:
        if once is not None:
            if once in self._warned:
                return
            self._warned.add(once)
        self.warnings.append(Problem(self.file, None, message))

    # -- schema

    def _tables(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def read(self) -> ParsedDeck:
        tables = self._tables()
        missing = {"notes", "cards"} - tables
        if missing:
            raise _Refused(f"{self.member} is not an Anki collection (no {', '.join(sorted(missing))} table)")
        if {"notetypes", "fields", "templates", "decks"} <= tables:
            note_types, decks, sched_ver = self._schema18()
        elif "col" in tables:
            note_types, decks, sched_ver = self._schema11()
        else:
            raise _Refused(f"{self.member} is not an Anki collection (no note types)")
        for nt in note_types.values():
            _analyse(nt)
        self._refuse_placeholder()
        cards, card_ids = self._cards(note_types, decks)
        reviews = self._reviews(card_ids, sched_ver) if "revlog" in tables else []
        return self._finish(cards, reviews, decks)

    def _schema11(self) -> tuple[dict[int, _NoteType], dict[int, tuple[str, str]], int]:
        row = self.conn.execute("SELECT models, decks, conf FROM col LIMIT 1").fetchone()
        if row is None:
            raise _Refused(f"{self.member} is not an Anki collection (empty col table)")
        try:
            models, deck_rows, conf = (json.loads(x) if x else {} for x in row)
            note_types: dict[int, _NoteType] = {}
            for key, m in models.items():
                fields = [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])]
                templates = {
                    int(t["ord"]): _Template(int(t["ord"]), str(t.get("name", "")), str(t["qfmt"]), str(t["afmt"]))
                    for t in m["tmpls"]
                }
                note_types[int(m.get("id", key))] = _NoteType(
                    id=int(m.get("id", key)),
                    name=str(m.get("name", "")),
                    cloze=m.get("type") == 1,
                    fields=[str(f) for f in fields],
                    templates=templates,
                    stock_kind=int(m.get("originalStockKind") or 0),
                )
            decks = {
                int(d.get("id", key)): (_clean_deck(str(d["name"])), html_to_text(str(d.get("desc") or "")))
                for key, d in deck_rows.items()
            }
            sched_ver = int(conf.get("schedVer", 1)) if isinstance(conf, dict) else 1
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _Refused(f"{self.member}: note types or decks are damaged ({type(exc).__name__}: {exc})") from None
        return note_types, decks, sched_ver

    def _schema18(self) -> tuple[dict[int, _NoteType], dict[int, tuple[str, str]], int]:
        try:
            note_types: dict[int, _NoteType] = {}
            for ntid, name, config in self.conn.execute("SELECT id, name, config FROM notetypes"):
                config = _blob(config)
                note_types[ntid] = _NoteType(
                    id=ntid,
                    name=name,
                    cloze=_pb_get(config, 1, 0) == 1,
                    fields=[],
                    templates={},
                    stock_kind=_pb_get(config, 9, 0) or 0,
                )
            for ntid, _ord, name in self.conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
                if ntid in note_types:
                    note_types[ntid].fields.append(name)
            for ntid, ord_, name, config in self.conn.execute("SELECT ntid, ord, name, config FROM templates"):
                if ntid in note_types:
                    config = _blob(config)
                    note_types[ntid].templates[ord_] = _Template(ord_, name, _pb_str(config, 1), _pb_str(config, 2))
            decks: dict[int, tuple[str, str]] = {}
            for did, name, kind in self.conn.execute("SELECT id, name, kind FROM decks"):
                normal = _pb_get(_blob(kind), 1)
                description = _pb_str(normal, 4) if isinstance(normal, bytes) else ""
                decks[did] = (_clean_deck(name.replace(_DECK_SEP, "::")), html_to_text(description))
            row = None
            if "config" in self._tables():
                row = self.conn.execute("SELECT val FROM config WHERE key = 'schedVer'").fetchone()
            sched_ver = int(json.loads(_blob(row[0]))) if row else 1
        except (ValueError, TypeError) as exc:
            raise _Refused(f"{self.member}: note types or decks are damaged ({exc})") from None
        return note_types, decks, sched_ver

    def _refuse_placeholder(self) -> None:
        rows = self.conn.execute("SELECT flds FROM notes LIMIT 2").fetchall()
        if len(rows) == 1 and isinstance(rows[0][0], str) and rows[0][0].startswith(PLACEHOLDER):
            raise _Refused(
                f"{self.member} holds only Anki's 'please update' placeholder: the real collection is missing"
            )

    # -- notes and cards

    def _cards(
        self, note_types: dict[int, _NoteType], decks: dict[int, tuple[str, str]]
    ) -> tuple[list[ParsedCard], dict[int, str]]:
        notes: dict[int, tuple[str, int, tuple[str, ...], list[str]]] = {}
        guids: dict[str, int] = {}
        for nid, guid, mid, tags, flds in self.conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
            if not isinstance(flds, str):
                raise _Refused(f"note {nid}: fields are not text")
            fields = flds.split(_FIELD_SEP)
            for index, value in enumerate(fields):
                if len(value) > MAX_FIELD_BYTES // 4 and len(value.encode("utf-8", "replace")) > MAX_FIELD_BYTES:
                    nt = note_types.get(mid)
                    label = nt.fields[index] if nt and index < len(nt.fields) else f"#{index + 1}"
                    size = len(value.encode("utf-8", "replace")) / 2**20
                    raise _Refused(
                        f"note {nid}: field {label!r} is {size:.1f} MB, over the "
                        f"{MAX_FIELD_BYTES // 2**20} MB limit per field"
                    )
            guid = guid.strip() if isinstance(guid, str) else ""
            if not guid or len(guid) > MAX_GUID_CHARS or _CONTROL.search(guid):
                self.warn(f"note {nid}: missing or malformed guid, skipped")
                continue
            if guid in guids:
                self.warn(f"note {nid}: same guid as note {guids[guid]}, skipped")
                continue
            guids[guid] = nid
            tag_list = tuple(dict.fromkeys(str(tags or "").split()))
            notes[nid] = (guid, mid, tag_list, fields)

        parsed: list[ParsedCard] = []
        card_ids: dict[int, str] = {}
        converted: dict[int, dict[str, str]] = {}
        skipped_notes: set[int] = set()
        seen: set[str] = set()
        for cid, nid, did, ord_, odid in self.conn.execute(
            "SELECT id, nid, did, ord, odid FROM cards ORDER BY nid, ord"
        ):
            note = notes.get(nid)
            if note is None or nid in skipped_notes:
                continue
            if not isinstance(ord_, int) or not 0 <= ord_ < 10_000:
                self.warn(f"note {nid}: card {cid} has no valid template number, skipped")
                continue
            guid, mid, tags, fields = note
            nt = note_types.get(mid)
            if nt is None:
                skipped_notes.add(nid)
                self.warn(f"note {nid}: its note type ({mid}) is missing, skipped")
                continue
            if nt.image_occlusion:
                skipped_notes.add(nid)
                self.warn(f"note {nid}: image occlusion notes ({nt.name!r}) can't be shown as text, skipped")
                continue
            if not nt.standard:
                self.warn(
                    f"note type {nt.name!r} is not one of Anki's standard kinds: its cards show "
                    "the first field of each side",
                    once=f"nt:{nt.id}",
                )
            if nid not in converted:
                converted[nid] = {
                    name: self._text(fields[i] if i < len(fields) else "", nid) for i, name in enumerate(nt.fields)
                }
            values = converted[nid]
            deck_id = odid or did
            if deck_id not in decks:
                self.warn(f"cards in a missing deck ({deck_id}) go to 'Default'", once=f"deck:{deck_id}")
                decks[deck_id] = ("Default", "")
            deck_name = decks[deck_id][0]
            card = self._card(nt, nid, guid, ord_, values, deck_name, tags)
            if card is None:
                continue
            if card.id in seen:
                self.warn(f"note {nid}: card {ord_ + 1} appears twice, skipped")
                continue
            seen.add(card.id)
            parsed.append(card)
            card_ids[cid] = card.id
        return parsed, card_ids

    def _text(self, html: str, nid: int) -> str:
        return html_to_text(self._neutralise_media(html, nid))

    def _neutralise_media(self, html: str, nid: int) -> str:
        """Media names in ``html`` that would leave the media folder, cut to their last part."""
        if "src" not in html.lower() and "[sound:" not in html:
            return html

        def clean(raw: str) -> str:
            if _URL.match(raw):
                return raw
            if raw.lower().startswith("data:"):
                return "embedded"
            safe = _safe_media_name(raw)
            if safe != raw:
                self.warn(f"note {nid}: media name {raw!r} is unsafe: kept as {safe!r}", once=f"media:{nid}:{raw}")
            return safe

        def src(m: re.Match) -> str:
            raw = unescape(next(g for g in m.groups()[1:] if g is not None))
            safe = clean(raw)
            return m.group(0) if safe == raw else f'{m.group(1)}"{escape(safe)}"'

        def sound(m: re.Match) -> str:
            raw = m.group(1).strip()
            safe = clean(raw)
            return m.group(0) if safe == raw else f"[sound:{safe}]"

        html = _TAG.sub(lambda t: _SRC_ATTR.sub(src, t.group(0)), html)
        return _SOUND.sub(sound, html)

    def _card(
        self,
        nt: _NoteType,
        nid: int,
        guid: str,
        ord_: int,
        values: dict[str, str],
        deck: str,
        tags: tuple[str, ...],
    ) -> ParsedCard | None:
        base = card_id_for_guid(guid)
        common = dict(deck=deck, tags=tags)
        if nt.cloze:
            template = nt.templates.get(0) or next(iter(nt.templates.values()), None)
            text_field, extra_fields = _cloze_fields(nt, template)
            text = values.get(text_field, "")
            number = ord_ + 1
            if number not in cloze_numbers(text):
                self.warn(f"note {nid}: cloze card {number} has no {{{{c{number}::...}}}} in its text, skipped")
                return None
            extra = "\n\n".join(v for f in extra_fields if (v := values.get(f, "")))
            back = cloze_back(text, number) + (f"\n\n{extra}" if extra else "")
            return ParsedCard(
                f"{base}::c{number}",
                kind=CardKind.CLOZE,
                front=cloze_front(text, number),
                back=back,
                data={"text": text, "cloze": number, "answers": cloze_answers(text, number)},
                **common,
            )
        layout = nt.layout.get(ord_)
        if layout is None:
            self.warn(f"note {nid}: card {ord_ + 1} has no template in {nt.name!r}, skipped")
            return None
        if ord_ == 0:
            card_id = base
        elif nt.reversed_pair and ord_ == 1:
            card_id = f"{base}::rev"
        else:
            card_id = f"{base}::{ord_ + 1}"
        front = values.get(layout.question[0], "") if layout.question else ""
        if not front:
            self.warn(f"note {nid}: card {ord_ + 1} has an empty question, skipped")
            return None
        back = values.get(layout.answer[0], "") if layout.answer else ""
        if layout.typed:
            answer = values.get(layout.typed, "")
            if not answer:
                self.warn(f"note {nid}: card {ord_ + 1} asks to type an empty answer, skipped")
                return None
            back = back if layout.answer else answer
            return ParsedCard(card_id, kind=CardKind.TYPE, front=front, back=back, data={"answer": answer}, **common)
        return ParsedCard(card_id, kind=CardKind.BASIC, front=front, back=back, **common)

    # -- review history

    def _reviews(self, card_ids: dict[int, str], sched_ver: int) -> list[ParsedReview]:
        reviews: list[ParsedReview] = []
        bad_times = 0
        for rid, cid, ease, ivl, last_ivl, taken, kind in self.conn.execute(
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
                    interval_before_days=_days(last_ivl),
                    interval_after_days=_days(ivl),
                    duration_ms=max(int(taken or 0), 0),
                )
            )
        if bad_times:
            self.warn(f"{bad_times} review(s) with impossible times skipped")
        return reviews

    # -- decks and source

    def _finish(
        self, cards: list[ParsedCard], reviews: list[ParsedReview], decks: dict[int, tuple[str, str]]
    ) -> ParsedDeck:
        descriptions = {name: desc for name, desc in decks.values()}
        used = sorted({c.deck for c in cards}, key=lambda n: n.split("::"))
        tops = sorted({name.split("::")[0] for name in used})
        source = "apkg:" + (" + ".join(tops) if tops else self.path.stem)
        names: dict[str, str] = {}
        for name in used:
            parts = name.split("::")
            for depth in range(1, len(parts) + 1):
                ancestor = "::".join(parts[:depth])
                names.setdefault(ancestor, descriptions.get(ancestor, ""))
        if self.target_deck:
            rename = self._renamer(tops)
            cards = [_with_deck(c, rename(c.deck)) for c in cards]
            names = {rename(n): d for n, d in names.items()}
            if len(tops) != 1:
                names.setdefault(self.target_deck, "")
        return ParsedDeck(
            source=source, path=self.path, cards=cards, decks=names, reviews=reviews, warnings=self.warnings
        )

    def _renamer(self, tops: list[str]):
        target = self.target_deck
        if len(tops) == 1:
            top = tops[0]
            return lambda name: target + name[len(top) :]
        return lambda name: f"{target}::{name}"


def _with_deck(card: ParsedCard, deck: str) -> ParsedCard:
    return replace(card, deck=deck)


def _cloze_fields(nt: _NoteType, template: _Template | None) -> tuple[str, list[str]]:
    """The field holding the cloze text, and the fields shown with the answer."""
    text_field = nt.fields[0] if nt.fields else ""
    if template is not None:
        for sigil, body in _REF.findall(template.qfmt):
            parts = [p.strip() for p in body.split(":")]
            if not sigil and "cloze" in parts[:-1] and parts[-1] in nt.fields:
                text_field = parts[-1]
                break
        shown, _ = _refs(template.afmt, nt.fields)
        return text_field, [f for f in shown if f != text_field]
    return text_field, []


def _clean_deck(name: str) -> str:
    parts = [p.strip() for p in name.split("::")]
    return "::".join(p for p in parts if p) or "Default"


def _blob(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return b""


def _days(interval) -> float:
    """Anki's interval: positive days, or negative seconds."""
    try:
        value = int(interval or 0)
    except (TypeError, ValueError):
        return 0.0
    return float(value) if value >= 0 else -value / 86400
