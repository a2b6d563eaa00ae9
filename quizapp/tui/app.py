"""The Textual App and the factory shared by the CLI and the tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from quizapp.i18n import N_, _, set_language
from quizapp.kernel import Kernel
from quizapp.service import BackupError, CardView, Service
from quizapp.settings import Settings
from quizapp.text import visible
from quizapp.tui.localized import localize_bindings

if TYPE_CHECKING:
    from quizapp.questions.base import Question

#: Times the app restarts a worker that died, before leaving it down.
MAX_KERNEL_RESTARTS = 3


#: Textual's own commands in the palette, marked for translation.
TEXTUAL_COMMANDS = (
    N_("Bell"),
    N_("Ring the bell"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


class QuizApp(App[None]):
    """quizapp's TUI: the deck list, reviews and their summaries."""

    CSS_PATH = "app.tcss"
    TITLE = "quizapp"
    BINDINGS = [Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True)]

    def __init__(self, settings: Settings, service: Service) -> None:
        super().__init__()
        localize_bindings(self)
        self.settings = settings
        self.service = service
        self._kernel_state = ""
        self._restarts = 0
        #: Why the backup on close failed (None: made, or not due).
        self.backup_problem: str | None = None

    @property
    def kernel(self) -> Kernel | None:
        """The torch worker for live cards: the service's (None: off). The
        app owns its life: start, restart after a crash, close."""
        return cast("Kernel | None", self.service.kernel)

    @kernel.setter
    def kernel(self, kernel: Kernel | None) -> None:
        self.service.ctx.kernel = kernel

    def on_mount(self) -> None:
        from quizapp.tui.screens.home import HomeScreen

        if self.kernel is not None:
            self.kernel.start()  # returns at once; torch loads in its own process
            self.set_interval(0.5, self._watch_kernel)
        self._watch_kernel()
        self.push_screen(HomeScreen())
        if self.settings.start_in_review:
            self.start_review(
                self.settings.review_deck, limit=self.settings.review_limit, minutes=self.settings.review_minutes
            )

    def on_unmount(self) -> None:
        if self.kernel is not None:
            self.kernel.close()
        self.backup_on_close()

    def backup_on_close(self) -> None:
        """The automatic backup (at most one per study day); a failure is
        kept in ``backup_problem`` for the CLI to print once the screen is back."""
        try:
            self.service.backup_if_due()
        except (BackupError, OSError) as exc:
            self.backup_problem = _("no backup was made: {error}").format(error=exc)

    def _watch_kernel(self) -> None:
        """Show the kernel's state in the header: loading, ready or down."""
        kernel = self.kernel
        if kernel is not None and not kernel.alive and self._restarts < MAX_KERNEL_RESTARTS:
            self._restarts += 1  # died (killed, out of memory): one more try
            kernel.restart()
        if kernel is None:
            state = _("torch off")
        elif kernel.ready:
            state = f"torch {kernel.torch_version}"
        elif kernel.alive:
            state = _("torch loading…")
        else:
            state = _("torch down: generated questions wait")
        if state != self._kernel_state:
            self._kernel_state = state
            self.sub_title = f"{visible(self.service.user_name)} · {state}"

    def start_review(self, deck: str | None, *, limit: int | None = None, minutes: float | None = None) -> None:
        """Review ``deck`` (None: every deck), ending after ``limit`` answers or ``minutes``."""
        from quizapp.session import ReviewSession
        from quizapp.tui.screens.review import ReviewScreen

        session = ReviewSession(self.service, self.ask_question, deck=deck, limit=limit, minutes=minutes)
        self.push_screen(ReviewScreen(session))

    def ask_question(self, card: CardView, seed: int) -> Question:
        """The question a live card asks for ``seed``, run through the torch kernel
        (called from a worker thread: it waits for the kernel)."""
        if self.kernel is None:
            raise RuntimeError("the torch kernel is off")
        return self.service.question(card, seed)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):  # Textual's own, in the interface language
            yield command._replace(title=_(command.title), help=_(command.help))
        yield SystemCommand(_("Decks"), _("Go to the deck list (home)"), self.action_home)
        yield SystemCommand(_("Review all decks"), _("Review everything due now"), lambda: self.start_review(None))
        yield SystemCommand(_("Import decks"), _("Import TOML, Markdown, Anki text or .apkg files"), self.action_import)
        yield SystemCommand(
            _("Settings"),
            _("Deck option presets (limits, steps, desired retention), day start"),
            self.action_study_settings,
        )
        yield SystemCommand(
            _("Optimize FSRS parameters"), _("Fit your own parameters to your review history"), self.action_optimize
        )
        yield SystemCommand(
            _("Browse cards"), _("Search cards; suspend, bury, reset, edit, move them"), self.action_browse
        )
        yield SystemCommand(
            _("Statistics"), _("Today, streak, forecast, calendar, true retention, accuracy, memory"), self.action_stats
        )

    def action_import(self) -> None:
        from quizapp.tui.screens.import_deck import ImportScreen

        self.push_screen(ImportScreen())

    def action_stats(self) -> None:
        from quizapp.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def show_fresh_home(self) -> None:
        """Replace the screen with a new deck list (after the interface
        language changed: every screen is made again in it)."""
        from quizapp.tui.screens.home import HomeScreen

        self.switch_screen(HomeScreen())

    def action_study_settings(self) -> None:
        from quizapp.tui.screens.study_settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_optimize(self) -> None:
        from quizapp.tui.screens.optimize import OptimizeScreen

        self.push_screen(OptimizeScreen())

    def action_browse(self) -> None:
        from quizapp.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def action_home(self) -> None:
        from quizapp.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()


def make_app(settings: Settings, *, service: Service | None = None) -> QuizApp:
    """Build the app for ``settings``, opening the service as the CLI does
    (quizapp.service.open_service) unless one is given. The torch kernel the
    app runs is the service's."""
    if service is None:
        from quizapp.service import open_service

        service = open_service(settings, kernel=Kernel() if settings.start_kernel else None)
    elif not settings.start_kernel:
        service.ctx.kernel = None
    set_language(service.interface_language())  # before any screen or binding is made
    return QuizApp(settings, service)
