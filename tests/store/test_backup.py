"""Backups (service/backup.py over store/backup.py): consistent copies, one
per study day on close, the last N kept, restore after a backup of the
current state, refusals in one line, and the CLI commands."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.domain import Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import BackupError, Service
from quizapp.store.backup import check_quizapp_database
from quizapp.store.engine import make_engine


@pytest.fixture
def service(make_service, small_deck):
    s = make_service()
    s.sync_deck(read_toml_deck(small_deck))
    return s


def _reviews(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM reviewlog").fetchone()[0]


def test_a_backup_is_a_quizapp_database_in_the_data_dir(service, isolated_environment):
    service.answer("small:one", Rating.GOOD)
    made = service.backup()
    assert made.path.parent == service.backup_folder()
    assert made.path.is_relative_to(isolated_environment / "backups")
    assert check_quizapp_database(made.path) >= 1 and _reviews(made.path) == 1
    assert made.size == made.path.stat().st_size > 0
    assert [b.path for b in service.backups()] == [made.path]
    assert not list(made.path.parent.glob("*.partial"))


def test_at_most_one_automatic_backup_per_study_day(service, clock):
    first = service.backup_if_due()
    assert first is not None
    clock.advance(hours=5)
    assert service.backup_if_due() is None  # same study day (it starts at 04:00)
    clock.advance(days=1)
    second = service.backup_if_due()
    assert second is not None and second.made_at > first.made_at
    assert [b.path for b in service.backups()] == [second.path, first.path]  # newest first


def test_only_the_last_n_are_kept(service, clock):
    service.backup_keep = 3
    made = []
    for _ in range(5):
        made.append(service.backup().path)
        clock.advance(minutes=1)
    assert [b.path for b in service.backups()] == made[::-1][:3]
    assert not made[0].exists() and not made[1].exists()


def test_keep_zero_turns_automatic_backups_off(service):
    service.backup_keep = 0
    assert service.backup_if_due() is None and service.backups() == []


def test_restore_backs_up_the_current_state_first(service, clock):
    service.answer("small:one", Rating.GOOD)
    old = service.backup()
    clock.advance(minutes=1)
    service.answer("small:four", Rating.AGAIN)
    live = Path(service.engine.url.database or "")
    assert _reviews(live) == 2
    clock.advance(minutes=1)
    safety = service.restore(old.path)
    assert _reviews(live) == 1 and _reviews(safety.path) == 2  # the way back
    assert service.memory("small:four").reps == 0  # the service reads the restored database
    service.answer("small:four", Rating.GOOD)  # and writes to it
    assert _reviews(live) == 2


def test_restore_of_the_oldest_kept_backup_survives_pruning(service, clock):
    service.backup_keep = 2
    oldest = service.backup()
    clock.advance(minutes=1)
    service.backup()
    clock.advance(minutes=1)
    service.restore(oldest.path)  # its safety backup would push `oldest` out first
    assert len(service.backups()) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, not a database\n" * 50, "not a quizapp database"),
        (None, "no such file"),
        ("other-sqlite", "its tables are not quizapp"),
    ],
)
def test_restore_refuses_what_is_not_a_quizapp_database(service, tmp_path, content, message):
    path = tmp_path / "candidate.sqlite3"
    if content == "other-sqlite":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE notes (id INTEGER)")
    elif content is not None:
        path.write_bytes(content)
    service.answer("small:one", Rating.GOOD)
    with pytest.raises(BackupError, match=message):
        service.restore(path)
    assert service.backups() == []  # refused before anything was done
    assert service.memory("small:one").reps == 1


def test_non_sqlite_databases_are_the_servers_job(clock):
    service = Service(make_engine("sqlite://"), "ana", clock=clock)
    assert service.backup_if_due() is None
    with pytest.raises(BackupError):
        service.backup()


def _write_for_a_while(db_url: str, seconds: float) -> None:
    import time

    engine = make_engine(db_url)
    service = Service(engine, "writer")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        service.answer("small:one", Rating.GOOD)


@pytest.mark.slow  # other processes
def test_a_backup_while_another_process_writes_is_consistent(service, db_url):
    context = multiprocessing.get_context("spawn")
    writer = context.Process(target=_write_for_a_while, args=(db_url, 4.0))
    writer.start()
    made = []
    try:
        while writer.is_alive() or not made:
            made.append(service.backup().path)
    finally:
        writer.join(30)
    assert writer.exitcode == 0
    kept = [path for path in made if path.exists()]
    assert len(kept) == min(len(made), service.backup_keep)
    for path in kept:
        check_quizapp_database(path)  # quick_check passes
        with sqlite3.connect(path) as connection:
            (logs,) = connection.execute("SELECT count(*) FROM reviewlog WHERE card_id = 'small:one'").fetchone()
            reps = connection.execute("SELECT reps FROM cardstate WHERE card_id = 'small:one'").fetchone()
        assert (reps[0] if reps else 0) == logs  # one snapshot: the log and the state agree


# -- the CLI ----------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_backup_list_and_restore(capsys, tmp_path):
    db = str(tmp_path / "q.sqlite3")
    code, _, err = run(capsys, "--db", db, "settings", "--new-per-day", "7")
    assert code == 0 and "created a new database" in err
    code, out, _ = run(capsys, "--db", db, "backup", "--list", "--json")
    listing = json.loads(out)
    assert code == 0 and len(listing["backups"]) == 1  # the automatic one, made on close
    code, out, _ = run(capsys, "--db", db, "backup")
    assert code == 0 and out.startswith("backed up to ")
    code, out, _ = run(capsys, "--db", db, "backup", "--list")
    lines = out.splitlines()
    assert code == 0 and listing["folder"] in lines[0] and len(lines) == 3
    first = listing["backups"][0]["path"]
    run(capsys, "--db", db, "settings", "--new-per-day", "9")
    code, out, _ = run(capsys, "--db", db, "restore", first)
    assert code == 0 and "restored" in out
    code, out, _ = run(capsys, "--db", db, "settings", "--json")
    assert json.loads(out)["new_per_day"] == 7


def test_cli_restore_refuses_in_one_line(capsys, tmp_path):
    db = str(tmp_path / "q.sqlite3")
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("junk\n" * 100)
    run(capsys, "--db", db, "decks")
    code, out, err = run(capsys, "--db", db, "restore", str(junk))
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "not a quizapp database" in err


def test_cli_backup_of_a_server_database_names_its_tools(capsys):
    code, _, err = run(capsys, "--db", "postgresql://quiz@localhost/quiz", "backup")
    assert code == 2 and len(err.splitlines()) == 1 and "pg_dump" in err


def test_cli_bad_keep_setting_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_BACKUP_KEEP", "many")
    code, _, err = run(capsys, "--db", str(tmp_path / "q.sqlite3"), "decks")
    assert code == 2 and "QUIZAPP_BACKUP_KEEP" in err and len(err.splitlines()) == 1


def test_a_read_only_command_makes_no_backup(capsys, tmp_path, isolated_environment):
    run(capsys, "--db", str(tmp_path / "q.sqlite3"), "decks")
    assert not (isolated_environment / "backups").exists()
