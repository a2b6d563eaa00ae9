"""The Textual App and the factory shared by the CLI and the tests."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from quizapp.service import Service
from quizapp.settings import Settings


class QuizApp(App[None]):
    """quizapp's TUI: the deck list, reviews and their summaries."""

    CSS_PATH = "app.tcss"
    TITLE = "quizapp"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, settings: Settings, service: Service) -> None:
        super().__init__()
        self.settings = settings
        self.service = service
        self.sub_title = f"{service.user_name}"

    def on_mount(self) -> None:
        from quizapp.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.settings.start_in_review:
            self.start_review(self.settings.review_deck)

    def start_review(self, deck: str | None) -> None:
        from quizapp.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Decks", "Go to the deck list (home)", self.action_home)
        yield SystemCommand("Review all decks", "Review everything due now", lambda: self.start_review(None))

    def action_home(self) -> None:
        from quizapp.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()


def make_app(settings: Settings, *, service: Service | None = None) -> QuizApp:
    """Build the app for ``settings`` (opening the database if no service is given)."""
    if service is None:
        from quizapp.store.engine import make_engine

        service = Service(make_engine(settings.database_url), settings.user)
        if settings.sync_builtin_decks:
            service.sync_builtin_decks()
    return QuizApp(settings, service)
