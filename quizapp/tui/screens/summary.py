"""End of a review session: what was done, then back to the deck list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from quizapp.domain import Rating
from quizapp.i18n import N_, _
from quizapp.session import SessionStats
from quizapp.tui.localized import localize_bindings, rating_label
from quizapp.tui.widgets.card_text import plain


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "close", N_("Decks")),
        Binding("escape", "close", N_("Decks"), show=False),
        Binding("q", "app.quit", N_("Quit")),
    ]

    def __init__(self, deck: str | None, stats: SessionStats, *, finished: bool, reason: str | None = None) -> None:
        super().__init__()
        localize_bindings(self)
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
        title = _("Congratulations! You have finished this deck for now.") if self.finished else _("Session ended.")
        text.append(title + "\n\n", style="bold")
        if self.reason and not self.finished:
            text.append_text(plain(self.reason + "\n"))
        text.append(_("Deck: "))
        text.append_text(plain((self.deck or _("All decks")) + "\n"))
        text.append(_("Cards reviewed: {count}").format(count=s.reviewed) + "\n")
        grades = ", ".join(f"{rating_label(r)} {ratings[r]}" for r in Rating)
        text.append(_("Grades: {grades}").format(grades=grades) + "\n")
        text.append(_("Again rate: {rate}").format(rate=f"{again_rate:.0%}") + "\n")
        # One definition of time: each card's answering time (from shown to
        # graded, as the review log keeps it), so the total and "s per card" agree.
        minutes, seconds = divmod(round(s.answer_ms / 1000), 60)
        text.append(_("Time answering: {minutes} min {seconds} s").format(minutes=minutes, seconds=seconds))
        if s.reviewed:
            per_card = f"{s.answer_ms / 1000 / s.reviewed:.1f}"
            text.append(" " + _("({seconds} s per card)").format(seconds=per_card))
        text.append("\n\n" + _("Enter: back to the decks"))
        return text

    def action_close(self) -> None:
        self.dismiss()
