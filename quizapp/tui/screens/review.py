"""The review screen: front, reveal, grade with intervals, undo, session end."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from quizapp.answers import Verdict, compare_text
from quizapp.scheduling import Outcome, Rating
from quizapp.service import Answer, CardView, DeckCounts
from quizapp.store.models import CardKind
from quizapp.tui.messages import WorkFailed
from quizapp.tui.widgets.card_text import card_text, diff_text
from quizapp.tui.widgets.grade_bar import GradeBar


@dataclass
class CardLoaded(Message):
    """The next card to show (None: nothing left), with its grade intervals."""

    card: CardView | None
    outcomes: dict[Rating, Outcome] | None
    remaining: DeckCounts | None


@dataclass
class SessionStats:
    """What this review session did, for the progress line and the summary."""

    started: float = field(default_factory=time.monotonic)
    #: (review log id, rating, milliseconds) of each answer, newest last.
    answers: list[tuple[int, Rating, int]] = field(default_factory=list)

    @property
    def reviewed(self) -> int:
        return len(self.answers)

    @property
    def ratings(self) -> Counter:
        return Counter(rating for _, rating, _ in self.answers)

    @property
    def answer_ms(self) -> int:
        """Time spent answering, in milliseconds."""
        return sum(ms for _, _, ms in self.answers)


class ReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "advance", "Show / Accept"),
        Binding("space", "advance", "Show / Accept", show=False),
        Binding("1", "grade(1)", "Again"),
        Binding("2", "grade(2)", "Hard"),
        Binding("3", "grade(3)", "Good"),
        Binding("4", "grade(4)", "Easy"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("minus", "bury", "Bury"),
        Binding("at", "suspend", "Suspend"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, deck: str | None) -> None:
        super().__init__()
        self.deck = deck
        self.card: CardView | None = None
        self.outcomes: dict[Rating, Outcome] | None = None
        self.revealed = False
        self.verdict: Verdict | None = None
        self.busy = True
        self.shown_at = time.monotonic()
        self.session = SessionStats()
        #: A card to show next instead of asking the scheduler (after undo).
        self._pending: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress")
        with VerticalScroll(id="card"):
            yield Static("", id="front")
            yield Input(placeholder="Type the answer, then Enter", id="typed")
            yield Static("", id="back")
            yield Static("", id="verdict")
        yield GradeBar(id="grades")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#typed", Input).display = False
        self.load_next()

    # -- loading ------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="next card")
    def load_next(self, card_id: str | None = None) -> None:
        service = self.app.service
        try:
            card = service.card(card_id) if card_id else service.next_card(self.deck)
            outcomes = service.preview(card.id) if card else None
            remaining = service.today_counts(self.deck)
        except Exception as exc:
            self.post_message(WorkFailed("loading the next card", str(exc)))
            return
        self.post_message(CardLoaded(card, outcomes, remaining))

    @on(CardLoaded)
    def show_card(self, message: CardLoaded) -> None:
        if message.card is None:
            self.card = None
            self.finish()
            return
        self.card, self.outcomes = message.card, message.outcomes
        self.revealed, self.verdict, self.busy = False, None, False
        self.shown_at = time.monotonic()
        self._show_progress(message.remaining)
        card = message.card
        self.query_one("#front", Static).update(card_text(card.front))
        back = self.query_one("#back", Static)
        back.update("")
        back.display = False
        self.query_one("#verdict", Static).update("")
        self.query_one(GradeBar).show(None)
        typed = self.query_one("#typed", Input)
        typed.value = ""
        if card.kind == CardKind.TYPE:
            typed.display = True
            typed.disabled = False
            typed.focus()
        else:
            typed.display = False
            self.query_one("#card").focus()

    def _show_progress(self, remaining: DeckCounts | None) -> None:
        deck = self.deck or "All decks"
        parts = [deck, f"{self.session.reviewed} done"]
        if remaining is not None:
            parts.append(f"New {remaining.new} · Learn {remaining.learning} · Due {remaining.due}")
        self.query_one("#progress", Static).update("  ·  ".join(parts))

    @on(WorkFailed)
    def show_failure(self, message: WorkFailed) -> None:
        self.busy = False
        self.notify(f"Error {message.what}: {message.error}", severity="error", timeout=8)

    # -- answering ------------------------------------------------------------

    @on(Input.Submitted, "#typed")
    def typed_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.reveal()

    def reveal(self) -> None:
        card = self.card
        if card is None or self.revealed:
            return
        self.revealed = True
        back = self.query_one("#back", Static)
        back.display = True
        highlight = card.data.get("answers") if card.kind == CardKind.CLOZE else None
        if card.kind == CardKind.TYPE:
            typed = self.query_one("#typed", Input)
            typed.disabled = True
            self.verdict = compare_text(typed.value, card.data["answer"])
            verdict = self.query_one("#verdict", Static)
            lines = diff_text(self.verdict.typed)
            lines.append("\n")
            lines.append_text(diff_text(self.verdict.expected))
            lines.append("\n")
            lines.append("✓ Correct" if self.verdict.correct else "✗ Not quite", style="bold")
            verdict.update(lines)
            back.update(card_text(card.back) if card.back else "")
        else:
            back.update(card_text(card.back, highlight=highlight))
        self.query_one("#card").focus()
        self.query_one(GradeBar).show(self.outcomes, self.suggested())

    def suggested(self) -> Rating:
        """Typed answers suggest Again when wrong, Good when right."""
        if self.verdict is not None and not self.verdict.correct:
            return Rating.AGAIN
        return Rating.GOOD

    def action_advance(self) -> None:
        if self.busy or self.card is None:
            return
        if not self.revealed:
            self.reveal()
        else:
            self.action_grade(int(self.suggested()))

    def action_grade(self, rating: int) -> None:
        if self.busy or self.card is None or not self.revealed:
            return
        self.busy = True
        duration_ms = int((time.monotonic() - self.shown_at) * 1000)
        answer = None
        if self.card.kind == CardKind.TYPE:
            answer = Answer(
                asked=self.card.front,
                answered=self.query_one("#typed", Input).value,
                correct_answer=self.card.data["answer"],
            )
        self.submit(self.card.id, Rating(rating), duration_ms, answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="answer")
    def submit(self, card_id: str, rating: Rating, duration_ms: int, answer: Answer | None) -> None:
        try:
            result = self.app.service.answer(card_id, rating, duration_ms=duration_ms, answer=answer)
        except Exception as exc:
            self.post_message(WorkFailed("saving the answer", str(exc)))
            return
        self.app.call_from_thread(self._answered, rating, duration_ms, result.log_id, result.leech)
        self.load_next()

    def _answered(self, rating: Rating, duration_ms: int, log_id: int, leech: bool) -> None:
        self.session.answers.append((log_id, rating, duration_ms))
        if leech:
            self.notify("This card is a leech: it has been suspended.", severity="warning", timeout=6)

    def action_undo(self) -> None:
        if self.busy or not self.session.answers:
            self.notify("Nothing to undo in this session.", timeout=3)
            return
        self.busy = True
        self.undo(self.session.answers[-1][0])

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="undo")
    def undo(self, log_id: int) -> None:
        try:
            card_id = self.app.service.undo(log_id)
        except Exception as exc:
            self.post_message(WorkFailed("undoing", str(exc)))
            return
        self.app.call_from_thread(self._undone, log_id)
        self.load_next(card_id)

    def _undone(self, log_id: int) -> None:
        self.session.answers = [a for a in self.session.answers if a[0] != log_id]
        self.notify("Undone.", timeout=2)

    def action_bury(self) -> None:
        self._hide("bury", "Buried until tomorrow.")

    def action_suspend(self) -> None:
        self._hide("suspend", "Suspended.")

    def _hide(self, how: str, notice: str) -> None:
        if self.busy or self.card is None:
            return
        self.busy = True
        self.hide_card(self.card.id, how, notice)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="bury/suspend")
    def hide_card(self, card_id: str, how: str, notice: str) -> None:
        try:
            getattr(self.app.service, how)(card_id)
        except Exception as exc:
            self.post_message(WorkFailed(how, str(exc)))
            return
        self.app.call_from_thread(self.notify, notice, timeout=2)
        self.load_next()

    def action_leave(self) -> None:
        self.finish()

    def finish(self) -> None:
        """End the session: the summary if anything was answered, else home."""
        if self.session.reviewed:
            from quizapp.tui.screens.summary import SummaryScreen

            self.app.switch_screen(SummaryScreen(self.deck, self.session, finished=self.card is None))
        else:
            if self.card is None:
                self.app.notify("Nothing is due in this deck now.", timeout=4)
            self.dismiss()

