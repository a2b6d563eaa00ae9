"""Backups of a SQLite database, the mechanics: a consistent copy with
SQLite's online backup API (safe while another process writes: it reads one
snapshot, and WAL lets writers go on), a check that a file is a quizapp
database, and a restore that loads a backup into the live database in one
write transaction. The policy (where, when, how many) is service/backup.py's.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from quizapp.store.models import SCHEMA_VERSION

#: Seconds a backup or restore waits for another process's lock.
LOCK_TIMEOUT_S = 10.0


class BackupError(RuntimeError):
    """A backup can't be made, or a file can't be restored (one line)."""


def copy_database(source: Path, dest: Path) -> None:
    """Copy the database ``source`` to ``dest``, consistently: the copy is
    written beside ``dest`` and renamed, so ``dest`` appears whole or not at
    all."""
    partial = dest.with_name(dest.name + ".partial")
    try:
        with closing(_connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)  # all pages in one step: one snapshot of the source
        os.replace(partial, dest)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{dest}: cannot write the backup: {exc}") from exc


def check_quizapp_database(path: Path) -> int:
    """The schema version of the quizapp database ``path``; BackupError (one
    line) if it is missing, not SQLite, damaged, not quizapp's or newer."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"schemainfo", "card", "cardstate", "reviewlog", "user"} <= tables:
                raise BackupError(f"{path}: not a quizapp database (its tables are not quizapp's)")
            row = connection.execute("SELECT version FROM schemainfo").fetchone()
            check = connection.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: not a quizapp database ({exc})") from exc
    if check is None or check[0] != "ok":
        raise BackupError(f"{path}: the database is damaged ({check[0] if check else 'no answer'})")
    if row is None or not isinstance(row[0], int):
        raise BackupError(f"{path}: not a quizapp database (no schema version)")
    if row[0] > SCHEMA_VERSION:
        raise BackupError(f"{path}: schema version {row[0]} is newer than this quizapp understands; upgrade quizapp")
    return int(row[0])


def restore_into(source: Path, live: Path) -> None:
    """Replace the content of the database ``live`` with ``source``'s, in one
    write transaction of ``live``: another process sees the old database or
    the new one, never a mixture (SQLite's backup API into the live file)."""
    try:
        with closing(_connect(source)) as src, closing(_connect(live)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"{live}: cannot restore {source}: {exc}") from exc


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S)
    connection.execute(f"PRAGMA busy_timeout = {int(LOCK_TIMEOUT_S * 1000)}")
    return connection
