"""Schema migrations: bring an older quizapp database up to SCHEMA_VERSION.

Migrations are additive, run in one transaction, after ``create_all`` has
created the tables that are new:

1. every column of the models that an existing table lacks is added with
   ``ALTER TABLE ... ADD COLUMN``, with its default (SQLite can't add a NOT
   NULL column without one);
2. the data step of each version passed, if it has one (``STEPS``);
3. the version recorded in ``schemainfo`` is raised.

History:

- 1 -> 2: the ``usersettings`` table (created by create_all; no data step).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import SQLModel

from quizapp.store import models

#: Data steps by the version they lead to: ``STEPS[2](connection)`` runs
#: when a database moves from version 1 to 2. Column additions need none.
STEPS: dict[int, Callable[[Connection], None]] = {}


def migrate(engine: Engine, from_version: int) -> list[str]:
    """Migrate the database behind ``engine`` from ``from_version`` to
    ``models.SCHEMA_VERSION``. Returns what was done, one line per change."""
    done: list[str] = []
    with engine.begin() as connection:
        done += add_missing_columns(connection)
        for version in range(from_version + 1, models.SCHEMA_VERSION + 1):
            step = STEPS.get(version)
            if step is not None:
                step(connection)
                done.append(f"data step for version {version}")
        connection.execute(text("UPDATE schemainfo SET version = :v WHERE id = 1"), {"v": models.SCHEMA_VERSION})
    return done


def add_missing_columns(connection: Connection) -> list[str]:
    """ALTER TABLE ADD COLUMN for every model column a table lacks."""
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    done = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue  # create_all made it, complete
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                connection.execute(text(_add_column_sql(connection, table.name, column)))
                done.append(f"added column {table.name}.{column.name}")
    return done


def _add_column_sql(connection: Connection, table: str, column: Column) -> str:
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    sql = f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column.name)} {column.type.compile(dialect=dialect)}"
    default = column.default
    if isinstance(default, ScalarElementColumnDefault):  # a constant, not a callable or SQL
        sql += f" DEFAULT {_literal(default.arg, dialect.name)}"
        if not column.nullable:
            sql += " NOT NULL"
    elif not column.nullable:
        raise RuntimeError(f"cannot add NOT NULL column {table}.{column.name} without a default")
    return sql


def _literal(value: object, dialect: str = "sqlite") -> str:
    if isinstance(value, bool):
        if dialect == "postgresql":  # a boolean column there takes no integer
            return "true" if value else "false"
        return "1" if value else "0"
    if isinstance(value, int):  # IntEnum too: its repr is not SQL
        return str(int(value))
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise RuntimeError(f"no SQL literal for default {value!r}")
