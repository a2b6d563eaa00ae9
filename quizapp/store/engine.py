"""The engine factory: the one way to open a quizapp database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select

from quizapp.store import models

#: Milliseconds a writer waits for another process's lock before failing.
BUSY_TIMEOUT_MS = 5000


class DatabaseError(RuntimeError):
    """The database can't be opened or has an unknown schema."""


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` and make sure its schema is current.

    SQLite files get WAL and a busy timeout, so the TUI and a CLI command can
    share one database. ``sqlite://`` (in memory) uses one shared connection.
    """
    parsed = make_url(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    init_schema(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_schema(engine: Engine) -> None:
    """Create missing tables, migrate an older schema (store/migrations.py)
    and record the schema version."""
    try:
        SQLModel.metadata.create_all(engine)
    except Exception as exc:  # not a database, locked, read-only...
        raise DatabaseError(f"{engine.url}: cannot open database: {exc}") from exc
    with Session(engine) as session:
        info = session.exec(select(models.SchemaInfo)).first()
        if info is None:
            session.add(models.SchemaInfo(version=models.SCHEMA_VERSION))
            session.commit()
        elif info.version > models.SCHEMA_VERSION:
            raise DatabaseError(
                f"{engine.url}: schema version {info.version} is newer than this "
                f"quizapp understands ({models.SCHEMA_VERSION}); upgrade quizapp"
            )
        old_version = info.version if info is not None else models.SCHEMA_VERSION
    if old_version < models.SCHEMA_VERSION:
        from quizapp.store.migrations import migrate

        try:
            migrate(engine, old_version)
        except Exception as exc:
            raise DatabaseError(
                f"{engine.url}: cannot migrate schema {old_version} to {models.SCHEMA_VERSION}: {exc}"
            ) from exc
