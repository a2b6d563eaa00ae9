"""The review screen: it renders a review session (quizapp/session.py) and
sends it the learner's keys: show the answer, grade with the intervals on
the buttons, undo, bury, suspend, and the summary when the session ends.

The session grades, suggests, counts and keeps the limits; this screen only
shows it. Every step that reaches the service runs in a thread worker of the
"review" group; a failure is reported by QuizScreen (tui/screens/base.py).

Once an answer shows, what the learner came for is on top: the verdict, the
right answer and the rule; a generated question's snippet and choices move
below them. When the card is taller than the screen, the line under it says
so (PageDown scrolls).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, Input, Static

from quizapp.answers import Verdict, feedback_word
from quizapp.domain import CardKind, Rating
from quizapp.i18n import N_, _
from quizapp.questions.base import Question
from quizapp.service import CardView
from quizapp.session import CHOICE_LETTERS, KernelState, Phase, ReviewSession, resolve_choice
from quizapp.tui.messages import CardLoaded
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.screens.summary import SummaryScreen
from quizapp.tui.widgets.card_text import card_content, card_text, code_content, diff_text, plain
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
    # The grade keys 1-4 are shown on the grade bar, with their intervals,
    # so the footer has room for the rest at 80 columns. While the answer
    # box has focus, "-" and "@" type (an answer may be "-1"): Ctrl+B and
    # Ctrl+S bury and suspend there instead, and the footer says so.
    BINDINGS = [
        Binding("enter", "advance", N_("Show / Accept")),
        Binding("space", "advance", N_("Show / Accept"), show=False),
        Binding("1", "grade(1)", N_("Again"), show=False),
        Binding("2", "grade(2)", N_("Hard"), show=False),
        Binding("3", "grade(3)", N_("Good"), show=False),
        Binding("4", "grade(4)", N_("Easy"), show=False),
        Binding("ctrl+z", "undo", N_("Undo")),
        Binding("minus", "bury", N_("Bury")),
        Binding("at", "suspend", N_("Suspend")),
        Binding("ctrl+b", "bury('typing')", N_("Bury")),
        Binding("ctrl+s", "suspend('typing')", N_("Suspend")),
        Binding("pagedown", "page(1)", N_("More"), show=False),
        Binding("pageup", "page(-1)", N_("More"), show=False),
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
            yield Static("", id="code")
            yield Static("", id="choices")
            yield Input(placeholder=_("Type the answer, then Enter"), id="typed")
            yield Static("", id="verdict")
            yield Static("", id="back")
        yield Static("", id="more")
        yield GradeBar(id="grades")
        yield Footer()

    def on_mount(self) -> None:
        for selector in ("#typed", "#code", "#choices"):
            self.query_one(selector).display = False
        scroll = self.query_one("#card", VerticalScroll)
        self.watch(scroll, "scroll_y", self._show_more, init=False)
        self.watch(scroll, "virtual_size", self._show_more, init=False)
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
            self.notify(_("Time is up: the session ends after this card."), timeout=4)

    # -- what fits on screen ------------------------------------------------------

    def _show_more(self) -> None:
        """Say when the card goes on below the screen (and how to see it)."""
        try:
            scroll = self.query_one("#card", VerticalScroll)
            more = self.query_one("#more", Static)
        except NoMatches:  # the screen closed before this ran
            return
        below = scroll.max_scroll_y - round(scroll.scroll_y)
        # The line is always there (blank when all shows), so showing it never resizes the card.
        more.update(plain(_("▼ more below: PageDown")) if below > 0 else "")

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._show_more)

    def action_page(self, direction: int) -> None:
        scroll = self.query_one("#card", VerticalScroll)
        if direction > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)

    # -- keys that depend on the focus ------------------------------------------------

    def _typing(self) -> bool:
        return self.focused is self.query_one("#typed", Input)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Bury and suspend show (and work) as "-" and "@" except while the
        answer box has focus, where Ctrl+B and Ctrl+S do."""
        if action in ("bury", "suspend"):
            return bool(parameters) == self._typing()
        return True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.refresh_bindings()

    # -- loading ------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description=N_("loading the next card"))
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
        front = self.query_one("#front", Static)
        code = self.query_one("#code", Static)
        choices = self.query_one("#choices", Static)
        typed = self.query_one("#typed", Input)
        back = self.query_one("#back", Static)
        scroll = self.query_one("#card", VerticalScroll)
        # The question's parts go back above the answer box (reveal moves them down).
        scroll.move_child(code, before=typed)
        scroll.move_child(choices, before=typed)
        code.remove_class("below")
        if session.waiting_for_kernel:
            front.update(
                plain(
                    _(
                        "Only generated questions are left; torch is still loading. They will show in a moment "
                        "(Escape ends the session)."
                    )
                )
            )
            for widget in (typed, code, choices, back):
                widget.display = False
            self.query_one("#verdict", Static).update("")
            self.set_timer(KERNEL_POLL_S, self.load_next)
            return
        card = session.card
        if card is None:  # pragma: no cover - a loaded session shows a card unless it waits or is done
            return
        self.busy = False
        question = session.question
        if question is not None:
            front.update(card_content(question.prompt))
            code.update(code_content(question.code))
            choices.update(choices_text(question))
        else:
            front.update(card_content(card.front))
        code.display = question is not None
        choices.display = session.has_choices
        back.update("")
        back.display = False
        self.query_one("#verdict", Static).update("")
        self.query_one(GradeBar).show(None)
        typed.value = ""
        scroll.scroll_home(animate=False)
        if session.takes_typing:
            letters = session.letters
            typed.placeholder = (
                _("Type the answer or a letter (a-{last}), then Enter").format(last=letters[-1])
                if letters
                else _("Type the answer, then Enter")
            )
            typed.display = True
            typed.disabled = False
            typed.focus()
        else:
            typed.display = False
            scroll.focus()
        self.refresh_bindings()
        self.call_after_refresh(self._show_more)

    def _show_progress(self) -> None:
        """Counts first, then the deck: at 80 columns a long deck name is what gets cut."""
        session = self.session
        parts = []
        remaining = session.remaining
        if remaining is not None:
            parts.append(
                _("New {new} · Learn {learning} · Due {due}").format(
                    new=remaining.new, learning=remaining.learning, due=remaining.due
                )
            )
        parts += [_("{count} done").format(count=session.stats.reviewed), session.deck or _("All decks")]
        self.query_one("#progress", Static).update(plain("  ·  ".join(parts)))

    def show_failure(self, failure: WorkFailure) -> None:
        self.busy = False
        super().show_failure(failure)

    # -- answering ------------------------------------------------------------

    @on(Input.Changed, "#typed")
    def typed_changed(self) -> None:
        if self.session.phase is Phase.FRONT:  # a refused letter's message goes once the text changes
            self.query_one("#verdict", Static).update("")

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
        verdict_view = self.query_one("#verdict", Static)
        refusal = session.refusal(typed.value)
        if refusal is not None:  # a typo, not an answer: nothing is graded
            verdict_view.update(plain(refusal, style="bold"))
            return
        verdict = session.reveal(typed.value)
        back = self.query_one("#back", Static)
        back.display = True
        scroll = self.query_one("#card", VerticalScroll)
        if verdict is not None:  # what was typed shows in the verdict
            typed.display = False
            verdict_view.update(verdict_text(verdict, card.lang))
        else:
            verdict_view.update("")
        question = session.question
        if question is not None:
            back.update(question_answer_text(question, session.mistake, card.lang, with_answer=verdict is None))
            chosen = resolve_choice(question, session.typed) if verdict is not None else None
            self.query_one("#choices", Static).update(choices_text(question, chosen=chosen))
            code = self.query_one("#code", Static)
            code.add_class("below")
            scroll.move_child(code, after=back)
            scroll.move_child(self.query_one("#choices", Static), after=code)
        elif card.kind == CardKind.TYPE:
            back.update(card_content(card.back) if card.back else "")
        else:
            highlight = card.data.get("answers") if card.kind == CardKind.CLOZE else None
            back.update(card_content(card.back, highlight=highlight))
        scroll.focus()
        scroll.scroll_home(animate=False)
        self.query_one(GradeBar).show(session.outcomes, session.suggested())
        self.refresh_bindings()
        self.call_after_refresh(self._show_more)

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

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description=N_("saving the answer"))
    def submit(self, rating: Rating) -> None:
        if self.session.answer(rating).leech:
            self.notify(_("This card is a leech: it has been suspended."), severity="warning", timeout=6)
        self.load_next()

    def action_undo(self) -> None:
        if self.busy:
            return
        if not self.session.can_undo:
            self.notify(_("Nothing to undo in this session."), timeout=3)
            return
        self.busy = True
        self.undo()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description=N_("undoing"))
    def undo(self) -> None:
        card_id = self.session.undo()
        self.notify(_("Undone."), timeout=2)
        self.load_next(card_id)

    def action_bury(self, _typing: str = "") -> None:
        if not self.busy and self.session.card is not None:
            self.busy = True
            self.bury()

    def action_suspend(self, _typing: str = "") -> None:
        if not self.busy and self.session.card is not None:
            self.busy = True
            self.suspend()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description=N_("burying the card"))
    def bury(self) -> None:
        self.session.bury()
        self.notify(_("Buried until tomorrow (Ctrl+Z undoes)."), timeout=2)
        self.load_next()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review", description=N_("suspending the card"))
    def suspend(self) -> None:
        self.session.suspend()
        self.notify(_("Suspended (Ctrl+Z undoes)."), timeout=2)
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
                self.app.notify(_("Nothing is due in this deck now."), timeout=4)
            self.dismiss()


