"""A version-1 database (as quizapp wrote it before per-learner settings)
opens with today's code: missing tables and columns are added, data kept."""

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, SQLModel, select

from quizapp.store import models
from quizapp.store.engine import DatabaseError, make_engine
from quizapp.store.models import Card, CardState, Deck, ReviewLog, SchemaInfo, User, UserSettings

V1_TABLES = ("schemainfo", "user", "deck", "card", "cardstate", "reviewlog")


def make_v1_database(path, *, drop_columns=()) -> None:
    """The version-1 schema: today's tables but usersettings, version 1, a
    learner with one answered card. ``drop_columns``: (table, column) pairs a
    still older layout lacked, to exercise ALTER TABLE."""
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[t] for t in V1_TABLES])
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    with Session(engine) as session:
        session.add(SchemaInfo(version=1))
        user = User(name="ana")
        deck = Deck(name="Old")
        session.add_all([user, deck])
        session.flush()
        session.add(Card(id="old:1", deck_id=deck.id, front="q", back="a"))
        session.flush()
        session.add(
            CardState(
                user_id=user.id,
                card_id="old:1",
                state=2,
                stability=3.0,
                difficulty=5.0,
                due=now,
                last_review=now,
                reps=3,
            )
        )
        session.add(ReviewLog(user_id=user.id, card_id="old:1", reviewed_at=now, rating=3))
        session.commit()
    engine.dispose()
    with sqlite3.connect(path) as db:
        for table, column in drop_columns:
            db.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def test_v1_database_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "v1.sqlite3"
    make_v1_database(path, drop_columns=[("reviewlog", "mistake"), ("cardstate", "leech")])
    assert "usersettings" not in inspect(create_engine(f"sqlite:///{path}")).get_table_names()

    engine = make_engine(f"sqlite:///{path}")
    inspector = inspect(engine)
    assert "usersettings" in inspector.get_table_names()
    assert "mistake" in {c["name"] for c in inspector.get_columns("reviewlog")}
    assert "leech" in {c["name"] for c in inspector.get_columns("cardstate")}
    with Session(engine) as session:
        assert session.exec(select(SchemaInfo)).one().version == models.SCHEMA_VERSION
        state = session.exec(select(CardState)).one()
        assert (state.stability, state.reps, state.leech) == (3.0, 3, False)  # the added column's default
        log = session.exec(select(ReviewLog)).one()
        assert log.rating == 3 and log.mistake is None
        assert session.exec(select(UserSettings)).all() == []

    # The migrated database works: settings can be stored, and it opens again.
    from quizapp.service import Service

    service = Service(engine, "ana")
    service.update_settings(new_per_day=7)
    engine.dispose()
    again = Service(make_engine(f"sqlite:///{path}"), "ana")
    assert again.study_settings().new_per_day == 7
    assert again.memory("old:1").reps == 3


def test_due_reads_a_v1_database_without_migrating_it(tmp_path):
    from quizapp.due import due_counts

    path = tmp_path / "v1.sqlite3"
    make_v1_database(path)
    counts = due_counts(f"sqlite:///{path}", "ana", now=datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert [(c.deck, c.due, c.new) for c in counts] == [("Old", 1, 0)]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schemainfo").fetchone() == (1,)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    make_engine(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schemainfo SET version = 99")
    with pytest.raises(DatabaseError, match="newer"):
        make_engine(f"sqlite:///{path}")


def test_new_database_starts_at_the_current_version(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with Session(engine) as session:
        assert session.exec(select(SchemaInfo)).one().version == models.SCHEMA_VERSION
