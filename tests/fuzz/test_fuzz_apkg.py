"""Property-based fuzzing of an .apkg's inner collection: a small valid
package (genanki, with a review history added) whose tables are mutated by
FUZZ_CASES generated SQL edits (odd values of every type in every column,
rows and tables removed), each read into a deck or refused with a one-line
DeckError, never another exception, within the deadline."""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.importers.apkg import read_apkg
from quizapp.importers.base import DeckError
from tests.fuzz.strategies import FUZZ, mutated

pytestmark = pytest.mark.slow
pytest.importorskip("genanki")

COLUMNS = {
    "notes": ["id", "guid", "mid", "mod", "tags", "flds", "sfld"],
    "cards": ["id", "nid", "did", "ord", "type", "queue", "due", "ivl", "factor", "reps", "lapses"],
    "revlog": ["id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type"],
    "col": ["models", "decks", "conf", "dconf", "ver", "crt"],
}
VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 10**15, -(10**15), 2**31]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.binary(max_size=40),
    mutated(['{"1": {"name": "D", "id": 1}}', "a\x1fb", "<b>x</b>\x1f{{c1::y}}", "[]", "{}"]),
)
EDIT = st.one_of(
    st.tuples(st.just("update"), st.sampled_from(sorted(COLUMNS)), st.data()),
    st.tuples(st.just("delete"), st.sampled_from(sorted(COLUMNS)), st.none()),
    st.tuples(st.just("drop"), st.sampled_from(["revlog", "notes", "cards", "col"]), st.none()),
)


@pytest.fixture(scope="module")
def base() -> Iterator[tuple[bytes, Path]]:
    from tests.anki_fixtures import genanki_package, members

    with tempfile.TemporaryDirectory(prefix="quizapp-fuzz-apkg-") as tmp:
        folder = Path(tmp)
        package = genanki_package(folder / "base.apkg", folder / "media")
        collection = members(package)["collection.anki2"]
        db_path = folder / "base.sqlite"
        db_path.write_bytes(collection)
        db = sqlite3.connect(db_path)
        card_ids = [row[0] for row in db.execute("SELECT id FROM cards")]
        for n, cid in enumerate(card_ids):  # a short history for each card
            for k, (ease, kind, ivl) in enumerate([(1, 0, -60), (3, 0, 1), (3, 1, 4)]):
                rid = 1_700_000_000_000 + n * 10_000_000 + k * 1_000_000
                db.execute(
                    "INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, 2500, 4000, ?)",
                    (rid, cid, ease, ivl, max(ivl - 1, 0), kind),
                )
        db.commit()
        db.close()
        yield db_path.read_bytes(), folder


@FUZZ
@given(edits=st.lists(EDIT, min_size=1, max_size=4))
def test_apkg_collection(base, edits):
    collection, folder = base
    db_path = folder / "case.sqlite"
    db_path.write_bytes(collection)
    with closing(sqlite3.connect(db_path)) as db:
        for action, table, data in edits:
            if action == "update":
                column = data.draw(st.sampled_from(COLUMNS[table]))
                value = data.draw(VALUES)
                where = data.draw(st.sampled_from(["", " WHERE rowid = 1", " WHERE rowid % 2 = 0"]))
                statement, params = f"UPDATE {table} SET {column} = ?{where}", (value,)
            elif action == "delete":
                statement, params = f"DELETE FROM {table} WHERE rowid % 2 = 1", ()
            else:
                statement, params = f"DROP TABLE IF EXISTS {table}", ()
            try:
                db.execute(statement, params)
            except sqlite3.Error:  # an edit the schema refuses (text in an id): the others still apply
                continue
        db.commit()
    package = folder / "case.apkg"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("collection.anki2", db_path.read_bytes())
        archive.writestr("media", "{}")
    try:
        parsed = read_apkg(package)
    except DeckError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert "\n" not in problem.message, problem
            assert problem.file == str(package)
        return
    for review in parsed.reviews:
        assert 0 <= review.interval_after_days <= 36500 and 0 <= review.duration_ms <= 3_600_000
    for warning in parsed.warnings:
        assert "\n" not in warning.message, warning
