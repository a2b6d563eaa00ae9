"""Import decks from the TUI: a path, a progress bar, the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, ProgressBar, Static

from quizapp.service import ImportReport


@dataclass
class ImportProgress(Message):
    """How far the import is (0..1); a newer one replaces an older one."""

    fraction: float
    what: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ImportProgress)


@dataclass
class ImportDone(Message):
    report: ImportReport | None
    error: str = ""


class ImportScreen(Screen[None]):
    BINDINGS = [Binding("escape", "leave", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import"):
            yield Static("Import decks: .toml, .md (or a folder of notes), .csv/.tsv, .apkg", id="import-title")
            yield Input(placeholder="Path to a file or folder, then Enter", id="import-path")
            yield Checkbox("Dry run (show what would change, write nothing)", id="import-dry-run")
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
        self.run_import(path, self.query_one(Checkbox).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import", description="import")
    def run_import(self, path: Path, dry_run: bool) -> None:
        try:
            report = self.app.service.import_paths(
                [path],
                dry_run=dry_run,
                progress=lambda fraction, what: self.post_message(ImportProgress(fraction, what)),
            )
        except Exception as exc:  # shown, never a crash
            self.post_message(ImportDone(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(ImportDone(report))

    @on(ImportProgress)
    def show_progress(self, message: ImportProgress) -> None:
        self.query_one(ProgressBar).update(progress=message.fraction)
        self.query_one("#import-status", Static).update(message.what)

    @on(ImportDone)
    def show_report(self, message: ImportDone) -> None:
        self.query_one(ProgressBar).update(progress=1.0)
        self.query_one(Input).disabled = False
        status = self.query_one("#import-status", Static)
        report = message.report
        text = Text()
        if report is None:
            status.update("Import failed.")
            text.append(message.error)
        elif report.errors:
            status.update(f"✗ {len(report.errors)} problem(s): nothing was imported.")
            for problem in report.errors[:50]:
                text.append(f"{problem}\n")
        else:
            verb = "Would add" if report.dry_run else "Added"
            status.update(
                f"✓ {verb} {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
                f"skipped {report.skipped}" + (f", {report.reviews} past reviews" if report.reviews else "")
            )
        if report is not None:
            for problem in report.warnings[:50]:
                text.append(f"warning: {problem}\n")
        self.query_one("#import-report", Static).update(text)

    def action_leave(self) -> None:
        self.dismiss()
