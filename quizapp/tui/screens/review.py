"""The review screen: front, reveal, grade with intervals, undo, session end."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from quizapp.answers import Verdict, check_answer, infer_kind
from quizapp.domain import LIVE_KINDS, CardKind, Rating
from quizapp.questions.base import Question
from quizapp.scheduling import Outcome
from quizapp.service import Answer, CardView, DeckCounts
from quizapp.service.questions import card_question
from quizapp.tui.messages import WorkFailed
from quizapp.tui.widgets.card_text import card_text, diff_text
from quizapp.tui.widgets.grade_bar import GradeBar


@dataclass
class CardLoaded(Message):
    """The next card to show (None: nothing left), with its grade intervals
    and, for a generated card, the question drawn for this review."""

    card: CardView | None
    outcomes: dict[Rating, Outcome] | None
    remaining: DeckCounts | None
    question: Question | None = None
    #: Only generated questions are left and torch is still loading.
    waiting_for_kernel: bool = False


#: Seconds between checks while waiting for the torch kernel.
KERNEL_POLL_S = 0.5


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

    def __init__(self, deck: str | None, *, limit: int | None = None, minutes: float | None = None) -> None:
        super().__init__()
        self.deck = deck
        #: End the session after this many answers / minutes (None: no limit).
        self.limit = limit
        self.minutes = minutes
        #: The time limit passed: the session ends at the next card.
        self.time_up = False
        self.card: CardView | None = None
        self.outcomes: dict[Rating, Outcome] | None = None
        self.revealed = False
        self.verdict: Verdict | None = None
        self.question: Question | None = None
        #: The misconception a wrong answer to a generated question matched.
        self.mistake: str | None = None
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
            yield Static("", id="verdict")
            yield Static("", id="back")
        yield GradeBar(id="grades")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#typed", Input).display = False
        if self.minutes is not None:
            self.set_timer(self.minutes * 60, self._time_is_up)
        self.load_next()

    def _time_is_up(self) -> None:
        """The time limit passed: end now if the card on screen is untouched,
        else right after it is graded."""
        self.time_up = True
        untouched = not self.revealed and not self.query_one("#typed", Input).value
        if self.card is None or (untouched and not self.busy):
            self.finish()
        else:
            self.notify("Time is up: the session ends after this card.", timeout=4)

    def limit_reason(self) -> str | None:
        """Why the session must end now (a limit was reached), or None."""
        if self.limit is not None and self.session.reviewed >= self.limit:
            return f"Session limit reached: {self.session.reviewed} cards."
        if self.time_up:
            return f"Time limit reached: {self.minutes:g} min."
        return None

    # -- loading ------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description="next card")
    def load_next(self, card_id: str | None = None) -> None:
        """Pick the next card (or ``card_id``); for a generated card, draw a
        fresh question through the kernel. Generated cards wait while torch
        loads: flashcards come first and input is never blocked."""
        service, kernel = self.app.service, self.app.kernel
        kernel_ready = kernel is not None and kernel.ready
        try:
            if card_id:
                card = service.card(card_id)
            else:
                card = service.next_card(self.deck, generated=kernel_ready)
                if card is None and not kernel_ready and kernel is not None and kernel.alive:
                    if service.next_card(self.deck, generated=True) is not None:
                        self.post_message(
                            CardLoaded(None, None, service.today_counts(self.deck), waiting_for_kernel=True)
                        )
                        return
            question = None
            if card is not None and card.kind in LIVE_KINDS:
                if kernel is None:
                    raise RuntimeError("the torch kernel is off")
                question = card_question(card, random.SystemRandom().randrange(2**31), kernel)
            outcomes = service.preview(card.id) if card else None
            remaining = service.today_counts(self.deck)
        except Exception as exc:
            self.post_message(WorkFailed("loading the next card", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(CardLoaded(card, outcomes, remaining, question))

    @on(CardLoaded)
    def show_card(self, message: CardLoaded) -> None:
        if self.limit_reason() is not None:
            self.card = message.card
            self.finish()
            return
        if message.waiting_for_kernel:
            self._show_progress(message.remaining)
            self.query_one("#front", Static).update(
                "Only generated questions are left; torch is still loading. They will show in a moment "
                "(Escape ends the session)."
            )
            self.query_one("#typed", Input).display = False
            self.set_timer(KERNEL_POLL_S, self.load_next)
            return
        if message.card is None:
            self.card = None
            self.finish()
            return
        self.card, self.outcomes, self.question = message.card, message.outcomes, message.question
        self.revealed, self.verdict, self.mistake, self.busy = False, None, None, False
        self.shown_at = time.monotonic()
        self._show_progress(message.remaining)
        card = message.card
        front = self.query_one("#front", Static)
        if self.question is not None:
            front.update(question_text(self.question))
        else:
            front.update(card_text(card.front))
        back = self.query_one("#back", Static)
        back.update("")
        back.display = False
        self.query_one("#verdict", Static).update("")
        self.query_one(GradeBar).show(None)
        typed = self.query_one("#typed", Input)
        typed.value = ""
        if card.kind == CardKind.TYPE or self.question is not None:
            choices = self.question is not None and len(self.question.choices) > 1
            typed.placeholder = (
                "Type the answer or a letter (a-d), then Enter" if choices else "Type the answer, then Enter"
            )
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
        typed = self.query_one("#typed", Input)
        verdict_view = self.query_one("#verdict", Static)
        if self.question is not None:
            typed.disabled = True
            self.verdict, chosen = grade_question(self.question, typed.value)
            self.mistake = None if self.verdict.correct else self.question.mistakes.get(chosen)
            verdict_view.update(verdict_text(self.verdict))
            back.update(question_answer_text(self.question, self.mistake))
        elif card.kind == CardKind.TYPE:
            typed.disabled = True
            answer = card.data["answer"]
            self.verdict = check_answer(infer_kind(answer), typed.value, answer, lang=card.lang)
            verdict_view.update(verdict_text(self.verdict))
            back.update(card_text(card.back) if card.back else "")
        else:
            highlight = card.data.get("answers") if card.kind == CardKind.CLOZE else None
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
        typed = self.query_one("#typed", Input).value
        if self.question is not None:
            q = self.question
            answer = Answer(
                asked=f"{q.prompt}\n{q.code}",
                answered=resolve_choice(q, typed),
                correct_answer=q.answer,
                family=q.family,
                seed=q.seed,
                torch_version=q.torch,
                mistake=self.mistake,
            )
        elif self.card.kind == CardKind.TYPE:
            answer = Answer(asked=self.card.front, answered=typed, correct_answer=self.card.data["answer"])
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

            self.app.switch_screen(
                SummaryScreen(self.deck, self.session, finished=self.card is None, reason=self.limit_reason())
            )
        else:
            if self.card is None:
                self.app.notify("Nothing is due in this deck now.", timeout=4)
            self.dismiss()


def resolve_choice(question: Question, typed: str) -> str:
    """A single letter a-d picks that choice; anything else is a typed answer."""
    text = typed.strip()
    if len(question.choices) > 1 and len(text) == 1 and text.lower() in CHOICE_LETTERS[: len(question.choices)]:
        return question.choices[CHOICE_LETTERS.index(text.lower())]
    return text


def grade_question(question: Question, typed: str) -> tuple[Verdict, str]:
    """The verdict on a generated question, and the answer it was read as."""
    chosen = resolve_choice(question, typed)
    return check_answer(question.answer_kind, chosen, question.answer), chosen


CHOICE_LETTERS = "abcd"


def question_text(question: Question) -> Text:
    text = Text()
    text.append(question.prompt + "\n\n", style="bold")
    text.append_text(card_text(f"```\n{question.code}\n```"))
    text.append("\n\n")
    if len(question.choices) > 1:  # code cards from notes have no choices
        for letter, choice in zip(CHOICE_LETTERS, question.choices):
            text.append(f"  {letter}) ", style="bold")
            text.append(choice + "\n")
    return text


def question_answer_text(question: Question, mistake: str | None) -> Text:
    text = Text()
    text.append("Answer: ", style="bold")
    text.append(question.answer + "\n")
    text.append("torch printed: ", style="bold")
    text.append(f"{question.printed} (torch {question.torch})\n")
    if mistake:
        text.append("Your answer matches a common mistake: ", style="bold")
        text.append(question.mistake_labels.get(mistake, mistake) + "\n")
    text.append("\n" + question.explanation)
    return text


def verdict_text(verdict: Verdict) -> Text:
    lines = diff_text(verdict.typed)
    lines.append("\n")
    lines.append_text(diff_text(verdict.expected))
    lines.append("\n")
    lines.append("✓ Correct" if verdict.correct else "✗ Not quite", style="bold")
    if verdict.hint:
        lines.append(f" ({verdict.hint})")
    return lines
