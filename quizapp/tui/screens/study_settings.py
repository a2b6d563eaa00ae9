"""The learner's study settings: the deck option preset of a chosen deck
(desired retention, daily limits, learning steps), and the hour a study day
starts (the learner's, for every deck). Ctrl+S saves, Escape goes back.

At the top: the deck (the one highlighted on the home screen; "no deck"
edits presets without assigning one), the preset it uses (choosing another
assigns it on save), and a box to name a new preset (it starts from the
values shown). Every field is checked as it is typed, with the same rules
(and one-line messages) as ``quizapp settings`` (quizapp/study_settings.py).

Under the form: the optimal retention for the learner's parameters, and what
the desired retention typed costs, from the workload simulator: reviews and
minutes per day over the next 365 days, as a plot and in numbers (both
computed by the Rust FSRS core in thread workers; the form never waits).
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from quizapp.domain import DEFAULT_PRESET
from quizapp.i18n import N_, _, ngettext, set_language
from quizapp.optimizing import Workload
from quizapp.service import BackupError
from quizapp.study_settings import (
    EDITABLE,
    LABELS,
    PRESET_FIELDS,
    SWITCHES,
    Preset,
    SettingsError,
    StudySettings,
    check_preset_name,
    format_steps,
    switch_text,
    validate_changes,
    validate_preset,
)
from quizapp.tui.messages import (
    OptimalRetentionFound,
    PresetsLoaded,
    SettingsLoaded,
    SettingsSaved,
    WorkloadSimulated,
)
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.widgets.card_text import plain

HINTS = {
    "desired_retention": N_("0.70-0.99: the chance of recalling a card when due"),
    "new_per_day": N_("new cards introduced per study day"),
    "reviews_per_day": N_("reviews per study day"),
    "learning_steps": N_("e.g. 1m 10m (s, m, h, d)"),
    "relearning_steps": N_("e.g. 10m, after a lapse"),
    "day_start_hour": N_("0-23, local time (Anki: 4); every deck"),
    "bury_new_siblings": N_("on/off: other new cards of the note wait a day; every deck"),
    "bury_review_siblings": N_("on/off: its reviews due today wait too; every deck"),
    "bury_interday_learning_siblings": N_("on/off: its cards in day-long steps; every deck"),
}
#: The interface language's choices; each language is named in itself.
LANGUAGE_AUTO = "auto"

#: The deck choice that assigns nothing: the preset chosen is only edited.
NO_DECK = ""


def field_text(settings: StudySettings | Preset, name: str) -> str:
    value = getattr(settings, name)
    if name in SWITCHES:
        return switch_text(value)
    return format_steps(value) if name.endswith("steps") else str(value)


class SettingsScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "leave", N_("Back")),
    ]

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.current: StudySettings | None = None
        #: The deck shown first (the home screen's highlighted one).
        self.initial_deck = deck
        #: The learner's presets by name, with the ones named here and not yet saved.
        self.presets: dict[str, Preset] = {}
        #: Names of presets made on this screen, created on save.
        self.new_presets: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Settings"), id="settings-title")
        with VerticalScroll(id="settings-form"):
            with Horizontal(classes="settings-row"):
                yield Label(_("Deck"), classes="settings-label")
                yield Select[str]([], id="settings-deck", allow_blank=True, prompt=_("Loading…"), disabled=True)
            with Horizontal(classes="settings-row"):
                yield Label(_("Options preset"), classes="settings-label")
                yield Select[str]([], id="settings-preset", allow_blank=True, prompt=_("Loading…"), disabled=True)
            with Horizontal(classes="settings-row"):
                yield Label(_("New preset"), classes="settings-label")
                yield Input(
                    id="settings-new-preset", placeholder=_("name, Enter"), classes="settings-name", disabled=True
                )
            yield Static("", id="settings-preset-decks")
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
        self.post_message(PresetsLoaded(service.presets(), service.deck_names()))

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

    @on(PresetsLoaded)
    def show_presets(self, message: PresetsLoaded) -> None:
        self.presets = {p.name: p for p in message.presets}
        deck_select = self.query_one("#settings-deck", Select)
        deck_select.set_options(
            [(plain(_("(no deck: edit a preset)")), NO_DECK)] + [(plain(d), d) for d in message.decks]
        )
        self._preset_options()
        deck = self.initial_deck if self.initial_deck in message.decks else NO_DECK
        deck_select.disabled = False
        self.query_one("#settings-preset", Select).disabled = False
        self.query_one("#settings-new-preset", Input).disabled = False
        deck_select.value = deck
        self._choose_preset(self._preset_of(deck))
        deck_select.focus()

    def _preset_options(self) -> None:
        select = self.query_one("#settings-preset", Select)
        select.set_options([(plain(name), name) for name in self.presets])

    def _preset_of(self, deck: str) -> str:
        """The preset ``deck`` uses, as saved."""
        for preset in self.presets.values():
            if deck in preset.decks:
                return preset.name
        return DEFAULT_PRESET

    def _choose_preset(self, name: str) -> None:
        # Shown here, not only on Select.Changed: a Select not mounted yet
        # posts no Changed when its value is set.
        self.query_one("#settings-preset", Select).value = name
        self._show_preset(name)

    @on(Select.Changed, "#settings-deck")
    def deck_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and self.presets:
            self._choose_preset(self._preset_of(event.value))

    @on(Select.Changed, "#settings-preset")
    def preset_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.presets:
            self._show_preset(event.value)

    def _show_preset(self, name: str) -> None:
        """The preset's values in the fields, and which decks use it."""
        preset = self.presets[name]
        for field_name in PRESET_FIELDS:
            self.query_one(f"#setting-{field_name}", Input).value = field_text(preset, field_name)
        if name in self.new_presets:
            used = _("New preset: made when you save.")
        elif preset.is_default:
            used = _("Default: used by every deck not assigned another preset.")
        else:
            used = _("Used by: {decks}").format(decks=", ".join(preset.decks) or _("no deck yet"))
        deck = self.query_one("#settings-deck", Select).value
        if isinstance(deck, str) and deck and name != self._preset_of(deck):
            used += f"  Saving assigns it to {deck}."
        self.query_one("#settings-preset-decks", Static).update(plain(used))

    @on(Input.Submitted, "#settings-new-preset")
    def new_preset(self, event: Input.Submitted) -> None:
        """A new preset, starting from the values shown; made on save."""
        event.stop()
        status = self.query_one("#settings-status", Static)
        try:
            name = check_preset_name(event.value)
        except SettingsError as exc:
            status.update(plain(f"✗ {exc}"))
            return
        if name in self.presets:
            status.update(plain(f"✗ a preset named {name!r} already exists"))
            return
        values = {field_name: self.query_one(f"#setting-{field_name}", Input).value for field_name in PRESET_FIELDS}
        source = self.presets[str(self.query_one("#settings-preset", Select).value)]
        try:
            self.presets[name] = replace(validate_preset(source, values), name=name, decks=())
        except SettingsError as exc:
            status.update(plain(f"✗ {exc}"))
            return
        self.new_presets.add(name)
        event.input.value = ""
        self._preset_options()
        self._choose_preset(name)
        status.update(plain(_("New preset {name}: set its values, then Ctrl+S saves.").format(name=name)))

    @on(OptimalRetentionFound)
    def show_optimal(self, message: OptimalRetentionFound) -> None:
        self.query_one("#settings-optimal", Static).update(
            _(
                "Optimal retention for your parameters: {retention} "
                "(Anki's minimum recommended retention, computed as Anki does)"
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
        deck = self.query_one("#settings-deck", Select).value
        preset = self.query_one("#settings-preset", Select).value
        if not isinstance(preset, str):
            preset = DEFAULT_PRESET
        language = self.query_one("#setting-language", Select).value
        other_deck = self.query_one("#setting-other-deck", Checkbox).value
        self.save(
            values,
            deck if isinstance(deck, str) else NO_DECK,
            preset,
            preset in self.new_presets,
            str(language),
            other_deck,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings", description=N_("saving the settings"))
    def save(
        self, values: dict[str, str], deck: str, preset: str, new: bool, language: str, other_language_deck: bool
    ) -> None:
        """The preset's values (made first if new), the deck's assignment,
        the learner's own settings, then the interface language; every value
        was checked before."""
        service = self.service
        preset_values = {name: values[name] for name in PRESET_FIELDS}
        if new:
            service.create_preset(preset, **preset_values)
        else:
            service.update_preset(preset, **preset_values)
        if deck != NO_DECK:
            service.assign_preset([deck], preset)
        own = {name: value for name, value in values.items() if name not in PRESET_FIELDS}
        settings = service.update_settings(**own)
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
            self.quiz_app.show_fresh_home()
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
