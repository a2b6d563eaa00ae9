"""The CLI and the disk: which --db makes a new database, URL-looking paths,
and a full disk (issue 9, item 7): each a one-line message, a non-zero exit,
and nothing half-written."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from quizapp.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_database_is_made_only_in_a_folder_that_exists(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", str(tmp_path / "tyop" / "q.sqlite3"), "decks")
    assert code == 2 and len(err.splitlines()) == 1
    assert "no folder" in err and str(tmp_path / "tyop") in err
    assert list(tmp_path.iterdir()) == []  # no folder, no empty database
    code, _, err = run(capsys, "--db", str(tmp_path / "q.sqlite3"), "decks")
    assert code == 0 and err == f"quizapp: created a new database at {tmp_path / 'q.sqlite3'}\n"
    code, _, err = run(capsys, "--db", str(tmp_path / "q.sqlite3"), "decks")
    assert code == 0 and err == ""  # said only once


def test_the_default_location_is_created(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZAPP_DB", raising=False)
    monkeypatch.setenv("QUIZAPP_DATA_DIR", str(tmp_path / "a" / "b"))
    code, _, err = run(capsys, "decks")
    assert code == 0 and "created a new database" in err
    assert (tmp_path / "a" / "b" / "quizapp.sqlite3").is_file()


@pytest.mark.parametrize("value", ["file:data/q.db?mode=ro", "sqlite:data/q.db", "://nowhere"])
def test_a_url_looking_path_is_refused_in_one_line(capsys, tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", value, "decks")
    assert code == 2 and len(err.splitlines()) == 1 and value in err
    assert list(tmp_path.iterdir()) == []  # no ./file: folder


class TinyDisk:
    """Once on, every SQLite connection opened may grow its file by only a
    few pages: SQLite then reports "database or disk is full"."""

    def on(self) -> None:
        event.listen(Pool, "connect", self.limit)

    def off(self) -> None:
        if event.contains(Pool, "connect", self.limit):
            event.remove(Pool, "connect", self.limit)

    @staticmethod
    def limit(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 4}")


@pytest.fixture
def tiny_disk():
    disk = TinyDisk()
    yield disk
    disk.off()


def test_a_full_disk_during_import_is_one_line_and_writes_nothing(capsys, tmp_path, tiny_disk):
    db = tmp_path / "q.sqlite3"
    assert run(capsys, "--db", str(db), "decks")[0] == 0  # the database as it was
    cards = "\n".join(f'[[cards]]\nid = "c{i}"\nfront = "{"front " * 40}{i}?"\nback = "{i}"\n' for i in range(2000))
    deck = tmp_path / "big.toml"
    deck.write_text(f'format = 1\n[deck]\nid = "big"\nname = "Big"\n\n{cards}', encoding="utf-8")
    before = _card_count(db)
    tiny_disk.on()
    code, out, err = run(capsys, "--db", str(db), "import", str(deck))
    tiny_disk.off()
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "database or disk is full" in err, err
    assert _card_count(db) == before  # nothing half-written
    assert run(capsys, "--db", str(db), "decks")[0] == 0  # and the database still opens


def _card_count(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM card").fetchone()[0]
