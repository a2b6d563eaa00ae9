"""store.bulk.insert_rows writes exactly what an ORM insert writes: the same
stored values (datetimes in SQLAlchemy's own text format on SQLite), the
same defaults for the columns left out."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

from quizapp.store import bulk
from quizapp.store.engine import init_schema
from quizapp.store.models import Card, Deck, ReviewLog, User

COLUMNS = ("user_id", "card_id", "reviewed_at", "rating", "duration_ms", "interval_after_days", "asked")


def raw(session: Session) -> list[tuple]:
    return [tuple(row) for row in session.execute(text("SELECT * FROM reviewlog ORDER BY id"))]


def test_bulk_rows_are_stored_as_orm_rows(engine):
    init_schema(engine)
    times = [datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), datetime(2024, 5, 6, 7, 8, 9, 120_000, tzinfo=UTC)]
    values = [(1, "c", at, 3, 1500, 2.5, "(imported)") for at in times]
    with Session(engine) as session:
        for row in (User(id=1, name="ana"), Deck(id=1, name="D"), Card(id="c", deck_id=1)):
            session.add(row)
            session.flush()
        for row in values:
            session.add(ReviewLog(**dict(zip(COLUMNS, row, strict=True))))
        session.flush()
        by_orm = raw(session)
        session.execute(text("DELETE FROM reviewlog"))
        assert bulk.insert_rows(session, ReviewLog.__table__, COLUMNS, values) == 2
        by_bulk = raw(session)
    assert [row[1:] for row in by_bulk] == [row[1:] for row in by_orm]
    assert by_bulk[0][3] == "2024-05-06 07:08:09.000000"
    assert by_bulk[0][-5:] == (None, None, None, None, "{}")  # family, seed, torch_version, mistake, buried


def test_nothing_to_insert(engine):
    init_schema(engine)
    with Session(engine) as session:
        assert bulk.insert_rows(session, ReviewLog.__table__, COLUMNS, []) == 0
