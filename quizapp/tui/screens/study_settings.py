"""The learner's study settings: desired retention, daily limits, learning
steps and the hour a study day starts. Ctrl+S saves, Escape goes back.

Every field is checked as it is typed, with the same rules (and one-line
messages) as ``quizapp settings`` (quizapp/study_settings.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from quizapp.study_settings import EDITABLE, LABELS, SettingsError, StudySettings, format_steps, validate_changes

HINTS = {
    "desired_retention": "0.70-0.99: the chance of remembering a card when it comes back",
    "new_per_day": "new cards introduced per study day",
    "reviews_per_day": "reviews per study day",
    "learning_steps": "e.g. 1m 10m (s, m, h, d)",
    "relearning_steps": "e.g. 10m, after a lapse",
    "day_start_hour": "0-23, local time (Anki: 4)",
}


@dataclass
class SettingsLoaded(Message):
    settings: StudySettings | None
    error: str = ""


@dataclass
class SettingsSaved(Message):
    settings: StudySettings | None
    error: str = ""


def field_text(settings: StudySettings, name: str) -> str:
    value = getattr(settings, name)
    return format_steps(value) if name.endswith("steps") else str(value)


class SettingsScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: StudySettings | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Settings", id="settings-title")
        with VerticalScroll(id="settings-form"):
            for name in EDITABLE:
                with Horizontal(classes="settings-row"):
                    yield Label(LABELS[name], classes="settings-label")
                    yield Input(id=f"setting-{name}", classes="settings-input", disabled=True)
                    yield Static(HINTS[name], id=f"hint-{name}", classes="settings-hint")
        yield Static("Loading…", id="settings-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings", description="load settings")
    def load(self) -> None:
        try:
            settings = self.app.service.study_settings()
        except Exception as exc:  # shown, never a crash
            self.post_message(SettingsLoaded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(SettingsLoaded(settings))

    @on(SettingsLoaded)
    def show_settings(self, message: SettingsLoaded) -> None:
        status = self.query_one("#settings-status", Static)
        if message.settings is None:
            status.update(f"Error loading the settings: {message.error}")
            return
        self.current = message.settings
        for name in EDITABLE:
            field = self.query_one(f"#setting-{name}", Input)
            field.value = field_text(message.settings, name)
            field.disabled = False
        self.query_one(f"#setting-{EDITABLE[0]}", Input).focus()
        kind = "personal (fitted by the optimizer)" if message.settings.personal else "FSRS defaults"
        status.update(f"FSRS parameters: {kind}.  Ctrl+S saves; Escape goes back.")

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#setting-{name}", Input).value for name in EDITABLE}

    @on(Input.Changed, ".settings-input")
    def check_field(self, event: Input.Changed) -> None:
        """Say at once what is wrong with a field (the same rules as saving)."""
        if self.current is None or event.input.id is None:
            return
        name = event.input.id.removeprefix("setting-")
        hint = self.query_one(f"#hint-{name}", Static)
        try:
            validate_changes(self.current, {name: event.value})
        except SettingsError as exc:
            event.input.add_class("-invalid-setting")
            hint.update(f"✗ {exc}")
        else:
            event.input.remove_class("-invalid-setting")
            hint.update(HINTS[name])

    @on(Input.Submitted, ".settings-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        if self.current is None:
            return
        values = self.values()
        try:
            validate_changes(self.current, values)
        except SettingsError as exc:
            self.query_one("#settings-status", Static).update(f"✗ Not saved: {exc}")
            return
        self.save(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings", description="save settings")
    def save(self, values: dict[str, str]) -> None:
        try:
            settings = self.app.service.update_settings(**values)
        except Exception as exc:  # SettingsError included: shown, never a crash
            self.post_message(SettingsSaved(None, str(exc)))
            return
        self.post_message(SettingsSaved(settings))

    @on(SettingsSaved)
    def saved(self, message: SettingsSaved) -> None:
        if message.settings is None:
            self.query_one("#settings-status", Static).update(f"✗ Not saved: {message.error}")
            return
        self.current = message.settings
        self.app.notify("Settings saved.", timeout=3)
        self.dismiss()

    def action_leave(self) -> None:
        self.dismiss()
