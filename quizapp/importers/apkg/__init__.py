"""Anki packages (.apkg, and .colpkg: the same zip) read into a ParsedDeck,
with zipfile and sqlite3.

All three collection formats are read (``collection.anki2``,
``.anki21``, and ``.anki21b`` with zstd and schema 18: quizapp.anki.package);
a package holding only Anki's "please update" placeholder is refused. Media
files are never extracted: fields keep their names (``[image: a.png]``); a
name that climbs directories is neutralised to its last component, with a
warning (quizapp.anki.media). The collection itself is extracted, within a
size budget (quizapp.anki.budget), to a temporary directory that is gone
when ``read_apkg`` returns.

    __init__.py    read_apkg: open the package, read it, turn any failure into a DeckError
    collection.py  the collection's SQLite: note types, decks, scheduler version (schema 11 or 18)
    cards.py       notes and cards -> ParsedCards: ids, kinds, field text
    reviews.py     revlog -> ParsedReviews
    schedule.py    each card's SM-2 schedule (type, interval, ease, due) -> ParsedSchedules
    decks.py       the decks the cards go to, ``--deck``, and the source
    problems.py    the warnings of one read
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
import zlib
from pathlib import Path

from quizapp.anki.budget import Budget, extract, read_member
from quizapp.anki.errors import Damaged, Refused, first_line
from quizapp.anki.media import media_map_names, safe_media_name
from quizapp.anki.notetypes import analyse
from quizapp.anki.package import COLLECTION_ZSTD, MAX_MEDIA_MAP_BYTES, MEDIA, pick_collection
from quizapp.importers.apkg.cards import MAX_FIELD_BYTES, read_cards
from quizapp.importers.apkg.collection import open_collection, read_schema, refuse_placeholder, table_names
from quizapp.importers.apkg.decks import to_parsed_deck
from quizapp.importers.apkg.problems import Warnings
from quizapp.importers.apkg.reviews import read_reviews
from quizapp.importers.apkg.schedule import read_schedules
from quizapp.importers.base import DeckError, ParsedDeck, Problem

__all__ = ["MAX_FIELD_BYTES", "read_apkg"]


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
                member = pick_collection(archive)
                budget = Budget()
                db_path = Path(tmp) / "collection.sqlite"
                zstd = member == COLLECTION_ZSTD
                extract(archive, member, db_path, budget, zstd=zstd)
                warnings = Warnings(name)
                _check_media_map(archive, budget, zstd=zstd, warnings=warnings)
            conn = open_collection(db_path, member)
            try:
                return _read(conn, path, member, deck, warnings)
            finally:
                conn.close()
    except Refused as exc:
        raise refuse(str(exc)) from None
    except FileNotFoundError:
        raise refuse("no such file") from None
    except IsADirectoryError:
        raise refuse("is a directory, not an Anki package") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise refuse(f"not a valid Anki package: damaged zip file ({first_line(exc)})") from None
    except NotImplementedError as exc:  # a compression method zipfile doesn't know
        raise refuse(f"not a valid Anki package: {first_line(exc)}") from None
    except sqlite3.DatabaseError as exc:
        raise refuse(f"{member} is not a valid Anki collection ({first_line(exc)})") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        # Values of the wrong type where Anki always writes the right one.
        raise refuse(f"{member} is damaged ({type(exc).__name__}: {first_line(exc)})") from None
    except OSError as exc:
        raise refuse(f"cannot read the package: {exc.strerror or first_line(exc)}") from None


def _check_media_map(archive: zipfile.ZipFile, budget: Budget, *, zstd: bool, warnings: Warnings) -> None:
    """Warnings about the package's media map: names that would leave the
    media folder (neutralised, as in fields), or a map that can't be read
    (it costs no card). A map that expands like a bomb is refused."""
    if MEDIA not in archive.namelist():
        return
    raw = read_member(archive, MEDIA, budget, MAX_MEDIA_MAP_BYTES)
    try:
        names = media_map_names(raw, budget, zstd=zstd)
    except (ValueError, UnicodeDecodeError, Damaged) as exc:
        warnings.warn(f"media list unreadable, ignored: {first_line(exc)}")
        return
    for media_name in names:
        clean = safe_media_name(media_name)
        if clean != media_name:
            warnings.warn(f"media file name {media_name!r} is unsafe: kept as {clean!r}")


def _read(conn: sqlite3.Connection, path: Path, member: str, deck: str | None, warnings: Warnings) -> ParsedDeck:
    tables = table_names(conn)
    missing = {"notes", "cards"} - tables
    if missing:
        raise Refused(f"{member} is not an Anki collection (no {', '.join(sorted(missing))} table)")
    note_types, decks, sched_ver = read_schema(conn, member, tables)
    for nt in note_types.values():
        analyse(nt)
    refuse_placeholder(conn, member)
    cards, card_ids = read_cards(conn, note_types, decks, warnings)
    reviews = read_reviews(conn, card_ids, sched_ver, warnings) if "revlog" in tables else []
    parsed = to_parsed_deck(path, cards, reviews, decks, warnings, deck)
    parsed.schedules.update(read_schedules(conn, card_ids))
    return parsed
