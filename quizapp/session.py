"""A review session as a plain object: the card on screen, whether its answer
shows, the verdict on what the learner typed and the grade it suggests, what
the session did so far, and the limits that end it.

The TUI's review screen renders a ReviewSession and sends it the learner's
keys; the tests drive one directly. It reaches the database only through the
service it is given (the methods of ReviewService), builds the question of a
live card (generated or code) with the callable it is given, and reads the
time from the clock it is given. No textual here.

Threads: ``load``, ``answer``, ``undo``, ``bury`` and ``suspend`` call the
service and may run in a worker thread, one at a time; the other methods are
quick and touch nothing outside the object.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from quizapp.answers import Verdict, check_answer, infer_kind, parse_answer
from quizapp.domain import LIVE_KINDS, AnswerKind, CardKind, Rating
from quizapp.i18n import _
from quizapp.questions.base import Question
from quizapp.scheduling import Outcome
from quizapp.service import Answer, AnswerResult, CardView, DeckCounts

#: Letters that pick a choice of a multiple-choice question.
CHOICE_LETTERS = "abcd"


class ReviewService(Protocol):
    """What a session asks of quizapp.service.Service."""

    def next_card(self, deck: str | None = None, *, generated: bool = True) -> CardView | None: ...

    def card(self, card_id: str) -> CardView: ...

    def preview(self, card_id: str) -> dict[Rating, Outcome]: ...

    def answer(
        self, card_id: str, rating: Rating, *, duration_ms: int = 0, answer: Answer | None = None
    ) -> AnswerResult: ...

    def undo(self, log_id: int | None = None) -> str | None: ...

    def bury(self, card_id: str) -> None: ...

    def suspend(self, card_id: str, suspended: bool = True) -> None: ...

    def card_snapshot(self, card_id: str) -> str: ...

    def restore_card(self, card_id: str, snapshot: str) -> None: ...

    def today_counts(self, deck: str | None = None) -> DeckCounts: ...


#: Builds the question a live card asks for a seed (through the torch kernel).
AskQuestion = Callable[[CardView, int], Question]


class Phase(Enum):
    """Where the session is."""

    #: No card on screen: the next one is loading, or only live cards are
    #: left and torch is still starting (``waiting_for_kernel``).
    WAITING = "waiting"
    #: The card's front shows (and the learner may type an answer).
    FRONT = "front"
    #: The answer shows: the learner grades.
    ANSWER = "answer"
    #: Nothing left, a limit was reached, or the learner left.
    DONE = "done"


class KernelState(Enum):
    """Whether live cards can be asked now, as the torch kernel stands."""

    #: Torch runs: live cards take their turn.
    READY = "ready"
    #: Torch is starting: flashcards first; when only live cards are left,
    #: the session waits for it.
    LOADING = "loading"
    #: No torch (turned off, or down): live cards are left out.
    OFF = "off"


class SessionError(RuntimeError):
    """A step that does not fit the phase (grading before the answer shows...)."""


@dataclass(frozen=True)
class Answered:
    """One answer given in the session."""

    log_id: int
    card_id: str
    rating: Rating
    #: From the card showing to the grade, in milliseconds.
    duration_ms: int


class Action(Enum):
    """A step of the session that undo takes back."""

    ANSWER = "answer"
    BURY = "bury"
    SUSPEND = "suspend"


@dataclass(frozen=True)
class Step:
    """One undoable step, as Anki keeps them: the newest is undone first."""

    action: Action
    card_id: str
    #: The seed of the live question on screen (None: a flashcard), so undo
    #: shows the same question again.
    seed: int | None
    #: ANSWER: the review-log row to take back.
    log_id: int | None = None
    #: BURY, SUSPEND: the card's schedule before, as the store snapshots it.
    snapshot: str = "null"


@dataclass
class SessionStats:
    """What a review session did, for the progress line and the summary."""

    #: Clock reading (seconds) when the session began.
    started: float
    #: Each answer, oldest first (an undone answer leaves the list).
    answers: list[Answered] = field(default_factory=list)
    #: Clock reading when the session ended (None while it goes on).
    ended: float | None = None

    @property
    def reviewed(self) -> int:
        return len(self.answers)

    @property
    def ratings(self) -> Counter[Rating]:
        return Counter(a.rating for a in self.answers)

    @property
    def answer_ms(self) -> int:
        """Time spent answering, in milliseconds."""
        return sum(a.duration_ms for a in self.answers)

    @property
    def elapsed_s(self) -> float:
        """Seconds from the start to the end of the session (0 until it ends)."""
        return 0.0 if self.ended is None else self.ended - self.started


def _system_seed() -> int:
    return random.SystemRandom().randrange(2**31)


class ReviewSession:
    """One learner reviewing ``deck`` (None: every deck) through ``service``.

    ``limit`` ends the session after that many answers and ``minutes`` after
    that much time (None: no limit). ``clock`` gives seconds (monotonic);
    ``seeds`` draws the seed of each live question.
    """

    def __init__(
        self,
        service: ReviewService,
        ask: AskQuestion,
        *,
        deck: str | None = None,
        limit: int | None = None,
        minutes: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        seeds: Callable[[], int] = _system_seed,
    ) -> None:
        self.service = service
        self.ask = ask
        self.deck = deck
        self.limit = limit
        self.minutes = minutes
        self.clock = clock
        self.seeds = seeds
        self.phase = Phase.WAITING
        #: The card on screen (None while waiting or done).
        self.card: CardView | None = None
        #: What each grade would do to the card: the intervals on the buttons.
        self.outcomes: dict[Rating, Outcome] = {}
        #: The question drawn for a live card.
        self.question: Question | None = None
        #: What is left today in the deck, as of the last load.
        self.remaining: DeckCounts | None = None
        #: What the learner typed (type-the-answer and live cards).
        self.typed = ""
        #: How the typed answer compares (None: nothing to compare).
        self.verdict: Verdict | None = None
        #: The misconception a wrong answer to a live question matched.
        self.mistake: str | None = None
        #: Only live cards are left and torch is still starting.
        self.waiting_for_kernel = False
        #: The session ended because nothing is left to review today.
        self.finished = False
        #: Why live cards were set aside by the last load (their question
        #: failed), one line each, for the screen to show; [] when none was.
        self.notices: list[str] = []
        self.stats = SessionStats(started=clock())
        self._shown_at = self.stats.started
        self._out_of_time = False
        #: What undo takes back, oldest first.
        self.steps: list[Step] = []
        #: After an undo: the card it brings back and the seed to ask it with.
        self._replay: tuple[str, int | None] | None = None

    # -- limits ---------------------------------------------------------------

    @property
    def time_up(self) -> bool:
        """The time limit has passed (by the clock, or as ``expire`` said)."""
        if self.minutes is None:
            return False
        return self._out_of_time or self.clock() - self.stats.started >= self.minutes * 60

    def expire(self) -> None:
        """The time limit passed (a timer says so): the session ends at the next card."""
        self._out_of_time = True

    def limit_reason(self) -> str | None:
        """Why the session must end now (a limit was reached), or None."""
        if self.limit is not None and self.stats.reviewed >= self.limit:
            return _("Session limit reached: {count} cards.").format(count=self.stats.reviewed)
        if self.time_up:
            return _("Time limit reached: {minutes} min.").format(minutes=f"{self.minutes:g}")
        return None

    # -- the card ---------------------------------------------------------------

    def load(self, card_id: str | None = None, *, kernel: KernelState = KernelState.READY) -> Phase:
        """Show the next card (or ``card_id``), in the scheduler's order; for a
        live card, draw a fresh question. The session ends (DONE) when a limit
        is reached or nothing is left; it waits (WAITING) when only live cards
        are left and torch is still starting. Returns the new phase.

        A live card whose question fails (its snippet breaks, the kernel
        refuses or times out) is set aside: buried until the next study day,
        with a line in ``notices``, and the next card loads. Nothing else
        changes when the service fails.
        """
        self.notices = []
        while True:
            phase = self._load(card_id, kernel)
            if phase is not None:
                return phase
            card_id = None  # the card asked for was set aside: go on with the queue

    def _load(self, card_id: str | None, kernel: KernelState) -> Phase | None:
        """One attempt of ``load``; None when a live card was set aside."""
        service = self.service
        if card_id is not None:
            card: CardView | None = service.card(card_id)
        else:
            card = service.next_card(self.deck, generated=kernel is KernelState.READY)
        if self.limit_reason() is not None:
            self._clear(Phase.DONE)
            self.finished = card is None
            return self.phase
        if card is None and kernel is KernelState.LOADING and service.next_card(self.deck, generated=True) is not None:
            remaining = service.today_counts(self.deck)
            self._clear(Phase.WAITING)
            self.remaining, self.waiting_for_kernel = remaining, True
            return self.phase
        if card is None:
            self._clear(Phase.DONE)
            self.finished = True
            return self.phase
        question = None
        replay, self._replay = self._replay, None
        if card.kind in LIVE_KINDS:
            seed = replay[1] if replay is not None and replay[0] == card.id and replay[1] is not None else None
            try:
                question = self.ask(card, self.seeds() if seed is None else seed)
            except Exception as exc:  # the deck's snippet, or the kernel: either way, not this session's
                service.bury(card.id)
                self.notices.append(set_aside_notice(card, exc))
                return None
        outcomes = service.preview(card.id)
        remaining = service.today_counts(self.deck)
        self._clear(Phase.FRONT)
        self.card, self.question, self.outcomes, self.remaining = card, question, outcomes, remaining
        self._shown_at = self.clock()
        return self.phase

    def _clear(self, phase: Phase) -> None:
        self.phase = phase
        self.card, self.question, self.outcomes = None, None, {}
        self.typed, self.verdict, self.mistake = "", None, None
        self.waiting_for_kernel = False

    @property
    def revealed(self) -> bool:
        return self.phase is Phase.ANSWER

    @property
    def takes_typing(self) -> bool:
        """The card asks for a typed answer (or a choice's letter)."""
        return self.card is not None and (self.card.kind == CardKind.TYPE or self.question is not None)

    @property
    def has_choices(self) -> bool:
        """The question offers choices to pick by letter (code cards from notes have none)."""
        return self.question is not None and len(self.question.choices) > 1

    @property
    def letters(self) -> str:
        """The letters that pick a choice of the question on screen ("abc" for three; "" for none)."""
        if self.question is None or not self.has_choices:
            return ""
        return CHOICE_LETTERS[: len(self.question.choices)]

    def refusal(self, typed: str) -> str | None:
        """Why ``typed`` is not graded (a letter with no choice: a typo), or
        None when it can be graded. Nothing changes in the session."""
        letters = self.letters
        text = typed.strip()
        if not letters or self.question is None or len(text) != 1 or not text.isalpha():
            return None
        if text.lower() in letters or parse_answer(self.question.answer_kind, text) is not None:
            return None  # a choice, or an answer of its own ("y" for yes)
        return _("No choice {letter}: type a letter from a to {last}, or the answer.").format(
            letter=text, last=letters[-1]
        )

    # -- answering ---------------------------------------------------------------

    def reveal(self, typed: str = "") -> Verdict | None:
        """Show the answer; grade what was ``typed`` (for a type-the-answer or
        live card). Returns the verdict (None: nothing to compare).

        A letter that picks no choice is refused (``refusal``): the card stays
        on its front, ungraded, and the verdict stays None."""
        card = self.card
        if self.phase is not Phase.FRONT or card is None:
            return self.verdict
        if self.refusal(typed) is not None:
            return None
        self.typed = typed
        if self.question is not None:
            self.verdict, chosen = grade_question(self.question, typed, lang=card.lang)
            self.mistake = None if self.verdict.correct else self.question.mistakes.get(chosen)
        elif card.kind == CardKind.TYPE:
            answer = card.data["answer"]
            kind = infer_kind(answer)  # "torch.Size([2, 3])" is compared as the shape (2, 3)
            correct = answer if kind == AnswerKind.TEXT else parse_answer(kind, answer) or answer
            self.verdict = check_answer(kind, typed, correct, lang=card.lang)
        self.phase = Phase.ANSWER
        return self.verdict

    def suggested(self) -> Rating:
        """The grade Enter accepts: Again for a wrong typed answer, else Good."""
        if self.verdict is not None and not self.verdict.correct:
            return Rating.AGAIN
        return Rating.GOOD

    def answer(self, rating: Rating | int) -> AnswerResult:
        """Grade the card on screen (its answer must show): the service stores
        the answer, the session counts it, and waits for the next load."""
        card = self.card
        if self.phase is not Phase.ANSWER or card is None:
            raise SessionError("grade after the answer shows")
        rating = Rating(rating)
        duration_ms = max(int((self.clock() - self._shown_at) * 1000), 0)
        result = self.service.answer(card.id, rating, duration_ms=duration_ms, answer=self._record(card))
        self.stats.answers.append(Answered(result.log_id, card.id, rating, duration_ms))
        self.steps.append(Step(Action.ANSWER, card.id, self._seed(), log_id=result.log_id))
        self._clear(Phase.WAITING)
        return result

    def _seed(self) -> int | None:
        return None if self.question is None else self.question.seed

    def _record(self, card: CardView) -> Answer | None:
        """What was asked and answered, for the review log (typed and live cards)."""
        q = self.question
        if q is not None:
            return Answer(
                asked=f"{q.prompt}\n{q.code}",
                answered=resolve_choice(q, self.typed),
                correct_answer=q.answer,
                family=q.family,
                seed=q.seed,
                torch_version=q.torch,
                mistake=self.mistake,
            )
        if card.kind == CardKind.TYPE:
            return Answer(asked=card.front, answered=self.typed, correct_answer=card.data["answer"])
        return None

    @property
    def can_undo(self) -> bool:
        return bool(self.steps)

    def undo(self) -> str | None:
        """Take back the session's latest step, as Anki does: an answer (the
        card's schedule returns to what it was and its log row goes), a bury
        or a suspend (the card's flags return to what they were). Returns the
        card's id (``load(card_id)`` shows it again, a live card with the same
        question), or None when there is nothing to undo."""
        if not self.steps:
            return None
        step = self.steps[-1]
        if step.action is Action.ANSWER:
            card_id = self.service.undo(step.log_id)
            self.stats.answers = [a for a in self.stats.answers if a.log_id != step.log_id]
        else:
            self.service.restore_card(step.card_id, step.snapshot)
            card_id = step.card_id
        self.steps.pop()
        self._clear(Phase.WAITING)
        self._replay = None if card_id is None else (card_id, step.seed)
        return card_id

    def bury(self) -> None:
        """Hide the card on screen until the next study day."""
        self._hide(Action.BURY)

    def suspend(self) -> None:
        """Hide the card on screen from review until unsuspended."""
        self._hide(Action.SUSPEND)

    def _hide(self, action: Action) -> None:
        card = self._on_screen()
        snapshot = self.service.card_snapshot(card.id)
        if action is Action.BURY:
            self.service.bury(card.id)
        else:
            self.service.suspend(card.id)
        self.steps.append(Step(action, card.id, self._seed(), snapshot=snapshot))
        self._clear(Phase.WAITING)

    def _on_screen(self) -> CardView:
        if self.card is None or self.phase not in (Phase.FRONT, Phase.ANSWER):
            raise SessionError("no card on screen")
        return self.card

    def end(self) -> SessionStats:
        """End the session (the learner leaves, or a limit or the deck's end
        came): the statistics, with the time it took."""
        self.phase = Phase.DONE
        if self.stats.ended is None:
            self.stats.ended = self.clock()
        return self.stats


#: Longest card front quoted in a notice, in characters.
NOTICE_FRONT_CHARS = 60


def set_aside_notice(card: CardView, exc: Exception) -> str:
    """One line saying which card was set aside and why."""
    front = " ".join(card.front.split())
    if len(front) > NOTICE_FRONT_CHARS:
        front = front[: NOTICE_FRONT_CHARS - 1] + "…"
    reason = " ".join(str(exc).split())[:200]
    return _("Set aside until tomorrow: {card}: its question failed ({error})").format(
        card=repr(front or card.id), error=f"{type(exc).__name__}: {reason}"
    )


def resolve_choice(question: Question, typed: str) -> str:
    """A single letter of a choice (a-d; a-c for three) picks it; anything
    else is a typed answer."""
    text = typed.strip()
    if len(question.choices) > 1 and len(text) == 1 and text.lower() in CHOICE_LETTERS[: len(question.choices)]:
        return question.choices[CHOICE_LETTERS.index(text.lower())]
    return text


def grade_question(question: Question, typed: str, *, lang: str) -> tuple[Verdict, str]:
    """The verdict on a live question (hints in ``lang``, the card's
    language: there is no default, so none is forgotten), and the answer it
    was read as."""
    chosen = resolve_choice(question, typed)
    return check_answer(question.answer_kind, chosen, question.answer, lang=lang), chosen
