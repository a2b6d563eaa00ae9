"""Home: the deck list with today's new / learning / due counts, as Anki's."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from quizapp.i18n import N_, _
from quizapp.tui.messages import DecksLoaded
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.widgets.card_text import plain


class HomeScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("enter", "study", N_("Study deck")),
        Binding("a", "study_all", N_("Study all")),
        Binding("i", "app.import", N_("Import")),
        Binding("b", "app.browse", N_("Browse")),
        Binding("s", "app.stats", N_("Stats")),
        Binding("r", "refresh", N_("Refresh"), show=False),  # the list refreshes on return anyway
        Binding("o", "deck_settings", N_("Settings")),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Decks"), id="home-title")
        table: DataTable[str | Text] = DataTable(id="decks", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Deck"), key="deck", width=36)
        table.add_column(_("New"), key="new", width=10)
        table.add_column(_("Learn"), key="learning", width=10)
        table.add_column(_("Due"), key="due", width=10)
        yield table
        yield Static(_("Loading decks…"), id="home-status")
        # Every key fits 80 columns in both languages (Ctrl+P still opens the palette).
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load_counts()

    def on_screen_resume(self) -> None:
        self.load_counts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="counts", description=N_("loading the decks"))
    def load_counts(self) -> None:
        self.post_message(DecksLoaded(self.service.deck_counts()))

    @on(DecksLoaded)
    def show_counts(self, message: DecksLoaded) -> None:
        table = self.query_one(DataTable)
        selected = self._selected_deck()
        table.clear()
        for row in message.rows:
            name = "  " * row.depth + row.name.split("::")[-1]
            table.add_row(
                plain(name),
                _count(row.new, "new"),
                _count(row.learning, "learning"),
                _count(row.due, "due"),
                key=row.name,
            )
        if selected is not None and selected in [r.name for r in message.rows]:
            table.move_cursor(row=table.get_row_index(selected))
        due = sum(r.new + r.learning + r.due for r in message.rows if r.depth == 0)
        status = self.query_one("#home-status", Static)
        if not message.rows:
            status.update(_("No decks yet."))
        elif due:
            status.update(_("Enter studies the selected deck; a studies all decks."))
        else:
            status.update(_("Congratulations! Nothing is due now."))

    def show_failure(self, failure: WorkFailure) -> None:
        self.query_one("#home-status", Static).update(plain(failure.text))

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.quiz_app.start_review(str(event.row_key.value))

    def _selected_deck(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_study(self) -> None:
        deck = self._selected_deck()
        if deck is not None:
            self.quiz_app.start_review(deck)

    def action_study_all(self) -> None:
        self.quiz_app.start_review(None)

    def action_refresh(self) -> None:
        self.load_counts()

    def action_deck_settings(self) -> None:
        """The settings, with the highlighted deck's preset."""
        from quizapp.tui.screens.study_settings import SettingsScreen

        self.app.push_screen(SettingsScreen(deck=self._selected_deck()))


def _count(value: int, kind: str) -> Text:
    return Text(str(value), style="bold" if value else "dim", justify="right")
