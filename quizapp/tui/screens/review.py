"""The review screen: it renders a review session (quizapp/session.py) and
sends it the learner's keys: show the answer, grade with the intervals on
the buttons, undo, bury, suspend, and the summary when the session ends.

The session grades, suggests, counts and keeps the limits; this screen only
shows it. Every step that reaches the service runs in a thread worker of the
"review" group; a failure is reported by QuizScreen (tui/screens/base.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Static

from quizapp.answers import Verdict
from quizapp.domain import CardKind, Rating
from quizapp.i18n import N_
from quizapp.questions.base import Question
from quizapp.service import CardView
from quizapp.session import CHOICE_LETTERS, KernelState, Phase, ReviewSession
from quizapp.tui.messages import CardLoaded
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.screens.summary import SummaryScreen
from quizapp.tui.widgets.card_text import card_text, diff_text, plain
from quizapp.tui.widgets.grade_bar import GradeBar

if TYPE_CHECKING:
    from quizapp.kernel import Kernel

#: Seconds between checks while waiting for the torch kernel.
KERNEL_POLL_S = 0.5

__all__ = ["CHOICE_LETTERS", "ReviewScreen"]


def kernel_state(kernel: Kernel | None) -> KernelState:
    """Whether live cards can be asked now, with ``kernel`` (None: off)."""
    if kernel is not None and kernel.ready:
        return KernelState.READY
    if kernel is not None and kernel.alive:
        return KernelState.LOADING
    return KernelState.OFF


class ReviewScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("enter", "advance", N_("Show / Accept")),
        Binding("space", "advance", N_("Show / Accept"), show=False),
        Binding("1", "grade(1)", N_("Again")),
        Binding("2", "grade(2)", N_("Hard")),
        Binding("3", "grade(3)", N_("Good")),
        Binding("4", "grade(4)", N_("Easy")),
        Binding("ctrl+z", "undo", N_("Undo")),
        Binding("minus", "bury", N_("Bury")),
        Binding("at", "suspend", N_("Suspend")),
        Binding("escape", "leave", N_("Back")),
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        #: A worker is changing the session: keys wait for it.
        self.busy = True

    # What the session shows, as the learner sees it.

    @property
    def card(self) -> CardView | None:
        return self.session.card

    @property
    def question(self) -> Question | None:
        return self.session.question

    @property
    def revealed(self) -> bool:
        return self.session.revealed

    @property
    def verdict(self) -> Verdict | None:
        return self.session.verdict

    def suggested(self) -> Rating:
        return self.session.suggested()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress")
        with VerticalScroll(id="card"):
            yield Static("", id="front")
            yield Input(placeholder="Type the answer, then Enter", id="typed")
            yield Static("", id="verdict")
            yield Static("", id="back")
        yield GradeBar(id="grades")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#typed", Input).display = False
        if self.session.minutes is not None:
            self.set_timer(self.session.minutes * 60, self._time_is_up)
        self.load_next()

    def _time_is_up(self) -> None:
        """The time limit passed: end now if the card on screen is untouched,
        else right after it is graded."""
        session = self.session
        session.expire()
        untouched = session.phase is Phase.FRONT and not self.query_one("#typed", Input).value
        if session.waiting_for_kernel or (untouched and not self.busy):
            self.finish()
        else:
            self.notify("Time is up: the session ends after this card.", timeout=4)

    # -- loading ------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="loading the next card")
    def load_next(self, card_id: str | None = None) -> None:
        """Load the next card (or ``card_id``) into the session. Live cards
        wait while torch loads: flashcards come first and input is never
        blocked."""
        self.session.load(card_id, kernel=kernel_state(self.quiz_app.kernel))
        self.post_message(CardLoaded())

    @on(CardLoaded)
    def show_card(self) -> None:
        session = self.session
        for notice in session.notices:  # live cards whose question failed: set aside, the session goes on
            self.notify(notice, severity="warning", timeout=8, markup=False)
        if session.phase is Phase.DONE:
            self.finish()
            return
        self._show_progress()
        if session.waiting_for_kernel:
            self.query_one("#front", Static).update(
                "Only generated questions are left; torch is still loading. They will show in a moment "
                "(Escape ends the session)."
            )
            self.query_one("#typed", Input).display = False
            self.set_timer(KERNEL_POLL_S, self.load_next)
            return
        card = session.card
        if card is None:  # pragma: no cover - a loaded session shows a card unless it waits or is done
            return
        self.busy = False
        front = self.query_one("#front", Static)
        if session.question is not None:
            front.update(question_text(session.question))
        else:
            front.update(card_text(card.front))
        back = self.query_one("#back", Static)
        back.update("")
        back.display = False
        self.query_one("#verdict", Static).update("")
        self.query_one(GradeBar).show(None)
        typed = self.query_one("#typed", Input)
        typed.value = ""
        if session.takes_typing:
            typed.placeholder = (
                "Type the answer or a letter (a-d), then Enter"
                if session.has_choices
                else "Type the answer, then Enter"
            )
            typed.display = True
            typed.disabled = False
            typed.focus()
        else:
            typed.display = False
            self.query_one("#card").focus()

    def _show_progress(self) -> None:
        session = self.session
        parts = [session.deck or "All decks", f"{session.stats.reviewed} done"]
        remaining = session.remaining
        if remaining is not None:
            parts.append(f"New {remaining.new} · Learn {remaining.learning} · Due {remaining.due}")
        self.query_one("#progress", Static).update(plain("  ·  ".join(parts)))

    def show_failure(self, failure: WorkFailure) -> None:
        self.busy = False
        super().show_failure(failure)

    # -- answering ------------------------------------------------------------

    @on(Input.Submitted, "#typed")
    def typed_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.reveal()

    def reveal(self) -> None:
        session = self.session
        card = session.card
        if self.busy or card is None or session.phase is not Phase.FRONT:
            return
        typed = self.query_one("#typed", Input)
        verdict = session.reveal(typed.value)
        back = self.query_one("#back", Static)
        back.display = True
        verdict_view = self.query_one("#verdict", Static)
        if verdict is not None:
            typed.disabled = True
            verdict_view.update(verdict_text(verdict))
        if session.question is not None:
            back.update(question_answer_text(session.question, session.mistake))
        elif card.kind == CardKind.TYPE:
            back.update(card_text(card.back) if card.back else "")
        else:
            highlight = card.data.get("answers") if card.kind == CardKind.CLOZE else None
            back.update(card_text(card.back, highlight=highlight))
        self.query_one("#card").focus()
        self.query_one(GradeBar).show(session.outcomes, session.suggested())

    def action_advance(self) -> None:
        if self.busy or self.session.card is None:
            return
        if not self.session.revealed:
            self.reveal()
        else:
            self.action_grade(int(self.session.suggested()))

    def action_grade(self, rating: int) -> None:
        if self.busy or not self.session.revealed:
            return
        self.busy = True
        self.submit(Rating(rating))

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="saving the answer")
    def submit(self, rating: Rating) -> None:
        if self.session.answer(rating).leech:
            self.notify("This card is a leech: it has been suspended.", severity="warning", timeout=6)
        self.load_next()

    def action_undo(self) -> None:
        if self.busy or not self.session.can_undo:
            self.notify("Nothing to undo in this session.", timeout=3)
            return
        self.busy = True
        self.undo()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="undoing")
    def undo(self) -> None:
        card_id = self.session.undo()
        self.notify("Undone.", timeout=2)
        self.load_next(card_id)

    def action_bury(self) -> None:
        if not self.busy and self.session.card is not None:
            self.busy = True
            self.bury()

    def action_suspend(self) -> None:
        if not self.busy and self.session.card is not None:
            self.busy = True
            self.suspend()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="burying the card")
    def bury(self) -> None:
        self.session.bury()
        self.notify("Buried until tomorrow.", timeout=2)
        self.load_next()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="suspending the card")
    def suspend(self) -> None:
        self.session.suspend()
        self.notify("Suspended.", timeout=2)
        self.load_next()

    def action_leave(self) -> None:
        self.finish()

    def finish(self) -> None:
        """End the session: the summary if anything was answered, else home."""
        session = self.session
        if session.stats.ended is not None:
            return  # ended already (the time limit and a load can both get here)
        stats = session.end()
        if stats.reviewed:
            self.app.switch_screen(
                SummaryScreen(session.deck, stats, finished=session.finished, reason=session.limit_reason())
            )
        else:
            if session.finished:
                self.app.notify("Nothing is due in this deck now.", timeout=4)
            self.dismiss()


def question_text(question: Question) -> Text:
    text = Text()
    text.append_text(plain(question.prompt + "\n\n", style="bold"))
    text.append_text(card_text(f"```\n{question.code}\n```"))
    text.append("\n\n")
    if len(question.choices) > 1:  # code cards from notes have no choices
        for letter, choice in zip(CHOICE_LETTERS, question.choices):
            text.append(f"  {letter}) ", style="bold")
            text.append_text(plain(choice + "\n"))
    return text


def question_answer_text(question: Question, mistake: str | None) -> Text:
    text = Text()
    text.append("Answer: ", style="bold")
    text.append_text(plain(question.answer + "\n"))
    text.append("torch printed: ", style="bold")
    text.append_text(plain(f"{question.printed} (torch {question.torch})\n"))
    if mistake:
        text.append("Your answer matches a common mistake: ", style="bold")
        text.append_text(plain(question.mistake_labels.get(mistake, mistake) + "\n"))
    text.append_text(plain("\n" + question.explanation))
    return text


def verdict_text(verdict: Verdict) -> Text:
    lines = diff_text(verdict.typed)
    lines.append("\n")
    lines.append_text(diff_text(verdict.expected))
    lines.append("\n")
    lines.append("✓ Correct" if verdict.correct else "✗ Not quite", style="bold")
    if verdict.hint:
        lines.append_text(plain(f" ({verdict.hint})"))
    return lines
