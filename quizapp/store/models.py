"""All tables, in one module (as SQLModel advises).

Datetimes are stored as naive UTC (SQLite has no time zones) and handed back
timezone-aware by the UTCDateTime column type: the one place where that
conversion happens.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, types
from sqlmodel import Field, SQLModel

from quizapp.domain import (
    DEFAULT_DAY_START_HOUR,
    DEFAULT_DESIRED_RETENTION,
    DEFAULT_NEW_PER_DAY,
    DEFAULT_REVIEWS_PER_DAY,
    CardKind,
    MemoryState,
)

#: 1: the first schema. 2: ``usersettings`` (per-learner settings and FSRS
#: parameters). 3: ``usersettings.language``. 4: ``preset`` and
#: ``deckpreset`` (deck option presets). 5: ``card.note_id`` (siblings),
#: ``reviewlog.buried``, the review queue's indexes, and
#: ``usersettings.other_language_deck``.
#: store/migrations.py brings older databases up to date.
SCHEMA_VERSION = 5


class UTCDateTime(types.TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database."""

    impl = types.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dt(nullable: bool = True, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class SchemaInfo(SQLModel, table=True):
    """One row: the schema version of this database, for migrations."""

    id: int = Field(default=1, primary_key=True)
    version: int


class BuiltinDeckSync(SQLModel, table=True):
    """One row: what the built-in decks were last synced from (a fingerprint
    of their files and of the code that reads them), so a start skips the
    sync when nothing changed (service/decks.py)."""

    id: int = Field(default=1, primary_key=True)
    fingerprint: str
    #: Active built-in cards after that sync: a different count re-syncs.
    cards: int = 0
    synced_at: datetime = Field(default_factory=utcnow, sa_column=_dt(nullable=False))


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_dt(nullable=False))


