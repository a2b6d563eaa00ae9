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
- 2 -> 3: ``usersettings.language``, the interface language (no data step).
- 3 -> 4: the ``preset`` and ``deckpreset`` tables; the data step gives each
  learner a "Default" preset holding their current desired retention, daily
  limits and steps (Anki's defaults for a learner with no settings), so
  nothing changes for them.
- 4 -> 5: ``card.note_id`` filled from each card's id (``domain.note_key``),
  ``reviewlog.buried``, and the review queue's indexes (every index of the
  models that an existing table lacks is created, at any version), and
  ``usersettings.other_language_deck``, the built-in deck in the other
  language shown too (no data step for it).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, bindparam, func, insert, inspect, literal, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import SQLModel

from quizapp.domain import DEFAULT_PRESET, note_key
from quizapp.store import models


def default_presets(connection: Connection) -> None:
    """4: a "Default" preset for each learner, from their ``usersettings``
    row (Anki's defaults without one). SQLAlchemy core, so it runs on
    SQLite and PostgreSQL alike."""
    user = models.User.__table__  # type: ignore[attr-defined]
    stored = models.UserSettings.__table__  # type: ignore[attr-defined]
    preset = models.Preset.__table__  # type: ignore[attr-defined]
    columns = ("desired_retention", "new_per_day", "reviews_per_day", "learning_steps", "relearning_steps")
    values = [func.coalesce(stored.c[name], preset.c[name].default.arg) for name in columns]
    has_default = select(preset.c.id).where(preset.c.user_id == user.c.id, preset.c.name == DEFAULT_PRESET)
    rows = (
        select(user.c.id, literal(DEFAULT_PRESET), *values)
        .select_from(user.outerjoin(stored, stored.c.user_id == user.c.id))
        .where(~has_default.exists())
    )
    connection.execute(insert(preset).from_select(["user_id", "name", *columns], rows))


def _fill_note_ids(connection: Connection) -> None:
    """5: each card's note, from its id (as the importers now store it)."""
    ids = [row[0] for row in connection.execute(text("SELECT id FROM card WHERE note_id = ''"))]
    update = text("UPDATE card SET note_id = :note WHERE id = :id").bindparams(bindparam("note"), bindparam("id"))
    for i in range(0, len(ids), 1000):
        connection.execute(update, [{"id": card_id, "note": note_key(card_id)} for card_id in ids[i : i + 1000]])


#: Data steps by the version they lead to: ``STEPS[4](connection)`` runs
#: when a database moves from version 3 to 4. Column additions need none.
STEPS: dict[int, Callable[[Connection], None]] = {4: default_presets, 5: _fill_note_ids}


def migrate(engine: Engine, from_version: int) -> list[str]:
    """Migrate the database behind ``engine`` from ``from_version`` to
    ``models.SCHEMA_VERSION``. Returns what was done, one line per change."""
    done: list[str] = []
    with engine.begin() as connection:
        done += add_missing_columns(connection)
        done += add_missing_indexes(connection)
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


def add_missing_indexes(connection: Connection) -> list[str]:
    """CREATE INDEX for every model index an existing table lacks."""
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    done = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(connection)
                done.append(f"added index {index.name}")
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
