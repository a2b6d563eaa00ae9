"""A version-1 database (as quizapp wrote it before per-learner settings)
and a version-2 one (before deck presets) open with today's code: missing
tables and columns are added, data kept, each learner's settings become
their Default preset."""

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, SQLModel, select

from quizapp.store import models
from quizapp.store.engine import DatabaseError, make_engine
from quizapp.store.models import Card, CardState, Deck, DeckPreset, Preset, ReviewLog, SchemaInfo, User, UserSettings

V1_TABLES = ("schemainfo", "user", "deck", "card", "cardstate", "reviewlog")


def make_v1_database(path, *, drop_columns=(), drop_indexes=(), cards=("old:1",), version=1, tables=V1_TABLES) -> None:
    """The version-1 schema: today's tables but usersettings, version 1, a
    learner with one answered card. ``drop_columns``: (table, column) pairs a
    still older layout lacked, to exercise ALTER TABLE."""
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[t] for t in tables])
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    with Session(engine) as session:
        session.add(SchemaInfo(version=version))
        user = User(name="ana")
        deck = Deck(name="Old")
        session.add_all([user, deck])
        session.flush()
        session.add_all(Card(id=card_id, deck_id=deck.id, front="q", back="a") for card_id in cards)
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
        for index in drop_indexes:
            db.execute(f'DROP INDEX "{index}"')
        for table, column in drop_columns:
            db.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


#: usersettings columns added after version 2.
V2_LATER_SETTINGS = (
    "language",
    "other_language_deck",
    "bury_new_siblings",
    "bury_review_siblings",
    "bury_interday_learning_siblings",
)


def make_v2_database(path) -> None:
    """The version-2 schema: the version-1 one plus usersettings as it was then."""
    make_v1_database(
        path,
        version=2,
        tables=(*V1_TABLES, "usersettings"),
        drop_columns=[("usersettings", column) for column in V2_LATER_SETTINGS],
    )


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
        # A learner without settings gets a Default preset with Anki's defaults.
        (default,) = session.exec(select(Preset)).all()
        assert (default.name, default.new_per_day, default.reviews_per_day) == ("Default", 20, 200)
        assert (default.learning_steps, default.relearning_steps, default.desired_retention) == ("1m 10m", "10m", 0.9)

    # The migrated database works: settings can be stored, and it opens again.
    from quizapp.service import Service

    service = Service(engine, "ana")
    service.update_settings(new_per_day=7)
    engine.dispose()
    again = Service(make_engine(f"sqlite:///{path}"), "ana")
    assert again.study_settings().new_per_day == 7
    assert again.memory("old:1").reps == 3


def test_v2_settings_become_each_learners_default_preset(tmp_path):
    """Version 2 kept the limits and steps in usersettings: after the
    migration each learner's Default preset holds them, and reviews and
    limits are what they were."""
    path = tmp_path / "v2.sqlite3"
    make_v2_database(path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO user (name, created_at) VALUES ('bea', '2026-03-01 09:00:00.000000')")
        db.execute(
            "INSERT INTO usersettings (user_id, desired_retention, new_per_day, reviews_per_day, learning_steps,"
            " relearning_steps, day_start_hour) VALUES (1, 0.85, 7, 150, '2m 20m', '5m', 6)"
        )
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        assert session.exec(select(SchemaInfo)).one().version == models.SCHEMA_VERSION
        presets = {(p.user_id, p.name): p for p in session.exec(select(Preset))}
        assert session.exec(select(DeckPreset)).all() == []
    assert set(presets) == {(1, "Default"), (2, "Default")}
    ana = presets[(1, "Default")]
    assert (ana.desired_retention, ana.new_per_day, ana.reviews_per_day) == (0.85, 7, 150)
    assert (ana.learning_steps, ana.relearning_steps) == ("2m 20m", "5m")
    assert presets[(2, "Default")].new_per_day == 20  # bea had no settings: Anki's defaults

    from quizapp.service import Service

    service = Service(engine, "ana")
    settings = service.study_settings()
    assert (settings.new_per_day, settings.day_start_hour, settings.desired_retention) == (7, 6, 0.85)
    assert service.config.learning_steps == settings.learning_steps
    assert [p.name for p in service.presets()] == ["Default"]
    assert service.deck_preset("Old").new_per_day == 7


def test_v2_database_gets_note_ids_and_the_queue_indexes(tmp_path):
    path = tmp_path / "v2.sqlite3"
    cards = ("old:1", "old:1::rev", "deck:cloze::c1", "deck:cloze::c2", "apkg:g::3", "old:2")
    make_v1_database(
        path,
        cards=cards,
        drop_indexes=["ix_card_note_id", "ix_cardstate_user_state_due", "ix_card_source_position"],
        drop_columns=[("card", "note_id"), ("reviewlog", "buried")],
    )
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schemainfo SET version = 2")

    engine = make_engine(f"sqlite:///{path}")
    inspector = inspect(engine)
    indexes = {i["name"] for t in ("card", "cardstate") for i in inspector.get_indexes(t)}
    assert {"ix_card_note_id", "ix_cardstate_user_state_due", "ix_card_source_position"} <= indexes
    with Session(engine) as session:
        notes = {c.id: c.note_id for c in session.exec(select(Card))}
        assert notes == {
            "old:1": "old:1",
            "old:1::rev": "old:1",
            "deck:cloze::c1": "deck:cloze",
            "deck:cloze::c2": "deck:cloze",
            "apkg:g::3": "apkg:g",
            "old:2": "old:2",
        }
        assert session.exec(select(ReviewLog)).one().buried == "{}"
        assert session.exec(select(SchemaInfo)).one().version == models.SCHEMA_VERSION


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


def test_v2_database_gains_the_interface_language(tmp_path):
    """2 -> 3: usersettings.language is added, empty (the locale decides)."""
    path = tmp_path / "v2.sqlite3"
    make_v2_database(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO usersettings (user_id, desired_retention, new_per_day, reviews_per_day, learning_steps,"
            " relearning_steps, day_start_hour) VALUES (1, 0.9, 20, 200, '1m 10m', '10m', 4)"
        )
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        assert session.exec(select(SchemaInfo)).one().version == models.SCHEMA_VERSION
        assert session.exec(select(UserSettings)).one().language is None
