"""End of a review session: what was done, then back to the deck list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from quizapp.domain import Rating
from quizapp.i18n import N_
from quizapp.session import SessionStats
from quizapp.tui.widgets.card_text import plain


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "close", N_("Decks")),
        Binding("escape", "close", N_("Decks"), show=False),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def __init__(self, deck: str | None, stats: SessionStats, *, finished: bool, reason: str | None = None) -> None:
        super().__init__()
        self.deck = deck
        #: What the session did (it has ended: ``stats.elapsed_s`` is its length).
        self.stats = stats
        self.finished = finished
        #: Why the session ended early (a card or time limit), if it did.
        self.reason = reason

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.render_summary(), id="summary")
        yield Footer()

    def render_summary(self) -> Text:
        s = self.stats
        ratings = s.ratings
        again_rate = ratings[Rating.AGAIN] / s.reviewed if s.reviewed else 0.0
        text = Text()
        title = "Congratulations! You have finished this deck for now." if self.finished else "Session ended."
        text.append(title + "\n\n", style="bold")
        if self.reason and not self.finished:
            text.append_text(plain(self.reason + "\n"))
        text.append_text(plain(f"Deck: {self.deck or 'All decks'}\n"))
        text.append(f"Cards reviewed: {s.reviewed}\n")
        text.append("Grades: " + ", ".join(f"{r.label} {ratings[r]}" for r in Rating) + "\n")
        text.append(f"Again rate: {again_rate:.0%}\n")
        minutes, seconds = divmod(round(s.elapsed_s), 60)
        text.append(f"Time: {minutes} min {seconds} s")
        if s.reviewed:
            text.append(f" ({s.answer_ms / 1000 / s.reviewed:.1f} s per card)")
        text.append("\n\nEnter: back to the decks")
        return text

    def action_close(self) -> None:
        self.dismiss()
