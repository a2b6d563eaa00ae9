"""The messages thread workers post to their screens, all in one place.

Each is a small dataclass. Progress messages that supersede each other
define ``can_replace``, so a busy queue keeps only the newest. A reusable
widget's own events stay nested in the widget, as Textual's do
(``CalendarHeatmap.DaySelected``).

A worker that fails posts nothing: the screen's one handler of
``Worker.StateChanged`` reports it (``QuizScreen.show_failure`` in
tui/screens/base.py).

The payload types are imported for type checking only: importing this
module costs no more than textual's Message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from quizapp.optimizing import OptimizeReport, Workload
    from quizapp.service import CardInfo, CardView, DeckCounts, ImportReport
    from quizapp.service.browse import BrowseRow
    from quizapp.service.statistics import Statistics
    from quizapp.study_settings import Preset, StudySettings


# -- home ---------------------------------------------------------------------------


@dataclass
class DecksLoaded(Message):
    """Fresh deck counts for the home screen."""

    rows: list[DeckCounts]


# -- review -------------------------------------------------------------------------


@dataclass
class CardLoaded(Message):
    """The review session has loaded its next card (or found none, or waits
    for torch): the screen renders the session."""


# -- import -------------------------------------------------------------------------


@dataclass
class ImportProgress(Message):
    """How far the import is (0..1); a newer one replaces an older one."""

    fraction: float
    what: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ImportProgress)


@dataclass
class ImportDone(Message):
    report: ImportReport


# -- settings and the optimizer -------------------------------------------------------


@dataclass
class SettingsLoaded(Message):
    settings: StudySettings
    #: The interface language setting: "es", "en" or "auto" (the locale's).
    language: str = "auto"
    #: Whether the built-in deck in the other language is shown too.
    other_language_deck: bool = False


@dataclass
class SettingsSaved(Message):
    settings: StudySettings
    #: The interface language now in effect, when saving changed it (else None).
    language: str | None = None


@dataclass
class PresetsLoaded(Message):
    """The learner's deck option presets (each with its decks) and every deck's name."""

    presets: list[Preset]
    decks: list[str]


@dataclass
class OptimalRetentionFound(Message):
    """The optimal retention for the learner's parameters and collection."""

    retention: float


@dataclass
class WorkloadSimulated(Message):
    """The simulator's prediction for the desired retention in the form;
    a newer one supersedes it."""

    workload: Workload

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkloadSimulated)


@dataclass
class OptimizeProgress(Message):
    """How far the fit is; a newer one replaces an older one."""

    stage: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, OptimizeProgress)


@dataclass
class OptimizeDone(Message):
    report: OptimizeReport


@dataclass
class ParametersChanged(Message):
    """After a reschedule or a revert: what to tell the learner."""

    notice: str


# -- statistics ---------------------------------------------------------------------


@dataclass
class StatsLoaded(Message):
    """The figures computed so far by the worker (``stats.pending`` names
    the blocks still to come); a newer one replaces an older one."""

    stats: Statistics
    #: Which load of the screen computed them (a refresh starts a new one).
    generation: int = 0

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatsLoaded) and message.generation == self.generation


# -- the card browser -----------------------------------------------------------------


@dataclass
class SearchDone(Message):
    """Results of a search."""

    query: str
    rows: list[BrowseRow]
    #: Card to keep the cursor on (after an action).
    keep: str | None = None
    #: A search the learner asked for: the cursor goes to the results.
    focus: bool = False


@dataclass
class CountDone(Message):
    """How many cards the query matches in all (when more than the rows shown)."""

    query: str
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CountDone)


@dataclass
class InfoLoaded(Message):
    card_id: str
    info: CardInfo


@dataclass
class ActionDone(Message):
    """A card action finished: ``notice`` for the learner."""

    card_id: str
    notice: str


@dataclass
class EditorReady(Message):
    card: CardView


@dataclass
class DecksReady(Message):
    card_id: str
    current: str
    names: list[str]
