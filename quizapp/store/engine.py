"""The engine factory: the one way to open a quizapp database.

Write transactions (``WRITE_OPTIONS``, set by ``Context.write``) take the
write lock when they begin: on SQLite ``BEGIN IMMEDIATE`` (SQLAlchemy's
pysqlite recipe: the driver's own transaction handling is turned off and the
"begin" event emits the BEGIN), so what a write reads is what it commits
over, even with another process writing the same rows. Reads begin a plain
(deferred) transaction and never wait for a writer (WAL).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select

from quizapp.store import models

#: Milliseconds a writer waits for another process's lock before failing.
BUSY_TIMEOUT_MS = 5000

#: Execution option of a connection whose transaction writes (Context.write).
WRITE_OPTION = "quizapp_write"
WRITE_OPTIONS = {WRITE_OPTION: True}


class DatabaseError(RuntimeError):
    """The database can't be opened or has an unknown schema."""


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL (None: another database, in memory, or
    a SQLite URI filename)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") in ("true", "1"):
        return None
    return Path(parsed.database).expanduser()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` and make sure its schema is current.

    SQLite files get WAL and a busy timeout, so the TUI and a CLI command can
    share one database. ``sqlite://`` (in memory) uses one shared connection.
    A new SQLite file is made only in a folder that exists (a typo in a
    folder name is an error, not a new empty database): the caller creates
    the default location's folder.
    """
    parsed = make_url(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        path = sqlite_file(url)
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        elif path is not None and not path.exists() and not path.parent.is_dir():
            raise DatabaseError(
                f"{path}: no folder {path.parent} (a new database is made only in a folder that exists)"
            )
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    init_schema(engine)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:
    # The driver's own BEGIN is off: _sqlite_begin emits the right one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_schema(engine: Engine) -> None:
    """Create missing tables, migrate an older schema (store/migrations.py)
    and record the schema version."""
    # Creating (rare) takes the write lock; a database that has every table
    # is only read here, so opening one never waits for another's writer.
    writer = engine.execution_options(**WRITE_OPTIONS)
    try:
        if not set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names()):
            SQLModel.metadata.create_all(writer)
    except Exception as exc:  # not a database, locked, read-only...
        raise DatabaseError(f"{engine.url}: cannot open database: {exc}") from exc
    with Session(engine) as session:
        info = session.exec(select(models.SchemaInfo)).first()
    if info is None:
        with Session(writer) as session:
            info = session.exec(select(models.SchemaInfo)).first()  # again, under the lock
            if info is None:
                session.add(models.SchemaInfo(version=models.SCHEMA_VERSION))
                session.commit()
    if info is not None:
        if info.version > models.SCHEMA_VERSION:
            raise DatabaseError(
                f"{engine.url}: schema version {info.version} is newer than this "
                f"quizapp understands ({models.SCHEMA_VERSION}); upgrade quizapp"
            )
    old_version = info.version if info is not None else models.SCHEMA_VERSION
    if old_version < models.SCHEMA_VERSION:
        from quizapp.store.migrations import migrate

        try:
            migrate(writer, old_version)  # in one transaction with the write lock
        except Exception as exc:
            raise DatabaseError(
                f"{engine.url}: cannot migrate schema {old_version} to {models.SCHEMA_VERSION}: {exc}"
            ) from exc
