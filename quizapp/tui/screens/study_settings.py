"""The learner's study settings: desired retention, daily limits, learning
steps and the hour a study day starts. Ctrl+S saves, Escape goes back.

Every field is checked as it is typed, with the same rules (and one-line
messages) as ``quizapp settings`` (quizapp/study_settings.py).

Under the form: the optimal retention for the learner's parameters, and what
the desired retention typed costs, from the workload simulator: reviews and
minutes per day over the next 365 days, as a plot and in numbers (both
computed by the Rust FSRS core in thread workers; the form never waits).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from quizapp.i18n import N_, _, ngettext, set_language
from quizapp.optimizing import Workload
from quizapp.service import BackupError
from quizapp.study_settings import EDITABLE, LABELS, SettingsError, StudySettings, format_steps, validate_changes
from quizapp.tui.messages import OptimalRetentionFound, SettingsLoaded, SettingsSaved, WorkloadSimulated
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.widgets.card_text import plain

HINTS = {
    "desired_retention": N_("0.70-0.99: the chance of recalling a card when due"),
    "new_per_day": N_("new cards introduced per study day"),
    "reviews_per_day": N_("reviews per study day"),
    "learning_steps": N_("e.g. 1m 10m (s, m, h, d)"),
    "relearning_steps": N_("e.g. 10m, after a lapse"),
    "day_start_hour": N_("0-23, local time (Anki: 4)"),
}
#: The interface language's choices; each language is named in itself.
LANGUAGE_AUTO = "auto"


def field_text(settings: StudySettings, name: str) -> str:
    value = getattr(settings, name)
    return format_steps(value) if name.endswith("steps") else str(value)


class SettingsScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "leave", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: StudySettings | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Settings"), id="settings-title")
        with VerticalScroll(id="settings-form"):
            for name in EDITABLE:
                with Horizontal(classes="settings-row"):
                    yield Label(_(LABELS[name]), classes="settings-label")
                    yield Input(id=f"setting-{name}", classes="settings-input", disabled=True)
                    yield Static(_(HINTS[name]), id=f"hint-{name}", classes="settings-hint")
            with Horizontal(classes="settings-row"):
                yield Label(_("Interface language"), classes="settings-label")
                yield Select(
                    [("Español", "es"), ("English", "en"), (_("Automatic (locale)"), LANGUAGE_AUTO)],
                    allow_blank=False,
                    value=LANGUAGE_AUTO,
                    id="setting-language",
                    disabled=True,
                )
                yield Static(_("applied when saved"), classes="settings-hint")
            yield Checkbox(_("Also show the other language's built-in deck"), id="setting-other-deck", disabled=True)
            yield Static("", id="settings-optimal")
            yield Static("", id="settings-workload")
            yield _plot("workload-plot")
        yield Static(self.backups_line(), id="settings-backups")
        yield Static(_("Loading…"), id="settings-status")
        yield Footer()

    def backups_line(self) -> Text:
        """Where the backups live and how many are kept (plain text: a path
        is data, never markup)."""
        service = self.service
        try:
            folder = service.backup_folder()
        except BackupError as exc:
            return Text(_("Backups: {error}.").format(error=exc))
        keep = (
            ngettext("the last {count} kept", "the last {count} kept", service.backup_keep).format(
                count=service.backup_keep
            )
            if service.backup_keep
            else _("all kept, none automatic")
        )
        return Text(_("Backups ({keep}; QUIZAPP_BACKUP_KEEP): {folder}").format(keep=keep, folder=folder))

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings", description=N_("loading the settings"))
    def load(self) -> None:
        service = self.service
        self.post_message(
            SettingsLoaded(
                service.study_settings(),
                language=service.language_setting() or LANGUAGE_AUTO,
                other_language_deck=service.other_language_deck(),
            )
        )

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="optimal",
        description=N_("computing the optimal retention"),
    )
    def load_optimal(self) -> None:
        self.post_message(OptimalRetentionFound(self.service.optimal_retention()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="workload", description=N_("simulating the workload"))
    def simulate_workload(self, retention: float) -> None:
        self.post_message(WorkloadSimulated(self.service.simulate(retention=retention)))

    def show_failure(self, failure: WorkFailure) -> None:
        status = self.query_one("#settings-status", Static)
        if failure.work == "load_optimal":
            self.query_one("#settings-optimal", Static).update(Text(failure.text))
        elif failure.work == "simulate_workload":
            self.query_one("#settings-workload", Static).update(Text(failure.text))
        elif failure.work == "save":
            # A SettingsError names the field and what is wrong with it.
            reason = str(failure.error) if isinstance(failure.error, SettingsError) else failure.detail
            status.update(plain(_("✗ Not saved: {reason}").format(reason=reason)))
        else:
            status.update(plain(failure.text))

    @on(SettingsLoaded)
    def show_settings(self, message: SettingsLoaded) -> None:
        status = self.query_one("#settings-status", Static)
        self.current = message.settings
        for name in EDITABLE:
            field = self.query_one(f"#setting-{name}", Input)
            field.value = field_text(message.settings, name)
            field.disabled = False
        language = self.query_one("#setting-language", Select)
        language.value = message.language
        language.disabled = False
        other_deck = self.query_one("#setting-other-deck", Checkbox)
        other_deck.value = message.other_language_deck
        other_deck.disabled = False
        self.query_one(f"#setting-{EDITABLE[0]}", Input).focus()
        kind = _("personal (fitted by the optimizer)") if message.settings.personal else _("FSRS defaults")
        status.update(_("FSRS parameters: {kind}.  Ctrl+S saves; Escape goes back.").format(kind=kind))
        self.query_one("#settings-optimal", Static).update(_("Optimal retention for your parameters: computing…"))
        self.load_optimal()
        self.simulate_workload(message.settings.desired_retention)

    @on(OptimalRetentionFound)
    def show_optimal(self, message: OptimalRetentionFound) -> None:
        self.query_one("#settings-optimal", Static).update(
            _(
                "Optimal retention for your parameters: {retention} "
                "(the least study time per card remembered, by the FSRS simulator)"
            ).format(retention=f"{message.retention:.2f}")
        )

    @on(WorkloadSimulated)
    def show_workload(self, message: WorkloadSimulated) -> None:
        self.query_one("#settings-workload", Static).update(workload_text(message.workload))
        plot = self.query_one("#workload-plot")
        if hasattr(plot, "plt"):
            w = message.workload
            days = list(range(1, w.days + 1))
            plt = plot.plt
            plt.clear_data()
            plt.plot(days, w.reviews_per_day, label=_("reviews/day"))
            plt.plot(days, w.minutes_per_day, label=_("minutes/day"))
            plt.xlabel(_("days from today"))
            plot.refresh()

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
            hint.update(plain(f"✗ {exc}"))  # the message quotes what was typed
        else:
            event.input.remove_class("-invalid-setting")
            hint.update(_(HINTS[name]))
            if name == "desired_retention" and event.value.strip():
                self.simulate_workload(float(event.value))

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
            self.query_one("#settings-status", Static).update(plain(_("✗ Not saved: {reason}").format(reason=exc)))
            return
        language = self.query_one("#setting-language", Select).value
        other_deck = self.query_one("#setting-other-deck", Checkbox).value
        self.save(values, str(language), other_deck)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings", description=N_("saving the settings"))
    def save(self, values: dict[str, str], language: str, other_language_deck: bool) -> None:
        service = self.service
        settings = service.update_settings(**values)
        before = service.interface_language()
        now = service.set_interface_language(None if language == LANGUAGE_AUTO else language)
        service.set_other_language_deck(other_language_deck)
        self.post_message(SettingsSaved(settings, language=now if now != before else None))

    @on(SettingsSaved)
    def saved(self, message: SettingsSaved) -> None:
        self.current = message.settings
        if message.language is not None:  # the interface is rebuilt in the new language
            set_language(message.language)
            self.app.notify(_("Settings saved."), timeout=3)
            self.dismiss()
            from quizapp.tui.screens.home import HomeScreen

            self.app.switch_screen(HomeScreen())
            return
        self.app.notify(_("Settings saved."), timeout=3)
        self.dismiss()

    def action_leave(self) -> None:
        self.dismiss()


def workload_text(workload: Workload) -> Text:
    """The simulator's figures in numbers (the plot shows the same)."""
    text = Text(
        _("At desired retention {retention}, over {days} days:").format(
            retention=f"{workload.retention:.2f}", days=workload.days
        )
        + "\n"
    )
    spans = (
        (_("first week"), 7),
        (_("first month"), 30),
        (ngettext("{count} day", "{count} days", workload.days).format(count=workload.days), workload.days),
    )
    for label, span in spans:
        n = min(span, len(workload.reviews_per_day))
        if n:
            reviews = sum(workload.reviews_per_day[:n]) / n
            minutes = sum(workload.minutes_per_day[:n]) / n
            text.append(
                "  "
                + _("{label} {reviews} reviews/day {minutes} min/day").format(
                    label=f"{label:<12}", reviews=f"{reviews:6.0f}", minutes=f"{minutes:6.0f}"
                )
                + "\n"
            )
    if workload.memorized:
        text.append("  " + _("cards remembered at the end: {count}").format(count=f"{workload.memorized[-1]:.0f}"))
    return text


def _plot(id: str) -> Widget:
    """A textual-plotext plot of the workload, or an empty placeholder if it
    is not installed (the numbers above carry the same figures)."""
    try:
        from textual_plotext import PlotextPlot  # ~50 ms: loaded with this screen only
    except ImportError:  # pragma: no cover - a dependency; kept optional at run time
        return Static("", id=id, classes="workload-plot")
    return PlotextPlot(id=id, classes="workload-plot")
