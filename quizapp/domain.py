"""The vocabulary of quizapp, with no dependencies: kinds of card and answer,
memory states, ratings, review kinds, and Anki's default settings.

Every other layer imports these names from here; nothing here imports from
the rest of quizapp (or from anything but the standard library), so importing
a parser or the scheduler does not load the store or the UI.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import timedelta
from enum import IntEnum, StrEnum


class CardKind(StrEnum):
    """Kinds of card (the values stored in ``card.kind``)."""

    BASIC = "basic"
    CLOZE = "cloze"
    #: Type the answer.
    TYPE = "type"
    #: A code-prediction family; the card's data holds "family".
    GENERATED = "generated"
    #: The learner's own snippet; data holds "code", "answer_kind", "params".
    CODE = "code"


#: Cards whose question the torch kernel computes at each review.
LIVE_KINDS: frozenset[str] = frozenset({CardKind.GENERATED, CardKind.CODE})
#: Every other kind: shown without torch (while it loads, say).
FLASHCARD_KINDS: tuple[str, ...] = (CardKind.BASIC, CardKind.CLOZE, CardKind.TYPE)
#: Kinds left out of Anki exports (.apkg, .csv): Anki can't run torch. The
#: same set as LIVE_KINDS, named for what the exporters mean by it.
NOT_FOR_ANKI: frozenset[str] = LIVE_KINDS


class AnswerKind(StrEnum):
    """The kinds of answer, and their canonical strings (DESIGN.md)."""

    SHAPE = "shape"  # "(4, 3, 2)", "(5,)", "()"
    DTYPE = "dtype"  # "torch.float32"
    BOOL = "bool"  # "True"
    INT = "int"  # "7"
    FLOAT = "float"  # repr(round(x, 4))
    VALUES = "values"  # JSON of the nested list, floats rounded to 4 places
    ERROR = "error"  # the exception class name, "RuntimeError"
    TEXT = "text"  # free text
    OUTPUT = "output"  # what the snippet prints (code cards from notes)


class MemoryState(IntEnum):
    """A card's learning state for one learner; 1-3 are fsrs.State's values."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class Rating(IntEnum):
    """The four grade buttons (fsrs.Rating's values)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class ReviewKind(StrEnum):
    """What kind of review a log entry was, in Anki's terms (revlog type)."""

    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"

    @property
    def memory_state(self) -> MemoryState:
        """The card's state before a review of this kind."""
        return _STATE_OF_KIND[self]

    @property
    def anki_type(self) -> int:
        """Anki's ``revlog.type``: 0 learning, 1 review, 2 relearning."""
        return _ANKI_TYPE_OF_KIND[self]

    @classmethod
    def from_anki_type(cls, value: int) -> ReviewKind | None:
        """The kind of an Anki revlog type; None for filtered (3) and manual (4)
        entries, which are not reviews of the learner's memory."""
        return _KIND_OF_ANKI_TYPE.get(value)

    @classmethod
    def parse(cls, value: object) -> ReviewKind | None:
        """The kind named ``value`` ("learning", ...), or None."""
        if not isinstance(value, str):
            return None
        try:
            return cls(value)
        except ValueError:
            return None

    @classmethod
    def of_state(cls, state: MemoryState) -> ReviewKind:
        """The kind of a review of a card in ``state`` (a new card's first
        review is a learning review)."""
        return _KIND_OF_STATE[state]


_STATE_OF_KIND = {
    ReviewKind.LEARNING: MemoryState.LEARNING,
    ReviewKind.REVIEW: MemoryState.REVIEW,
    ReviewKind.RELEARNING: MemoryState.RELEARNING,
}
_KIND_OF_STATE = {
    MemoryState.NEW: ReviewKind.LEARNING,
    MemoryState.LEARNING: ReviewKind.LEARNING,
    MemoryState.REVIEW: ReviewKind.REVIEW,
    MemoryState.RELEARNING: ReviewKind.RELEARNING,
}
_ANKI_TYPE_OF_KIND = {ReviewKind.LEARNING: 0, ReviewKind.REVIEW: 1, ReviewKind.RELEARNING: 2}
_KIND_OF_ANKI_TYPE = {v: k for k, v in _ANKI_TYPE_OF_KIND.items()}


#: The source of the built-in decks (decks/*.toml), re-synced at every start:
#: their cards' ids start with it, and they can't be edited or moved.
BUILTIN_SOURCE = "builtin"
BUILTIN_SOURCE_PREFIX = BUILTIN_SOURCE + ":"

#: How a card's id names the note it shares with its siblings: every importer
#: gives the reverse of a card ``<id>::rev``, cloze N ``<id>::cN`` and an Anki
#: note's other card N ``<id>::N``.
_SIBLING_SUFFIX = re.compile(r"::(?:rev|c?[0-9]+)$")


def note_key(card_id: str) -> str:
    """The note a card belongs to: its id without the sibling suffix
    (``deck:q::rev`` and ``deck:q::c2`` are siblings of ``deck:q``)."""
    return _SIBLING_SUFFIX.sub("", card_id)


def other_language_decks(
    language: str, deck_names: Iterable[str], contents: Mapping[str, Collection[tuple[str, str | None]]]
) -> frozenset[str]:
    """The decks a learner whose interface is in ``language`` does not see:
    those whose active cards all come from a built-in deck in another
    language, and parents left with nothing else under them (their own cards
    none). ``contents`` maps a deck's name to the (source, language) of its
    active cards (language: the built-in deck's, None for other cards); a
    deck it does not name has no active card. The same rule for the deck
    list, the review queue and ``quizapp due``."""
    names = sorted(set(deck_names) | set(contents), key=lambda n: -n.count("::"))

    def foreign(name: str) -> bool:
        cards = contents.get(name, ())
        return bool(cards) and all(
            source.startswith(BUILTIN_SOURCE_PREFIX) and lang is not None and lang != language for source, lang in cards
        )

    hidden: set[str] = set()
    for name in names:  # children first
        children = [n for n in names if n.startswith(name + "::")]
        if foreign(name) or (
            not contents.get(name)
            and children
            and all(c in hidden or not contents.get(c) for c in children)
            and any(c in hidden for c in children)
        ):
            hidden.add(name)
    return frozenset(hidden)


# -- Anki's default settings: a learner with no stored settings gets these ----

#: Probability of recall FSRS aims for.
DEFAULT_DESIRED_RETENTION = 0.9
DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
DEFAULT_LEARNING_STEPS: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
DEFAULT_RELEARNING_STEPS: tuple[timedelta, ...] = (timedelta(minutes=10),)
#: Local hour (0-23) at which a study day begins.
DEFAULT_DAY_START_HOUR = 4
#: The deck option preset every learner has, used by decks not assigned another.
DEFAULT_PRESET = "Default"
#: Lapses after which a card is tagged leech and suspended (then every 4 more).
LEECH_THRESHOLD = 8
#: A learning card due within this much is shown when nothing else is left.
LEARN_AHEAD = timedelta(minutes=20)
#: The longest interval FSRS may give, in days (100 years).
MAXIMUM_INTERVAL_DAYS = 36500
#: Anki's threshold: a review card is mature once its interval reaches 21 days.
MATURE_DAYS = 21.0
