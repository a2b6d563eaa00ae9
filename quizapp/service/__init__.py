"""The service: the one door through which the TUI and the CLI reach the
learner's data. ``Service`` is a facade; each use case lives in its own
module of this package and takes the shared :class:`~context.Context`:

    context.py     engine, learner, clock, time zone, settings, kernel, fitter;
                   read() and write(): the one place a transaction is opened
    views.py       CardView, DeckCounts: what the screens get
    review.py      next card, grade-button previews, answer, undo, bury, suspend
    questions.py   the question a live card asks, run in the kernel
    decks.py       sync parsed decks, built-in decks, deck counts, card list
    importing.py   import files of every format, all or nothing
    exporting.py   export to .apkg, .csv or TOML
    statistics.py  the statistics screen and ``stats --json``
    browse.py      the card browser: search, card details, suspend, bury, reset, edit, move
    settings.py    the learner's study settings
    presets.py     deck option presets: list, create, update, delete, assign;
                   what is left of each deck's daily limits
    optimize.py    personal FSRS parameters: fit, compare, adopt, revert, reschedule;
                   optimal retention, the workload simulator
    backup.py      backups of a SQLite database: make, list, restore, once a day on close

Processes (the torch kernel) and a replacement fitter are passed in from the top
(quizapp.cli, quizapp.tui.app): nothing here starts one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from quizapp.domain import DEFAULT_PRESET, Rating
from quizapp.scheduling import Memory, Outcome, Scheduler, SchedulingConfig
from quizapp.service import backup, decks, optimize, presets, settings
from quizapp.service.backup import BackupError, BackupInfo
from quizapp.service.context import Context, KernelLike, utcnow
from quizapp.service.decks import SyncReport
from quizapp.service.views import CardView, DeckCounts
from quizapp.store import queries


class _LazyModule:
    """A use-case module imported when one of its names is first used."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


#: Names this package re-exports from the modules imported on first use.
_LAZY_NAMES = {
    "Answer": "review",
    "AnswerResult": "review",
    "CardInfo": "browse",
    "CardLocked": "browse",
    "ExportError": "exporting",
    "ExportReport": "exporting",
    "ImportCancelled": "importing",
    "ImportReport": "importing",
}


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"quizapp.service.{module}"), name)


if TYPE_CHECKING:
    from quizapp.service import browse, exporting, importing, questions, review, statistics
    from quizapp.service.browse import CardInfo, CardLocked
    from quizapp.service.exporting import ExportError, ExportReport
    from quizapp.service.importing import ImportCancelled, ImportReport
    from quizapp.service.review import Answer, AnswerResult
else:
    # Imported on first use: a command that neither reviews, browses, imports,
    # exports nor shows statistics (`quizapp optimize`) starts faster.
    browse, exporting, importing, questions, review, statistics = (
        _LazyModule(f"quizapp.service.{name}")
        for name in ("browse", "exporting", "importing", "questions", "review", "statistics")
    )

if TYPE_CHECKING:
    from quizapp.importers.base import ParsedDeck
    from quizapp.optimizing import Fitter, OptimizeReport, Progress, ReviewRow, Workload
    from quizapp.questions.base import Question
    from quizapp.settings import Settings
    from quizapp.store.search import BrowseRow, HistoryRow
    from quizapp.store.statistics import Statistics
    from quizapp.study_settings import Preset, StudySettings

__all__ = [
    "Answer",
    "AnswerResult",
    "BackupError",
    "BackupInfo",
    "CardInfo",
    "CardLocked",
    "CardView",
    "DeckCounts",
    "ExportError",
    "ExportReport",
    "ImportCancelled",
    "ImportReport",
    "OpenError",
    "Service",
    "SyncReport",
    "open_service",
]


