"""Anki packages (.apkg) written with zipfile and sqlite3: what Anki 2.1's
legacy export writes, so every Anki since 2.1 (and AnkiDroid, AnkiMobile)
opens it.

The zip holds ``collection.anki2``, a schema 11 collection, and ``media``,
the empty media map ``{}``.

    __init__.py    write_apkg: cards -> notes -> collection -> zip, written whole or not at all
    notes.py       cards grouped back into notes (reversed pairs, cloze siblings), with their guids
    notetypes.py   the four stock note types written, as schema 11 JSON
    collection.py  the schema 11 SQLite: note types, decks, options, notes, cards, review history
"""

from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from quizapp.anki.package import COLLECTION_LEGACY, MEDIA
from quizapp.exporters.apkg.collection import write_collection
from quizapp.exporters.apkg.notes import group_notes
from quizapp.exporters.base import Scheduling

__all__ = ["write_apkg"]


def write_apkg(cards, path: Path, *, reviews=None, scheduling: Scheduling | None = None) -> int:
    """Write ``cards`` (with ``reviews``, ParsedReview-like, if given; with a
    learner's ``scheduling``, their card states and review log) as an Anki
    package at ``path``; return how many cards were left out (generated and
    code cards)."""
    notes, left_out = group_notes(cards)
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        db_path = Path(tmp) / COLLECTION_LEGACY
        write_collection(db_path, notes, reviews, now=time.time(), scheduling=scheduling)
        # Written beside the target, then renamed: never a half-written package.
        path = Path(path)
        partial = path.with_name(path.name + ".part")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(db_path, COLLECTION_LEGACY)
                archive.writestr(MEDIA, "{}")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return left_out
