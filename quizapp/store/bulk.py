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
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Table, insert
from sqlmodel import Session

#: Rows per executemany.
CHUNK = 5000
_NOTHING = object()


@dataclass(frozen=True)
class _Plan:
    """One table's INSERT for one set of columns on one dialect, compiled."""

    sql: str
    names: list[str]
    #: Values of the columns left out (their defaults), already converted.
    constants: list[Any]
    #: (index in a row, bind processor) of the given columns that need converting.
    convert: list[tuple[int, Callable[[Any], Any]]]
    positional: bool
    #: Puts a row's values in the statement's parameter order (None: already in it).
    arrange: Callable[[list[Any]], tuple[Any, ...]] | None


@lru_cache(maxsize=64)
def _plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _Plan:
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in columns or column.default is None:
            continue
        if not column.default.is_scalar:
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
    positional = bool(compiled.positional)
    order = [names.index(name) for name in compiled.positiontup or ()] if positional else []
    arrange = itemgetter(*order) if positional and order != list(range(len(names))) else None
    return _Plan(
        sql=str(compiled),
        names=names,
        constants=constants,
        convert=[(i, p) for i, p in enumerate(processors[: len(columns)]) if p is not None],
        positional=positional,
        arrange=arrange,
    )


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT ``rows`` (tuples of values in the order of ``columns``) into
    ``table`` in the session's transaction; returns the number of rows."""
    conn = session.connection()
    plan = _plan(table, tuple(columns), conn.dialect)
    sql, names, constants, convert, positional, arrange = (
        plan.sql,
        plan.names,
        plan.constants,
        plan.convert,
        plan.positional,
        plan.arrange,
    )
    count = 0
    batch: list[Any] = []
    # The last value each column converted, and what it became: an import
    # gives many rows the same time (created_at), converted once.
    memo: list[tuple[Any, Any]] = [(_NOTHING, None)] * len(columns)
    for row in rows:
        values = [*row, *constants]
        for i, processor in convert:
            value = values[i]
            last, converted = memo[i]
            if value is not last:
                converted = processor(value)
                memo[i] = (value, converted)
            values[i] = converted
        if not positional:
            batch.append(dict(zip(names, values, strict=True)))
        elif arrange is None:
            batch.append(tuple(values))
        else:
            batch.append(arrange(values))
        if len(batch) >= CHUNK:
            conn.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)
        count += len(batch)
    return count
