"""Bulk INSERT for imports: many rows of one table in one executemany, with
SQLAlchemy's per-row work left out.

An ORM bulk insert (``session.execute(insert(Model), dicts)``) costs some
20 microseconds a row in Python: a million reviews would take longer than
the rest of an import. Here the statement is still SQLAlchemy's, compiled
for the session's dialect (SQLite, PostgreSQL), and each value still goes
through its column type's bind processor (UTCDateTime, SQLite's datetime
strings); only the per-row machinery around them is skipped. Columns left
out get their scalar defaults, as an ORM insert would give them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session

#: Rows per executemany.
CHUNK = 5000


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT ``rows`` (tuples of values in the order of ``columns``) into
    ``table`` in the session's transaction; returns the number of rows."""
    conn = session.connection()
    dialect = conn.dialect
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in columns or column.default is None:
            continue
        if not column.default.is_scalar:  # type: ignore[attr-defined]
            raise ValueError(f"{table.name}.{column.name}: give a value (its default is not a constant)")
        value = column.default.arg  # type: ignore[attr-defined]
        defaults[column.name] = value.value if isinstance(value, Enum) else value
    names = [*columns, *defaults]
    # for_executemany: no RETURNING of the new ids (PostgreSQL would add one).
    compiled = insert(table).values({name: None for name in names}).compile(dialect=dialect, for_executemany=True)
    # One bind parameter per column, named after it; None where the type needs no conversion.
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    constants = [
        value if processor is None else processor(value)
        for value, processor in zip(defaults.values(), processors[len(columns) :], strict=True)
    ]
    convert = [(i, p) for i, p in enumerate(processors[: len(columns)]) if p is not None]
    positional = compiled.positional
    order = [names.index(name) for name in compiled.positiontup or ()] if positional else []
    in_order = order == list(range(len(names)))
    arrange = itemgetter(*order) if positional and len(order) > 1 else None
    sql = str(compiled)
    count = 0
    batch: list[Any] = []
    for row in rows:
        values = [*row, *constants]
        for i, processor in convert:
            values[i] = processor(values[i])
        if in_order:
            batch.append(tuple(values))
        elif arrange is not None:
            batch.append(arrange(values))
        else:
            batch.append(dict(zip(names, values, strict=True)))
        if len(batch) >= CHUNK:
            conn.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)
        count += len(batch)
    return count
