"""Use cases: backups, as Anki keeps them. A consistent copy of the
database (store/backup.py) is made automatically at most once per study day
when the app closes (the TUI's exit, the CLI commands that write), on
request (``quizapp backup``) and before a restore; the newest ``keep`` are
kept. They live in the data directory (quizapp/locations.py), one folder
per database: ``<data dir>/backups/<file name>-<hash of its path>/``.

Only SQLite files are backed up here: a server database (PostgreSQL) is the
job of the server's own tools (pg_dump).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizapp.locations import data_dir
from quizapp.service.context import Context
from quizapp.settings import DEFAULT_BACKUP_KEEP
from quizapp.store import backup as mechanics
from quizapp.store.backup import BackupError
from quizapp.store.engine import init_schema, sqlite_file

__all__ = ["DEFAULT_KEEP", "BackupError", "BackupInfo", "backups", "folder", "make", "make_if_due", "prune", "restore"]

#: Backups kept when the setting (QUIZAPP_BACKUP_KEEP) doesn't say: about
#: three weeks of daily study (Anki keeps 12 daily, 10 weekly, 9 monthly).
DEFAULT_KEEP = DEFAULT_BACKUP_KEEP

#: A backup's file name: the time it was made, UTC, so names sort by age.
_NAME_FORMAT = "backup-%Y%m%d-%H%M%SZ"
_SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file."""

    path: Path
    size: int
    #: When it was made (aware UTC).
    made_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "size": self.size, "made_at": self.made_at.isoformat()}


def database_file(ctx: Context) -> Path:
    """The SQLite file behind the context; BackupError for another database."""
    path = _sqlite_path(ctx)
    if path is None:
        backend = ctx.engine.url.get_backend_name()
        if backend == "sqlite":
            raise BackupError("an in-memory database has no backups")
        raise BackupError(f"a {backend} database is backed up with the server's own tools (for example pg_dump)")
    return path.absolute()


def _sqlite_path(ctx: Context) -> Path | None:
    return sqlite_file(ctx.engine.url.render_as_string(hide_password=False))


def folder(ctx: Context) -> Path:
    """Where the backups of this database live (made when the first is)."""
    path = database_file(ctx)
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return data_dir() / "backups" / f"{path.stem}-{digest}"


def backups(ctx: Context) -> list[BackupInfo]:
    """This database's backups, newest first."""
    found = []
    where = folder(ctx)
    if where.is_dir():
        for path in where.glob(f"backup-*{_SUFFIX}"):
            try:
                made_at = datetime.strptime(path.name.removesuffix(_SUFFIX), _NAME_FORMAT).replace(tzinfo=UTC)
                size = path.stat().st_size
            except (ValueError, OSError):
                continue  # not one of ours, or gone meanwhile
            found.append(BackupInfo(path=path, size=size, made_at=made_at))
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def make(ctx: Context, keep: int) -> BackupInfo:
    """Back up the database now; then keep the newest ``keep`` (0: all)."""
    source = database_file(ctx)
    where = folder(ctx)
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"{where}: cannot create the backup folder: {exc.strerror}") from exc
    made_at = ctx.clock().astimezone(UTC).replace(microsecond=0)
    existing = backups(ctx)
    if existing and existing[0].made_at >= made_at:  # two in one second, or the clock went back
        made_at = existing[0].made_at + timedelta(seconds=1)  # names keep sorting by age
    dest = where / (made_at.strftime(_NAME_FORMAT) + _SUFFIX)
    mechanics.copy_database(source, dest)
    prune(ctx, keep)
    return BackupInfo(path=dest, size=dest.stat().st_size, made_at=made_at)


def prune(ctx: Context, keep: int) -> None:
    """Delete all but the newest ``keep`` backups (0: keep them all)."""
    if keep > 0:
        for old in backups(ctx)[keep:]:
            old.path.unlink(missing_ok=True)


def make_if_due(ctx: Context, keep: int) -> BackupInfo | None:
    """The automatic backup: made if none was made this study day (and
    ``keep`` > 0: 0 turns automatic backups off) of a SQLite file. None if
    not made."""
    if keep <= 0 or _sqlite_path(ctx) is None:
        return None  # off, or a server's database: its own tools back it up
    start, _ = ctx.day_bounds()
    existing = backups(ctx)
    if existing and existing[0].made_at >= start:
        return None
    return make(ctx, keep)


def restore(ctx: Context, file: Path, keep: int) -> BackupInfo:
    """Replace the database with the backup ``file``, after backing up the
    current state (returned: the way back). A file that isn't a quizapp
    database is refused before anything changes."""
    live = database_file(ctx)
    source = file.expanduser().absolute()
    if source == live:
        raise BackupError(f"{source}: that is the database itself")
    mechanics.check_quizapp_database(source)
    safety = make(ctx, 0)  # pruned after: the file restored may be the oldest backup
    mechanics.restore_into(source, live)
    ctx.engine.dispose()  # pooled connections reopen on the restored file
    init_schema(ctx.engine)  # an older backup's schema brought up to date
    prune(ctx, keep)
    return safety
