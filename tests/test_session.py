"""The review session without a screen: phases, grading and suggestions,
undo bookkeeping and limits, over a real Service and database. Live cards
get their questions from a fake builder: no kernel, no torch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from quizapp.answers import check_answer
from quizapp.domain import MemoryState, Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.questions.base import Question
from quizapp.service import CardView
from quizapp.session import KernelState, Phase, ReviewSession, SessionError
from quizapp.store.models import ReviewLog

LIVE_DECK = """\
format = 1
[deck]
id = "live"
name = "Live"
lang = "en"

[[cards]]
id = "gen"
type = "generated"
family = "broadcasting"
front = "Broadcasting: result shape"

[[cards]]
id = "typed"
type = "type"
front = "dtype of torch.zeros(1)?"
answer = "torch.float32"
"""


class Seconds:
    """A settable monotonic clock for the session, in seconds."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeQuestions:
    """Builds a fixed shape question, as the kernel would; counts its calls."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []
        self.fail = False
        #: How many of the four choices the question offers.
        self.choices = 4

    def __call__(self, card: CardView, seed: int) -> Question:
        if self.fail:
            raise RuntimeError("the torch kernel did not start")
        self.asked.append((card.id, seed))
        return Question(
            family=card.data["family"],
            seed=seed,
            prompt="Shape of the result?",
            code="torch.ones(2, 1) + torch.ones(3)",
            answer_kind="shape",
            answer="(2, 3)",
            choices=("(2, 3)", "(3, 2)", "(2, 1)", "(3,)")[: self.choices],
            explanation="Dimensions align from the right.",
            torch="2.5.0",
            printed="torch.Size([2, 3])",
            mistakes={"(3, 2)": "left_align"},
            mistake_labels={"left_align": "operands aligned from the left"},
        )


@pytest.fixture
def service(make_service, small_deck, tmp_path):
    s = make_service()
    s.sync_deck(read_toml_deck(small_deck))
    live = Path(tmp_path / "live.toml")
    live.write_text(LIVE_DECK, encoding="utf-8")
    s.sync_deck(read_toml_deck(live))
    return s


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def questions() -> FakeQuestions:
    return FakeQuestions()


@pytest.fixture
def make_session(service, questions, seconds):
    def make(deck: str | None = "Small", **kwargs) -> ReviewSession:
        kwargs.setdefault("seeds", iter(range(100, 200)).__next__)
        return ReviewSession(service, questions, deck=deck, clock=seconds, **kwargs)

    return make


def logs(service) -> list[ReviewLog]:
    with Session(service.engine) as session:
        return list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))


# -- phases ---------------------------------------------------------------------------


def test_a_card_goes_front_answer_graded_and_the_deck_ends(make_session, service, seconds):
    s = make_session()
    assert s.phase is Phase.WAITING and s.card is None
    assert s.load() is Phase.FRONT
    assert s.card.id == "small:one" and s.question is None
    assert set(s.outcomes) == set(Rating)  # the intervals on the four buttons
    assert s.remaining.new == 6
    with pytest.raises(SessionError):
        s.answer(Rating.GOOD)  # the answer is not shown yet
    assert s.reveal() is None  # nothing typed to compare
    assert s.phase is Phase.ANSWER and s.revealed
    assert s.suggested() is Rating.GOOD
    seconds.advance(4.5)
    result = s.answer(Rating.GOOD)
    assert s.phase is Phase.WAITING and s.card is None
    (log,) = logs(service)
    assert (log.id, log.card_id, log.rating, log.duration_ms) == (result.log_id, "small:one", 3, 4500)
    assert log.asked == ""  # a flashcard: nothing typed to keep
    assert s.stats.reviewed == 1 and s.stats.answer_ms == 4500
    for _ in range(20):
        if s.load() is Phase.DONE:
            break
        s.reveal()
        s.answer(Rating.EASY)
    assert s.phase is Phase.DONE and s.finished
    assert s.limit_reason() is None


def test_reveal_twice_keeps_the_first_verdict(make_session):
    s = make_session()
    s.load("live:typed")
    first = s.reveal("torch.float32")
    assert s.reveal("something else") is first
    assert s.typed == "torch.float32"


def test_a_wrong_typed_answer_suggests_again_and_the_log_keeps_it(make_session, service):
    s = make_session()
    s.load("small:four")
    verdict = s.reveal("torch.int64")
    assert verdict is not None and not verdict.correct
    assert s.suggested() is Rating.AGAIN
    s.answer(s.suggested())
    s.load("small:four")
    assert s.reveal("torch.float32").correct
    assert s.suggested() is Rating.GOOD
    s.answer(Rating.EASY)  # the learner may override the suggestion
    wrong, right = logs(service)
    assert (wrong.rating, wrong.answered, wrong.correct_answer) == (1, "torch.int64", "torch.float32")
    assert wrong.asked == "dtype of torch.zeros(1)?"
    assert (right.rating, right.answered) == (4, "torch.float32")


@pytest.mark.parametrize(("card_id", "lang"), [("small:four", "es"), ("live:typed", "en")])
def test_hints_come_in_the_cards_language(make_session, card_id, lang):
    s = make_session(deck=None)
    s.load(card_id)
    assert s.card.lang == lang
    hint = s.reveal("torch.float64").hint
    other = "en" if lang == "es" else "es"
    assert hint == check_answer("dtype", "torch.float64", "torch.float32", lang=lang).hint
    assert hint != check_answer("dtype", "torch.float64", "torch.float32", lang=other).hint


def test_a_live_card_asks_a_fresh_question_and_a_letter_picks_a_choice(make_session, service, questions):
    s = make_session(deck="Live")
    assert s.load() is Phase.FRONT
    assert s.card.id == "live:gen" and s.takes_typing and s.has_choices
    assert questions.asked == [("live:gen", 100)]
    assert s.question.seed == 100
    verdict = s.reveal("b")  # the second choice: operands aligned from the left
    assert not verdict.correct and s.mistake == "left_align"
    assert s.suggested() is Rating.AGAIN
    s.answer(Rating.AGAIN)
    (log,) = logs(service)
    assert (log.family, log.seed, log.torch_version) == ("broadcasting", 100, "2.5.0")
    assert log.answered == "(3, 2)" and log.correct_answer == "(2, 3)" and log.mistake == "left_align"
    assert log.asked == "Shape of the result?\ntorch.ones(2, 1) + torch.ones(3)"
    s.load("live:gen")  # a new draw each time
    assert s.question.seed == 101
    assert s.reveal("2x3").correct and s.mistake is None


def test_live_cards_wait_for_torch_and_flashcards_come_first(make_session, questions):
    s = make_session(deck="Live")
    s.load("live:typed")
    s.reveal("torch.float32")
    s.answer(Rating.EASY)  # only the generated card is left in Live
    assert s.load(kernel=KernelState.LOADING) is Phase.WAITING
    assert s.waiting_for_kernel and s.card is None and s.remaining.new == 1
    assert questions.asked == []
    assert s.load(kernel=KernelState.READY) is Phase.FRONT and s.card.id == "live:gen"
    everything = make_session(deck=None)
    served = []
    while everything.load(kernel=KernelState.LOADING) is Phase.FRONT:  # flashcards first...
        served.append(everything.card.kind)
        everything.bury()
    assert len(served) == 6 and "generated" not in served
    assert everything.waiting_for_kernel  # ...then the generated card waits for torch


def test_without_torch_live_cards_are_left_out(make_session, questions):
    s = make_session(deck="Live")
    s.load("live:typed")
    s.reveal("x")
    s.answer(Rating.EASY)
    assert s.load(kernel=KernelState.OFF) is Phase.DONE and s.finished
    assert questions.asked == []


def test_a_live_card_whose_question_fails_is_set_aside_and_the_session_goes_on(make_session, service, questions):
    s = make_session(deck="Live")
    questions.fail = True  # as a code card declaring answer = "int" for 'abc' fails at review
    assert s.load() is Phase.FRONT and s.card.id == "live:typed"  # the live card came first: set aside
    (notice,) = s.notices
    assert notice.startswith("Set aside until tomorrow: 'Broadcasting: result shape': its question failed")
    assert "RuntimeError: the torch kernel did not start" in notice
    s.reveal("torch.float32")
    s.answer(Rating.EASY)
    assert s.load() is Phase.DONE and s.finished and s.notices == []  # buried: not asked again today
    assert s.load("live:gen") is Phase.DONE and len(s.notices) == 1  # asked for by id: set aside again
    assert service.search_cards("is:buried")[0].id == "live:gen"
    assert s.stats.reviewed == 1


# -- undo, bury, suspend ------------------------------------------------------------------


def test_undo_takes_back_the_latest_answer_and_shows_its_card_again(make_session, service):
    s = make_session()
    assert not s.can_undo and s.undo() is None
    s.load()
    s.reveal()
    s.answer(Rating.GOOD)
    s.load()
    second = s.card.id
    s.reveal()
    s.answer(Rating.AGAIN)
    assert [log.rating for log in logs(service)] == [3, 1]
    assert s.undo() == second
    assert [log.rating for log in logs(service)] == [3]
    assert s.stats.reviewed == 1 and s.stats.ratings == {Rating.GOOD: 1}
    assert service.memory(second).state is MemoryState.NEW  # the schedule is as before
    assert s.phase is Phase.WAITING
    s.load(second)
    assert s.card.id == second and s.phase is Phase.FRONT
    assert s.undo() == "small:one"
    assert logs(service) == [] and s.stats.answers == [] and not s.can_undo


def test_bury_and_suspend_hide_the_card_on_screen(make_session, service):
    s = make_session()
    with pytest.raises(SessionError):
        s.bury()  # nothing on screen
    s.load()
    s.bury()
    assert s.phase is Phase.WAITING and s.card is None
    s.load()
    assert s.card.id != "small:one"
    suspended = s.card.id
    s.reveal()
    s.suspend()  # also once the answer shows
    seen = []
    while s.load() is not Phase.DONE:
        seen.append(s.card.id)
        s.reveal()
        s.answer(Rating.EASY)
    assert "small:one" not in seen and suspended not in seen
    # Six cards: one buried, one suspended, and a cloze's second card buried by its sibling's answer.
    assert s.stats.reviewed == len(seen) == 3
    assert logs(service)[0].card_id not in ("small:one", suspended)


# -- limits --------------------------------------------------------------------------------


def test_the_card_limit_ends_the_session_and_undo_lifts_it(make_session):
    s = make_session(limit=2)
    for _ in range(2):
        s.load()
        s.reveal()
        s.answer(Rating.GOOD)
    assert s.limit_reason() == "Session limit reached: 2 cards."
    assert s.load() is Phase.DONE and not s.finished  # cards are left
    card_id = s.undo()
    assert s.limit_reason() is None
    assert s.load(card_id) is Phase.FRONT


def test_a_limit_at_the_end_of_the_deck_is_a_finished_deck(make_session):
    s = make_session(deck="Small::Sub", limit=2)  # two and a cloze: their siblings wait for tomorrow
    while s.load() is not Phase.DONE:
        s.reveal()
        s.answer(Rating.EASY)
    assert s.stats.reviewed == 2 and s.finished


def test_the_time_limit_follows_the_clock(make_session, seconds):
    s = make_session(minutes=1.5)
    seconds.advance(89)
    assert s.load() is Phase.FRONT and s.limit_reason() is None
    s.reveal()
    seconds.advance(1)
    assert s.time_up and s.limit_reason() == "Time limit reached: 1.5 min."
    s.answer(Rating.GOOD)  # the card on screen is still graded
    assert s.load() is Phase.DONE
    assert s.stats.reviewed == 1


def test_a_timer_can_say_the_time_is_up(make_session):
    s = make_session(minutes=30)
    s.load()
    assert not s.time_up
    s.expire()
    assert s.limit_reason() == "Time limit reached: 30 min."
    assert make_session().limit_reason() is None  # no limits: never
    untimed = make_session()
    untimed.expire()
    assert not untimed.time_up


def test_end_records_the_time_once(make_session, seconds):
    s = make_session()
    s.load()
    s.reveal()
    seconds.advance(3)
    s.answer(Rating.HARD)
    assert s.stats.elapsed_s == 0.0  # until it ends
    seconds.advance(60)
    stats = s.end()
    assert s.phase is Phase.DONE
    assert stats.elapsed_s == 63 and stats.answer_ms == 3000 and stats.ratings[Rating.HARD] == 1
    seconds.advance(10)
    assert s.end().elapsed_s == 63


# -- typos, undo of every step, the card's language (issue 10) ------------------------------


@pytest.mark.parametrize(("choices", "letter"), [(4, "e"), (3, "d"), (2, "c"), (3, "z")])
def test_a_letter_with_no_choice_is_refused_and_nothing_is_graded(make_session, service, questions, choices, letter):
    questions.choices = choices
    s = make_session(deck="Live")
    s.load("live:gen")
    assert s.letters == "abcd"[:choices]
    message = s.refusal(letter)
    assert message == f"No choice {letter}: type a letter from a to {'abcd'[choices - 1]}, or the answer."
    assert s.reveal(letter) is None and s.phase is Phase.FRONT and s.verdict is None
    assert logs(service) == []
    assert s.refusal(letter.upper()) is not None
    assert s.refusal("a") is None and s.refusal("2x3") is None
    assert s.reveal("B").correct is False and s.phase is Phase.ANSWER  # a letter in range picks its choice


def test_a_one_letter_answer_of_the_kind_is_not_a_typo(make_session, questions, monkeypatch):
    from dataclasses import replace

    s = make_session(deck="Live")
    s.load("live:gen")
    s.question = replace(s.question, answer_kind="bool", answer="True", choices=("True", "False"))
    assert s.refusal("y") is None and s.refusal("n") is None  # yes / no, not letters
    assert s.refusal("c") is not None


def test_a_type_in_name_may_leave_out_torch(make_session, service, tmp_path):
    deck = tmp_path / "names.toml"
    deck.write_text(
        'format = 1\n[deck]\nid = "names"\nname = "Names"\nlang = "en"\n'
        '[[cards]]\nid = "empty"\ntype = "type"\nfront = "Uninitialized memory?"\nanswer = "torch.empty"\n'
        '[[cards]]\nid = "size"\ntype = "type"\nfront = "Its shape?"\nanswer = "torch.Size([2, 2, 3])"\n',
        encoding="utf-8",
    )
    service.sync_deck(read_toml_deck(deck))
    s = make_session(deck="Names")
    s.load("names:empty")
    assert s.reveal("empty").correct  # as "float32" is for torch.float32
    s.load("names:size")
    assert s.reveal("2x2x3").correct


def test_undo_takes_back_suspend_bury_and_answers_in_order(make_session, service):
    from quizapp.store.models import CardState

    def state(card_id):
        with Session(service.engine) as session:
            return session.get(CardState, (service.user_id, card_id))

    s = make_session()
    s.load()
    answered = s.card.id
    s.reveal()
    s.answer(Rating.GOOD)
    s.load()
    buried = s.card.id
    s.bury()
    s.load()
    suspended = s.card.id
    s.reveal()
    s.suspend()
    assert state(suspended).suspended and state(buried).buried_until is not None
    assert s.undo() == suspended  # the suspend, not the grade before it
    assert state(suspended) is None  # a new card again: no schedule row, as before
    assert state(buried).buried_until is not None and len(logs(service)) == 1
    assert s.undo() == buried
    assert state(buried) is None and len(logs(service)) == 1
    assert s.undo() == answered
    assert logs(service) == [] and state(answered) is None and not s.can_undo
    s.load(answered)
    assert s.card.id == answered


def test_undo_of_a_bury_keeps_the_schedule_the_card_had(make_session, service):
    s = make_session()
    s.load("small:one")
    s.reveal()
    s.answer(Rating.GOOD)
    before = service.card_snapshot("small:one")
    s.load("small:one")
    s.bury()
    assert service.card_snapshot("small:one") != before
    s.undo()
    assert service.card_snapshot("small:one") == before


@pytest.mark.parametrize("step", ["answer", "bury", "suspend"])
def test_undo_brings_back_the_same_question(make_session, questions, step):
    s = make_session(deck="Live")
    s.load("live:gen")
    seed = s.question.seed
    if step == "answer":
        s.reveal("a")
        s.answer(Rating.GOOD)
    else:
        getattr(s, step)()
    card_id = s.undo()
    s.load(card_id)
    assert s.card.id == "live:gen" and s.question.seed == seed
    s.load("live:gen")  # only the undone one is replayed
    assert s.question.seed != seed


def test_a_live_questions_feedback_is_in_the_cards_language(make_session, service):
    s = make_session(deck="Live")
    s.load("live:gen")
    assert s.card.lang == "en"
    assert s.reveal("RuntimeError").hint == "it doesn't raise"
