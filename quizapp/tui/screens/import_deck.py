"""Import decks from the TUI: a path, a progress bar, the report. A running
import is cancelled with Escape or ``c`` (shown in the footer while it runs):
the worker stops at the next file or card, and nothing is written."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, ProgressBar, Static

from quizapp.i18n import N_, _, ngettext
from quizapp.service import ImportCancelled
from quizapp.tui.messages import ImportDone, ImportProgress
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.widgets.card_text import plain
from quizapp.tui.widgets.checkbox import MarkedCheckbox


class ImportScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("escape", "leave", N_("Back / cancel")),
        Binding("c", "cancel_import", N_("Cancel import")),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: Set while an import runs; the worker stops once it is set.
        self._cancel: threading.Event | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_import":
            return self._cancel is not None  # in the footer only while an import runs
        return True

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import"):
            yield Static(
                _("Import decks: .toml, .md or .txt notes (or a folder of notes), .csv/.tsv, .apkg"), id="import-title"
            )
            yield Input(placeholder=_("Path to a file or folder, then Enter"), id="import-path")
            yield MarkedCheckbox(_("Dry run (show what would change, write nothing)"), id="import-dry-run")
            yield ProgressBar(total=1.0, show_eta=False, id="import-progress")
            yield Static("", id="import-status")
            yield Static("", id="import-report")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one(Input).focus()

    @on(Input.Submitted, "#import-path")
    def start(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if not raw:
            return
        path = Path(raw).expanduser()
        self.query_one(Input).disabled = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(progress=0)
        self.query_one("#import-report", Static).update("")
        self._cancel = threading.Event()
        self.refresh_bindings()
        self.run_import(path, self.query_one(MarkedCheckbox).value, self._cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import", description=N_("importing"))
    def run_import(self, path: Path, dry_run: bool, cancel: threading.Event) -> None:
        def progress(fraction: float, what: str) -> None:
            self.post_message(ImportProgress(fraction, what))

        report = self.service.import_paths([path], dry_run=dry_run, progress=progress, cancelled=cancel.is_set)
        self.post_message(ImportDone(report))

    @on(ImportProgress)
    def show_progress(self, message: ImportProgress) -> None:
        self.query_one(ProgressBar).update(progress=message.fraction)
        self.query_one("#import-status", Static).update(plain(message.what))

    def _ended(self) -> None:
        self._cancel = None
        self.refresh_bindings()
        self.query_one(ProgressBar).update(progress=1.0)
        self.query_one(Input).disabled = False
        self.query_one(Input).focus()  # the next path goes where it is typed, not to the dry-run box

    def show_failure(self, failure: WorkFailure) -> None:
        self._ended()
        if isinstance(failure.error, ImportCancelled):
            self.query_one("#import-status", Static).update(_("Import cancelled; nothing was written"))
            self.query_one(Input).focus()
            return
        self.query_one("#import-status", Static).update(_("Import failed."))
        self.query_one("#import-report", Static).update(plain(failure.detail))

    @on(ImportDone)
    def show_report(self, message: ImportDone) -> None:
        self._ended()
        status = self.query_one("#import-status", Static)
        report = message.report
        text = Text()
        if report.errors:
            count = len(report.errors)
            status.update(
                ngettext(
                    "✗ {count} problem: nothing was imported.", "✗ {count} problems: nothing was imported.", count
                ).format(count=count)
            )
            for problem in report.errors[:50]:
                text.append_text(plain(f"{problem}\n"))
        else:
            line = (
                _("✓ Would add {added} cards, update {updated}; unchanged {unchanged}, skipped {skipped}")
                if report.dry_run
                else _("✓ Added {added} cards, updated {updated}, unchanged {unchanged}, skipped {skipped}")
            ).format(added=report.added, updated=report.updated, unchanged=report.unchanged, skipped=report.skipped)
            if report.reviews:
                line += ngettext(", {count} past review", ", {count} past reviews", report.reviews).format(
                    count=report.reviews
                )
            status.update(line)
        for problem in report.warnings[:50]:
            text.append_text(plain(_("warning: {problem}").format(problem=problem) + "\n"))
        self.query_one("#import-report", Static).update(text)

    def action_cancel_import(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.query_one("#import-status", Static).update(_("Cancelling…"))

    def action_leave(self) -> None:
        if self._cancel is not None:  # Escape first stops a running import
            self.action_cancel_import()
        else:
            self.dismiss()