class UserSettings(SQLModel, table=True):
    """One learner's study settings (quizapp/study_settings.py validates them).
    No row means Anki's defaults. Since schema version 4 the desired
    retention, daily limits and steps live in the learner's presets (table
    ``preset``; the "Default" one was made from these columns): here they
    are kept as they were, and no longer read."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    #: Probability of recall FSRS aims for, 0.70-0.99.
    desired_retention: float = DEFAULT_DESIRED_RETENTION
    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    #: Anki's step syntax, space-separated: "1m 10m".
    #: (The defaults are domain.DEFAULT_LEARNING_STEPS and DEFAULT_RELEARNING_STEPS, as text.)
    learning_steps: str = "1m 10m"
    relearning_steps: str = "10m"
    #: Local hour (0-23) at which a study day begins.
    day_start_hour: int = DEFAULT_DAY_START_HOUR
    #: Siblings of a card answered today are buried until tomorrow (Anki's options).
    bury_new_siblings: bool = True
    bury_review_siblings: bool = True
    bury_interday_learning_siblings: bool = False
    #: JSON list of the 21 FSRS parameters in use; None: the defaults.
    parameters: str | None = None
    #: JSON list of the parameters in use before the optimizer last adopted
    #: new ones (for ``quizapp optimize --revert``); None: none kept.
    previous_parameters: str | None = None
    #: When the optimizer last adopted parameters.
    optimized_at: datetime | None = Field(default=None, sa_column=_dt())
    #: Interface language ("es", "en"); None: from the locale (quizapp/i18n.py).
    language: str | None = None
    #: Also show and study the built-in deck in the other interface language.
    other_language_deck: bool = False


class Preset(SQLModel, table=True):
    """One learner's deck option preset, as Anki's: the daily limits, steps
    and desired retention of the decks that use it (study_settings.Preset
    validates them). Every learner has one called "Default", used by every
    deck not assigned another (store/migrations.py made it from the
    learner's ``usersettings`` row)."""

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_preset_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str
    desired_retention: float = DEFAULT_DESIRED_RETENTION
    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    #: Anki's step syntax, as in ``usersettings``.
    learning_steps: str = "1m 10m"
    relearning_steps: str = "10m"


class DeckPreset(SQLModel, table=True):
    """Which preset one learner's deck uses. No row: the learner's Default."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    deck_id: int = Field(foreign_key="deck.id", primary_key=True)
    preset_id: int = Field(foreign_key="preset.id", index=True)


class Deck(SQLModel, table=True):
    """A deck; hierarchical names use "::" (``PyTorch (ES)::Tensores``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    description: str = ""


class Card(SQLModel, table=True):
    """A card as written in its source; shared by all users.

    ``id`` is stable across edits and re-imports: ``<source namespace>:<key>``.
    """

    __table_args__ = (
        # The review queue's new cards, in the author's order; deck counts (covering).
        Index("ix_card_source_position", "source", "position"),
        Index("ix_card_deck_active", "deck_id", "active"),
    )

    id: str = Field(primary_key=True)
    deck_id: int = Field(foreign_key="deck.id", index=True)
    kind: str = CardKind.BASIC
    front: str = ""
    back: str = ""
    #: JSON object with kind-specific fields: cloze text and index, typed
    #: answer, generated family...
    data: str = "{}"
    #: Space-separated tags, as in Anki.
    tags: str = ""
    #: Where the card came from (``builtin:pytorch-es``, a file path...).
    source: str = Field(default="", index=True)
    #: Order within its source, for showing new cards in the author's order.
    position: int = 0
    #: False once the card is gone from its source: hidden, history kept.
    active: bool = True
    #: The note the card was made from: cards of one note (a card and its
    #: reverse, the clozes of one text, an Anki note's cards) are siblings,
    #: kept apart in review. ``domain.note_key`` of the id.
    note_id: str = Field(default="", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_dt(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_dt(nullable=False))


class CardState(SQLModel, table=True):
    """One user's schedule for one card. No row means the card is new."""

    __table_args__ = (
        Index("ix_cardstate_user_due", "user_id", "due"),
        # The review queue and the deck counts: learning and review cards by
        # due date; covering (the flags and the card id ride along).
        Index("ix_cardstate_user_state_due", "user_id", "state", "due", "suspended", "buried_until", "card_id"),
    )

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    card_id: str = Field(foreign_key="card.id", primary_key=True)
    state: int = MemoryState.NEW
    #: Index of the current (re)learning step; None in the review state.
    step: int | None = None
    #: FSRS stability, in days.
    stability: float | None = None
    #: FSRS difficulty, 1 (easy) to 10 (hard).
    difficulty: float | None = None
    due: datetime | None = Field(default=None, sa_column=_dt())
    last_review: datetime | None = Field(default=None, sa_column=_dt())
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    #: Hidden until this time (bury); None when not buried.
    buried_until: datetime | None = Field(default=None, sa_column=_dt())


class ReviewLog(SQLModel, table=True):
    """One answer. Written in the same transaction as the CardState it changes."""

    __table_args__ = (Index("ix_reviewlog_user_time", "user_id", "reviewed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    card_id: str = Field(foreign_key="card.id", index=True)
    reviewed_at: datetime = Field(sa_column=_dt(nullable=False))
    #: 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: int
    #: Time from showing the card to answering, in milliseconds.
    duration_ms: int = 0
    #: MemoryState before this review (NEW, LEARNING, REVIEW, RELEARNING).
    state_before: int = MemoryState.NEW
    #: Days between the previous review and the due date before/after this one.
    interval_before_days: float = 0.0
    interval_after_days: float = 0.0
    #: JSON snapshot of the CardState before the answer; undo restores it.
    previous: str = "null"
    #: What was asked, what the learner answered, and the right answer.
    asked: str = ""
    answered: str = ""
    correct_answer: str = ""
    #: For generated questions: the family, the seed and torch's version.
    family: str | None = None
    seed: int | None = None
    torch_version: str | None = None
    #: Key of the misconception a wrong answer matched ("aligned_left").
    mistake: str | None = None
    #: JSON object: the siblings this answer buried, each with its CardState
    #: snapshot from before (undo puts them back).
    buried: str = "{}"


class StatsCache(SQLModel, table=True):
    """One learner's review figures for past study days, kept so the
    statistics need not regroup every review on each open
    (store/statistics.py). A cache: deleting the row loses nothing. It is
    used only while ``key`` (time zone and day-start hour) matches and the
    reviews it was made from, those before the day after ``last_day``, are
    unchanged (the fingerprint columns)."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    #: "<time zone>|<day start hour>": the study days the figures are for.
    key: str = ""
    #: First and last study day of ``days``, 'YYYY-MM-DD' (both included).
    first_day: str = ""
    last_day: str = ""
    #: The learner's reviews before the day after ``last_day``: how many,
    #: the sum and the largest of their ids, and that largest row's card and time.
    reviews: int = 0
    id_sum: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    top_id: int = 0
    top_card: str = ""
    top_at: datetime | None = Field(default=None, sa_column=_dt())
    #: JSON {"YYYY-MM-DD": [reviews, young pass, young fail, mature pass,
    #: mature fail]} for days with any review.
    days: str = "{}"
    #: JSON {"families": {family: [reviews, correct]}, "mistakes": {family:
    #: {key: count}}} over those reviews.
    families: str = "{}"
    #: Consecutive study days with reviews ending the day before ``first_day``
    #: (for the streak).
    run_before: int = 0
