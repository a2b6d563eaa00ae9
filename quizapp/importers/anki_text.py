"""Anki's text files (CSV/TSV notes, as Anki imports and exports them).

The rules are Anki's own (rslib/src/import_export/text/csv/metadata.rs and
import.rs; the manual's "Importing > Text Files > File Headers"):

- Headers: the very first line may be ``tags:a b`` (the old syntax); then
  ``#key:value`` lines at the top: ``separator`` (Comma, Semicolon, Tab,
  Space, Pipe, Colon or the character itself), ``html`` (true/false),
  ``tags``, ``columns`` (names, split with the separator known so far, tab
  if none), ``notetype``, ``deck``, ``notetype column``, ``deck column``,
  ``tags column``, ``guid column`` (1-based), ``if matches`` (update current,
  keep current, keep both) and ``match scope`` (notetype, notetype + deck).
  Other ``#`` lines are comments, anywhere in the file.
- No separator header: the first of tab, pipe, semicolon, colon, comma
  found in the first 8 KiB after the headers, else space.
- No html header: HTML if a field of the first five rows contains a tag.
- Fields map to the note type's fields by position (columns that hold the
  deck, note type, tags or guid skipped), or by name with ``#columns``;
  with one note type for the file, a column left after the fields holds
  the tags.

Where Anki silently falls back (an unknown separator or html value, a
missing column), this reader reports the problem instead: a file must not
import differently from what its author meant.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from quizapp.anki.cloze import cloze_answers, cloze_back, cloze_front, cloze_numbers
from quizapp.anki.html_text import has_tag, html_to_text
from quizapp.anki.ids import card_id_for_guid
from quizapp.domain import CardKind
from quizapp.importers.base import ANKI_KEPT, TYPE_BACK, DeckError, ParsedCard, ParsedDeck, Problem

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "NOTETYPES",
    "SEPARATORS",
    "read_anki_text",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FIELD_CHARS = 100_000
#: Anki's Delimiter enum, in the order its guesser tries them.
SEPARATORS = {"tab": "\t", "pipe": "|", "semicolon": ";", "colon": ":", "comma": ",", "space": " "}
_SEPARATOR_NAMES = {char: name for name, char in SEPARATORS.items()}
#: Anki's stock note types and their fields.
NOTETYPES = {
    "Basic": ("Front", "Back"),
    "Basic (and reversed card)": ("Front", "Back"),
    "Basic (optional reversed card)": ("Front", "Back", "Add Reverse"),
    "Basic (type in the answer)": ("Front", "Back"),
    "Cloze": ("Text", "Back Extra"),
}
_NOTETYPE_BY_KEY = {name.casefold(): name for name in NOTETYPES}
_IF_MATCHES = ("update current", "keep current", "keep both")
_MATCH_SCOPES = ("notetype", "notetype + deck")
_GUESS_BYTES = 8 * 1024
_HTML_GUESS_ROWS = 5


def _content_id(first_field: str) -> str:
    digest = hashlib.sha256(first_field.strip().encode("utf-8")).hexdigest()[:16]
    return f"anki-text:{digest}"


@dataclass
class _Header:
    separator: str | None = None
    html: bool | None = None
    tags: list[str] = field(default_factory=list)
    columns: list[str] | None = None
    notetype: str | None = None
    deck: str | None = None
    notetype_column: int | None = None
    deck_column: int | None = None
    tags_column: int | None = None
    guid_column: int | None = None
    #: Lines taken by the header (the body starts after them).
    lines: int = 0


@dataclass
class _Row:
    line: int
    fields: list[str]


def read_anki_text(path: Path, *, deck: str | None = None) -> ParsedDeck:
    """Read an Anki text file; raise DeckError listing every problem with its line.

    ``deck`` is the deck for notes the file puts in none (no ``#deck`` header,
    no deck column); the file's stem when not given.
    """
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DeckError([Problem(name, None, f"cannot read file: {exc.strerror or exc}")]) from exc
    if size > MAX_FILE_BYTES:
        message = f"file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB"
        raise DeckError([Problem(name, None, message)])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeckError([Problem(name, None, f"cannot read file: {exc.strerror or exc}")]) from exc
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM, as Anki accepts
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([Problem(name, line, "not valid UTF-8 (save the file as UTF-8)")]) from exc
    return _Reader(path, text, deck).read()


class _Reader:
    def __init__(self, path: Path, text: str, deck: str | None) -> None:
        self.path = path
        self.name = str(path)
        self.text = text
        self.default_deck = deck or path.stem
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))

    def warning(self, line: int | None, message: str) -> None:
        self.warnings.append(Problem(self.name, line, message))

    # -- header -----------------------------------------------------------

    def _header(self, lines: list[str]) -> _Header:
        header = _Header()
        for index, raw in enumerate(lines):
            line = raw.rstrip("\r\n")
            number = index + 1
            if index == 0 and line.startswith("tags:"):
                header.tags = line[len("tags:") :].split()
            elif not line.startswith("#"):
                break
            elif ":" in line:
                key, value = line[1:].split(":", 1)
                self._header_value(header, key.strip().lower(), value, number)
            header.lines = number
        return header

    def _header_value(self, header: _Header, key: str, value: str, line: int) -> None:
        if key == "separator":
            lowered = value.strip().lower()
            if lowered in SEPARATORS:
                header.separator = SEPARATORS[lowered]
            elif value in _SEPARATOR_NAMES:
                header.separator = value
            else:
                choices = "Comma, Semicolon, Tab, Space, Pipe, Colon or the character itself"
                self.problem(line, f"#separator: unknown value {value!r} ({choices})")
        elif key == "html":
            lowered = value.strip().lower()
            if lowered in ("true", "false"):
                header.html = lowered == "true"
            else:
                self.problem(line, f"#html: unknown value {value!r} (true or false)")
        elif key == "tags":
            header.tags = value.split()
        elif key == "columns":
            # Split with the separator set so far, as Anki does (tab if none yet).
            header.columns = next(csv.reader([value], delimiter=header.separator or "\t"), [])
        elif key == "notetype":
            header.notetype = value.strip()
        elif key == "deck":
            header.deck = value.strip()
        elif key in ("notetype column", "deck column", "tags column", "guid column"):
            number = value.strip()
            if number.isdigit() and int(number) > 0:
                setattr(header, key.replace(" ", "_"), int(number))
            else:
                self.problem(line, f"#{key}: {value.strip()!r} is not a column number (1, 2, 3...)")
        elif key == "if matches":
            if value.strip().lower() not in _IF_MATCHES:
                self.problem(line, f"#if matches: unknown value {value!r} ({', '.join(_IF_MATCHES)})")
        elif key == "match scope":
            if value.strip().lower() not in _MATCH_SCOPES:
                self.problem(line, f"#match scope: unknown value {value!r} ({', '.join(_MATCH_SCOPES)})")
        # Any other "#key:value" is a comment (Anki ignores it too).

    # -- rows -------------------------------------------------------------

    def _rows(self, lines: list[str], skip: int, separator: str) -> list[_Row]:
        """Records with the physical line each starts on. Like Anki's csv
        reader: lines starting with '#' between records are comments, blank
        lines are skipped, quoted fields may hold separators, newlines and
        doubled quotes."""
        rows: list[_Row] = []
        state = {"at_start": True, "start": 0, "index": skip, "ran_out": False}

        def feed() -> Iterator[str]:
            while state["index"] < len(lines):
                line = lines[state["index"]]
                state["index"] += 1
                if state["at_start"]:
                    if line.startswith("#") or not line.strip("\r\n"):
                        continue
                    state["at_start"] = False
                    state["start"] = state["index"]
                yield line
            if not state["at_start"]:
                state["ran_out"] = True

        reader = csv.reader(feed(), delimiter=separator, quotechar='"', doublequote=True, strict=False)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    self.problem(state["start"], f"a field is longer than {MAX_FIELD_CHARS} characters")
                else:
                    self.problem(state["start"], f"cannot read this row: {exc}")
                break
            if state["ran_out"]:
                self.problem(state["start"], 'a quoted field starting in this row is never closed (missing ")')
            if any(len(value) > MAX_FIELD_CHARS for value in record):
                self.problem(state["start"], f"a field is longer than {MAX_FIELD_CHARS} characters")
            else:
                rows.append(_Row(state["start"], record))
            state["at_start"] = True
        return rows

    # -- whole file ---------------------------------------------------------

    def read(self) -> ParsedDeck:
        lines = io.StringIO(self.text, newline="").readlines()
        header = self._header(lines)
        separator = header.separator
        if separator is None:
            body = "".join(lines[header.lines :]).encode("utf-8")[:_GUESS_BYTES]
            separator = next((c for c in SEPARATORS.values() if c.encode() in body), " ")
        rows = self._rows(lines, header.lines, separator)
        if not rows and not self.problems:
            self.problem(None, "no notes in the file")
        if self.problems:
            raise DeckError(self.problems)
        is_html = header.html
        if is_html is None:
            is_html = any(has_tag(v) for row in rows[:_HTML_GUESS_ROWS] for v in row.fields)
        cards, decks = self._notes(header, rows, separator, is_html)
        if self.problems:
            raise DeckError(self.problems)
        return ParsedDeck(
            source=f"anki-text:{self.path.name}",
            path=self.path,
            cards=cards,
            decks=decks,
            warnings=self.warnings,
            kept=ANKI_KEPT | {TYPE_BACK},  # a typed note's Back is its answer
        )

    def _notes(
        self, header: _Header, rows: list[_Row], separator: str, is_html: bool
    ) -> tuple[list[ParsedCard], dict[str, str]]:
        meta = {c for c in (header.notetype_column, header.deck_column, header.tags_column, header.guid_column) if c}
        column_count = len(header.columns) if header.columns else len(rows[0].fields)
        global_type = None if header.notetype_column else (header.notetype or "Basic")
        tags_column = header.tags_column
        field_columns: list[int] = []
        if global_type is not None:
            fields = NOTETYPES[_NOTETYPE_BY_KEY.get(global_type.casefold(), "Basic")]
            field_columns = _map_fields(fields, header.columns, meta, column_count)
            if tags_column is None:
                tags_column = _tags_column(field_columns, header.columns, meta, column_count)

        def text(row: _Row, column: int) -> str:
            raw = row.fields[column - 1] if column <= len(row.fields) else ""
            return html_to_text(raw) if is_html else raw.strip()

        def meta_value(row: _Row, column: int | None) -> str:
            return row.fields[column - 1].strip() if column and column <= len(row.fields) else ""

        cards: list[ParsedCard] = []
        decks: dict[str, str] = {}
        seen: dict[str, int] = {}
        unknown: dict[str, list[int]] = {}
        for row in rows:
            width = len(row.fields)
            notetype = global_type or meta_value(row, header.notetype_column) or header.notetype or "Basic"
            known = _NOTETYPE_BY_KEY.get(notetype.casefold())
            if known is None:
                unknown.setdefault(notetype, []).append(row.line)
                known = "Basic"
            names = NOTETYPES[known]
            if global_type is None:
                # A note type per row: the other columns are its fields, in order.
                free = [i for i in range(1, max(width, column_count) + len(names) + 1) if i not in meta]
                columns = free[: len(names)]
            else:
                columns = field_columns
            required = 1 if known == "Cloze" else 2
            meta_needed = [c for c in (header.notetype_column, header.deck_column, header.guid_column) if c]
            needed = max(columns[:required] + meta_needed)
            if width < needed:
                self.problem(
                    row.line,
                    f"row has {width} field{'' if width == 1 else 's'}, {known} needs at least {needed}"
                    f" (separator: {_SEPARATOR_NAMES[separator]})",
                )
                continue
            values = [text(row, c) for c in columns]
            first, back = values[0], values[1]
            if not first:
                self.warning(row.line, f"empty {names[0]} field: note skipped (as Anki does)")
                continue
            guid = meta_value(row, header.guid_column)
            base = card_id_for_guid(guid) if guid else _content_id(first)
            if base in seen:
                what = "guid" if guid else f"{names[0]} field"
                self.warning(row.line, f"same {what} as the note at line {seen[base]}: skipped")
                continue
            seen[base] = row.line
            card_deck = meta_value(row, header.deck_column) or header.deck or self.default_deck
            decks.setdefault(card_deck, "")
            tags = tuple(dict.fromkeys(header.tags + meta_value(row, tags_column).split()))
            new_card = partial(ParsedCard, deck=card_deck, tags=tags, line=row.line)  # what the note's cards share
            if known == "Cloze":
                numbers = cloze_numbers(first)
                if not numbers:
                    self.warning(row.line, "cloze note without a {{c1::...}} deletion: skipped")
                    continue
                extra = f"\n\n{back}" if back else ""
                for n in numbers:
                    cards.append(
                        new_card(
                            f"{base}::c{n}",
                            kind=CardKind.CLOZE,
                            front=cloze_front(first, n),
                            back=cloze_back(first, n) + extra,
                            data={"text": first, "cloze": n, "answers": cloze_answers(first, n)},
                        )
                    )
            elif known == "Basic (type in the answer)":
                data = {"answer": back}
                cards.append(new_card(base, kind=CardKind.TYPE, front=first, back=back, data=data))
            else:
                cards.append(new_card(base, kind=CardKind.BASIC, front=first, back=back))
                if known == "Basic (and reversed card)" or (known == "Basic (optional reversed card)" and values[2]):
                    cards.append(new_card(f"{base}::rev", kind=CardKind.BASIC, front=back, back=first))
        for notetype, at in unknown.items():
            count = f"{len(at)} note" + ("" if len(at) == 1 else "s")
            message = f"unknown note type {notetype!r} ({count}): read as Basic, first field front, second back"
            self.warning(at[0], message)
        return cards, decks


def _map_fields(fields: tuple[str, ...], labels: list[str] | None, meta: set[int], column_count: int) -> list[int]:
    """1-based source column of each field of a note type: by position among
    the columns that are not deck/notetype/tags/guid, or by ``#columns`` name
    (fields not named take the columns left over, in order)."""
    free = [i for i in range(1, max(column_count, len(fields) + len(meta)) + len(fields) + 1) if i not in meta]
    named = {}
    if labels:
        by_label = {label.strip().casefold(): i + 1 for i, label in enumerate(labels) if i + 1 not in meta}
        named = {f: by_label[f.casefold()] for f in fields if f.casefold() in by_label}
    if not named:
        return free[: len(fields)]
    taken = set(named.values()) | {i + 1 for i, label in enumerate(labels or []) if label.strip().casefold() == "tags"}
    rest = iter(c for c in free if c not in taken)
    return [named[f] if f in named else next(rest) for f in fields]


def _tags_column(field_columns: list[int], labels: list[str] | None, meta: set[int], column_count: int) -> int | None:
    """Anki: the first free column after the fields holds the tags (and,
    beyond Anki, a column named "Tags" in ``#columns``)."""
    after = next((i for i in range(max(field_columns) + 1, column_count + 1) if i not in meta), None)
    if after is not None:
        return after
    labelled = [i + 1 for i, label in enumerate(labels or []) if label.strip().casefold() == "tags"]
    return next((i for i in labelled if i not in meta and i not in field_columns), None)