def choices_text(question: Question, *, chosen: str | None = None) -> Text:
    """The choices, one a line, by letter. Once answered (``chosen``: the
    answer the learner gave), the right one is marked ✓ and a wrong pick ✗,
    by sign as well as by style."""
    text = Text()
    for letter, choice in zip(CHOICE_LETTERS, question.choices):
        mark = "  "
        if chosen is not None and choice == question.answer:
            mark = "✓ "
        elif chosen is not None and choice == chosen:
            mark = "✗ "
        if text:
            text.append("\n")
        text.append(f"{mark}{letter}) ", style="bold")
        text.append_text(plain(choice, style="bold" if mark == "✓ " else ""))
    return text


def question_answer_text(question: Question, mistake: str | None, lang: str, *, with_answer: bool = False) -> Text:
    """What a live question's answer shows under the verdict, in the card's
    language: the common mistake a wrong answer matched, the rule, what
    torch printed (``with_answer``: the right answer first, when no verdict
    shows it)."""
    text = Text()
    if with_answer:
        text.append(feedback_word("answer", lang) + " ", style="bold")
        text.append_text(plain(question.answer + "\n"))
    if mistake:
        text.append(feedback_word("mistake", lang) + " ", style="bold")
        text.append_text(plain(question.mistake_labels.get(mistake, mistake) + "\n"))
    text.append(feedback_word("rule", lang) + " ", style="bold")
    text.append_text(card_text(question.explanation) + "\n")
    text.append(feedback_word("printed", lang) + " ", style="bold")
    text.append_text(plain(f"{question.printed} (torch {question.torch})"))
    return text


def verdict_text(verdict: Verdict, lang: str) -> Text:
    """The verdict first, then what was typed against the right answer,
    differences marked by brackets and style (not by colour alone); in the
    card's language."""
    text = Text()
    text.append(feedback_word("correct" if verdict.correct else "wrong", lang), style="bold")
    if verdict.hint:
        text.append_text(plain(f" ({verdict.hint})"))
    yours, answer = feedback_word("yours", lang), feedback_word("answer", lang)
    width = max(len(yours), len(answer)) + 1
    text.append("\n" + yours.ljust(width), style="bold")
    text.append_text(diff_text(verdict.typed))
    text.append("\n" + answer.ljust(width), style="bold")
    text.append_text(diff_text(verdict.expected))
    return text