class Service:
    """The learner ``user``'s view of the database behind ``engine``.

    Each call is its own unit of work, so it is safe to call from a worker
    thread; don't share a call's results' sessions across threads (they
    hold none: results are plain values).
    """

    def __init__(
        self,
        engine: Engine,
        user: str,
        *,
        config: SchedulingConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        tz: tzinfo | None = None,
        kernel: KernelLike | None = None,
        fit: Fitter | None = None,
        backup_keep: int = backup.DEFAULT_KEEP,
    ) -> None:
        #: Backups kept (0: all, and no automatic ones); see service/backup.py.
        self.backup_keep = backup_keep
        with Context(engine, 0, user).write() as session:
            user_id = queries.get_or_create_user(session=session, name=user).id
            assert user_id is not None
            queries.ensure_default_preset(session=session, user_id=user_id)
        self.ctx = Context(
            engine=engine,
            user_id=user_id,
            user_name=user,
            clock=clock,
            tz=tz,
            config=config or SchedulingConfig(),
            fixed_config=config is not None,
            kernel=kernel,
            fit=fit,
        )
        if config is None:
            settings.apply_settings(self.ctx, settings.study_settings(self.ctx))

    # -- the shared context -------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self.ctx.engine

    @property
    def user_id(self) -> int:
        return self.ctx.user_id

    @property
    def user_name(self) -> str:
        return self.ctx.user_name

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.ctx.clock

    @property
    def tz(self) -> tzinfo | None:
        return self.ctx.tz

    @property
    def config(self) -> SchedulingConfig:
        return self.ctx.config

    @property
    def scheduler(self) -> Scheduler:
        return self.ctx.scheduler

    @property
    def kernel(self) -> KernelLike | None:
        """The torch kernel passed in (None: live cards are off)."""
        return self.ctx.kernel

    def day_bounds(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """(start, end) in UTC of the study day containing ``now``."""
        return self.ctx.day_bounds(now)

    # -- settings (service/settings.py) -------------------------------------

    def study_settings(self) -> StudySettings:
        return settings.study_settings(self.ctx)

    def update_settings(self, preset: str = DEFAULT_PRESET, **changes: object) -> StudySettings:
        return settings.update_settings(self.ctx, preset, **changes)

    # -- deck option presets (service/presets.py) ---------------------------

    def presets(self) -> list[Preset]:
        return presets.list_presets(self.ctx)

    def preset(self, name: str) -> Preset:
        return presets.preset(self.ctx, name)

    def deck_preset(self, deck: str) -> Preset:
        return presets.deck_preset(self.ctx, deck)

    def create_preset(self, name: str, **changes: object) -> Preset:
        return presets.create_preset(self.ctx, name, **changes)

    def update_preset(self, name: str, *, rename: str | None = None, **changes: object) -> Preset:
        return presets.update_preset(self.ctx, name, rename=rename, **changes)

    def delete_preset(self, name: str) -> list[str]:
        return presets.delete_preset(self.ctx, name)

    def assign_preset(self, decks: list[str], name: str) -> Preset:
        return presets.assign_preset(self.ctx, decks, name)

    def interface_language(self) -> str:
        return settings.interface_language(self.ctx)

    def set_interface_language(self, language: str | None) -> str:
        return settings.set_interface_language(self.ctx, language)

    def language_setting(self) -> str | None:
        return settings.language_setting(self.ctx)

    def other_language_deck(self) -> bool:
        return settings.other_language_deck(self.ctx)

    def set_other_language_deck(self, shown: bool) -> None:
        settings.set_other_language_deck(self.ctx, shown)

    # -- decks (service/decks.py) -------------------------------------------

    def sync_deck(self, parsed: ParsedDeck, *, dry_run: bool = False) -> SyncReport:
        return decks.sync_decks(self.ctx, [parsed], dry_run=dry_run)[0]

    def sync_decks(
        self,
        parsed: list[ParsedDeck],
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[SyncReport]:
        return decks.sync_decks(self.ctx, parsed, dry_run=dry_run, progress=progress)

    def sync_builtin_decks(self, directory: Path | None = None, *, if_changed: bool = False) -> list[SyncReport]:
        return decks.sync_builtin_decks(self.ctx, directory, if_changed=if_changed)

    def deck_counts(self) -> list[DeckCounts]:
        return decks.deck_counts(self.ctx)

    def today_counts(self, deck: str | None = None) -> DeckCounts:
        return decks.today_counts(self.ctx, deck)

    def deck_names(self) -> list[str]:
        return decks.deck_names(self.ctx)

    def cards(self, deck: str | None = None) -> list[CardView]:
        return decks.cards(self.ctx, deck)

    # -- import and export (service/importing.py, service/exporting.py) ------

    def import_paths(
        self,
        paths: list[Path],
        *,
        deck: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Callable[[float, str], None] | None = None,
        kernel_budget_s: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        fmt: str | None = None,
    ) -> ImportReport:
        """See service/importing.py (``kernel_budget_s`` None: its KERNEL_BUDGET_S);
        raises ImportCancelled once ``cancelled()`` is True."""
        if kernel_budget_s is None:
            kernel_budget_s = importing.KERNEL_BUDGET_S
        return importing.import_paths(
            self.ctx,
            paths,
            deck=deck,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
            kernel_budget_s=kernel_budget_s,
            cancelled=cancelled,
            fmt=fmt,
        )

    def export(self, output: Path, fmt: str, *, deck: str | None = None, scheduling: bool = True) -> ExportReport:
        return exporting.export_cards(self.ctx, output, fmt, deck=deck, scheduling=scheduling)

    # -- review (service/review.py, service/questions.py) -------------------

    def next_card(self, deck: str | None = None, *, generated: bool = True) -> CardView | None:
        return review.next_card(self.ctx, deck, generated=generated)

    def card(self, card_id: str) -> CardView:
        return review.card(self.ctx, card_id)

    def question(self, card: CardView, seed: int) -> Question:
        """The question a live card asks for ``seed``, run in the kernel."""
        return questions.card_question(card, seed, self.ctx.kernel)

    def memory(self, card_id: str) -> Memory:
        return review.memory(self.ctx, card_id)

    def preview(self, card_id: str) -> dict[Rating, Outcome]:
        return review.preview(self.ctx, card_id)

    def answer(
        self, card_id: str, rating: Rating, *, duration_ms: int = 0, answer: Answer | None = None
    ) -> AnswerResult:
        return review.answer(self.ctx, card_id, rating, duration_ms=duration_ms, given=answer)

    def undo(self, log_id: int | None = None) -> str | None:
        return review.undo(self.ctx, log_id)

    def bury(self, card_id: str, buried: bool = True) -> None:
        review.bury(self.ctx, card_id, buried)

    def suspend(self, card_id: str, suspended: bool = True) -> None:
        review.suspend(self.ctx, card_id, suspended)

    def card_snapshot(self, card_id: str) -> str:
        return review.card_snapshot(self.ctx, card_id)

    def restore_card(self, card_id: str, snapshot: str) -> None:
        review.restore_card(self.ctx, card_id, snapshot)

    # -- the card browser (service/browse.py) -------------------------------

    def search_cards(self, query: str, limit: int | None = None, *, offset: int = 0) -> list[BrowseRow]:
        """At most ``limit`` rows (None: service/browse.py's DEFAULT_LIMIT)."""
        return browse.search_cards(self.ctx, query, browse.DEFAULT_LIMIT if limit is None else limit, offset=offset)

    def count_cards(self, query: str) -> int:
        return browse.count_cards(self.ctx, query)

    def card_history(self, card_id: str) -> list[HistoryRow]:
        return browse.card_history(self.ctx, card_id)

    def browse_row(self, card_id: str) -> BrowseRow:
        return browse.browse_row(self.ctx, card_id)

    def card_info(self, card_id: str) -> CardInfo:
        return browse.card_info(self.ctx, card_id)

    def toggle_suspend(self, card_id: str) -> bool:
        return browse.toggle_suspend(self.ctx, card_id)

    def toggle_bury(self, card_id: str) -> bool:
        return browse.toggle_bury(self.ctx, card_id)

    def reset_card(self, card_id: str) -> None:
        browse.reset_card(self.ctx, card_id)

    def edit_card(self, card_id: str, front: str, back: str) -> None:
        browse.edit_card(self.ctx, card_id, front, back)

    def move_card(self, card_id: str, deck: str) -> str:
        return browse.move_card(self.ctx, card_id, deck)

    # -- FSRS parameters (service/optimize.py) ------------------------------

    def review_rows(self) -> list[ReviewRow]:
        return optimize.review_rows(self.ctx)

    def optimize(
        self,
        *,
        fit: Fitter | None = None,
        progress: Progress | None = None,
        reschedule: bool = False,
        cancel: Callable[[], bool] | None = None,
        time_series: bool = False,
    ) -> OptimizeReport:
        return optimize.optimize(
            self.ctx, fit=fit, progress=progress, reschedule=reschedule, cancel=cancel, time_series=time_series
        )

    def set_parameters(self, parameters: tuple[float, ...]) -> StudySettings:
        return optimize.set_parameters(self.ctx, parameters)

    def revert_parameters(self) -> StudySettings:
        return optimize.revert_parameters(self.ctx)

    def reschedule(self, progress: Callable[[int, int], None] | None = None) -> int:
        return optimize.reschedule_all(self.ctx, progress)

    def optimal_retention(self) -> float:
        return optimize.optimal_retention(self.ctx)

    def simulate(self, *, retention: float | None = None, days: int = 365) -> Workload:
        return optimize.simulate(self.ctx, retention=retention, days=days)

    # -- statistics (service/statistics.py) ---------------------------------

    def statistics(self, progress: Callable[[Statistics], None] | None = None) -> Statistics:
        return statistics.statistics(self.ctx, progress)

    def stats(self) -> dict[str, Any]:
        """The fields of ``quizapp stats --json``."""
        return statistics.stats_json(self.ctx)

    # -- backups (service/backup.py) ----------------------------------------

    def backup_folder(self) -> Path:
        """Where this database's backups live (BackupError: not a SQLite file)."""
        return backup.folder(self.ctx)

    def backups(self) -> list[BackupInfo]:
        """This database's backups, newest first."""
        return backup.backups(self.ctx)

    def backup(self) -> BackupInfo:
        """Back up the database now (the newest ``backup_keep`` are kept)."""
        return backup.make(self.ctx, self.backup_keep)

    def backup_if_due(self) -> BackupInfo | None:
        """The automatic backup on close: at most one per study day."""
        return backup.make_if_due(self.ctx, self.backup_keep)

    def restore(self, file: Path) -> BackupInfo:
        """Replace the database with a backup; returns the backup of the state before."""
        return backup.restore(self.ctx, file, self.backup_keep)


class OpenError(Exception):
    """The database or the built-in decks could not be opened; one line."""


def open_service(app_settings: Settings, *, kernel: KernelLike | None = None, fit: Fitter | None = None) -> Service:
    """The service for ``app_settings``' database and learner, as the CLI and
    the TUI open it: the schema brought up to date and the built-in decks
    synced (unless the settings say not to)."""
    from quizapp.importers.base import DeckError
    from quizapp.store.engine import DatabaseError, make_engine

    try:
        service = Service(
            make_engine(app_settings.database_url),
            app_settings.user,
            kernel=kernel,
            fit=fit,
            backup_keep=app_settings.backup_keep,
        )
        if app_settings.sync_builtin_decks:
            service.sync_builtin_decks(if_changed=True)
    except (DatabaseError, DeckError) as exc:
        raise OpenError(str(exc).splitlines()[0]) from exc
    except Exception as exc:  # sqlalchemy's errors name the URL
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise OpenError(f"{app_settings.database_url}: {type(exc).__name__}: {first}") from exc
    return service
