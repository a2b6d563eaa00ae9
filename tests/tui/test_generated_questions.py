"""Generated questions in the TUI, answered through the real torch kernel."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from quizapp.settings import Settings
from quizapp.store.models import ReviewLog
from quizapp.tui.app import make_app
from quizapp.tui.screens.review import CHOICE_LETTERS
from quizapp.tui.widgets.card_text import diff_text

pytest.importorskip("torch")

SIZE = (100, 40)
DECK = "PyTorch (EN)::Predict the result"


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def logs(app) -> list[ReviewLog]:
    with Session(app.service.engine) as session:
        return list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))


async def wait_for_question(app, pilot):
    assert app.kernel.wait_ready(60)
    for _ in range(100):
        await settle(app, pilot)
        if getattr(app.screen, "question", None) is not None:
            return app.screen.question
        await pilot.pause(0.1)
    raise AssertionError("no generated question showed")


@pytest.mark.torch
async def test_choose_wrong_then_type_right_and_the_log_keeps_it(db_url):
    app = make_app(Settings(database_url=db_url, user="tester", start_in_review=True, review_deck=DECK))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        q1 = await wait_for_question(app, pilot)
        wrong = next(i for i, c in enumerate(q1.choices) if c != q1.answer)
        await pilot.press(CHOICE_LETTERS[wrong], "enter")  # choose a distractor
        assert screen.revealed and not screen.verdict.correct
        assert screen.suggested() == 1  # wrong -> Again
        assert "".join(chunk for chunk, _mark in screen.verdict.expected) == q1.answer
        assert diff_text(screen.verdict.expected).plain in str(screen.query_one("#verdict").render())
        await pilot.press("enter")  # accept Again
        q2 = await wait_for_question(app, pilot)
        await pilot.press(*q2.answer, "enter")  # type the right answer in full
        assert screen.verdict.correct and screen.suggested() == 3
        await pilot.press("4")  # override with Easy
        await settle(app, pilot)
    first, second = logs(app)
    assert (first.rating, second.rating) == (1, 4)
    assert first.family == q1.family and first.seed == q1.seed and first.torch_version == q1.torch
    assert first.answered == q1.choices[wrong] and first.correct_answer == q1.answer
    assert q1.code in first.asked
    assert first.mistake == q1.mistakes.get(q1.choices[wrong])  # None for a fallback distractor
    assert second.answered == q2.answer and second.mistake is None


class LoadingKernel:
    """Stands in for a kernel whose worker is still importing torch."""

    ready = False
    alive = True
    torch_version = None

    def start(self):
        pass

    def close(self):
        pass

    def restart(self):
        pass


async def test_flashcards_first_while_torch_loads(db_url, clock):
    from quizapp.domain import Rating

    app = make_app(Settings(database_url=db_url, user="tester", start_in_review=True, review_deck="PyTorch (EN)"))
    app.kernel = LoadingKernel()
    # A generated card in learning, due before any flashcard would be.
    app.service.answer("pytorch-en:gen-matmul", Rating.AGAIN)
    app.service.ctx.clock = lambda: clock.now.replace(year=2099)
    assert app.service.next_card("PyTorch (EN)").kind == "generated"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.card is not None and app.screen.card.kind != "generated"


async def test_only_generated_left_waits_without_blocking(db_url):
    app = make_app(Settings(database_url=db_url, user="tester", start_in_review=True, review_deck=DECK))
    app.kernel = LoadingKernel()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.card is None
        assert "torch is still loading" in str(app.screen.query_one("#front").render())
        await pilot.press("escape")  # input is never blocked
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


@pytest.mark.torch
async def test_worker_death_is_shown_and_flashcards_go_on(db_url):
    import os
    import signal

    app = make_app(
        Settings(database_url=db_url, user="tester", start_in_review=True, review_deck="PyTorch (EN)::Deep learning")
    )
    async with app.run_test(size=SIZE) as pilot:
        assert app.kernel.wait_ready(60)
        await settle(app, pilot)
        app._watch_kernel()  # the header follows the kernel on a 0.5 s timer
        assert "torch 2." in app.sub_title
        os.kill(app.kernel.pid, signal.SIGKILL)
        for _ in range(50):
            if not app.kernel.alive:
                break
            await pilot.pause(0.1)
        app._watch_kernel()  # the app's periodic check: restarts and says so
        assert app._restarts == 1
        assert "torch loading" in app.sub_title or "torch 2." in app.sub_title
        await pilot.press("enter", "enter")  # flashcards keep working meanwhile
        await settle(app, pilot)
        assert len(logs(app)) == 1
        assert app.kernel.wait_ready(60)  # and the new worker answers
        assert app.kernel.run("torch.ones(2).shape").ok


BROKEN_DECK = """\
format = 1
[deck]
id = "broken"
name = "Broken"
lang = "en"

[[cards]]
id = "not-an-int"
type = "code"
front = "A card that says int"
answer = "int"
code = "'abc'"

[[cards]]
id = "fine"
front = "Q"
back = "A"
"""


@pytest.mark.torch
async def test_a_live_card_whose_question_fails_is_set_aside_and_review_goes_on(db_url, tmp_path):
    from quizapp.importers.toml_deck import read_toml_deck

    path = tmp_path / "broken.toml"
    path.write_text(BROKEN_DECK, encoding="utf-8")
    app = make_app(Settings(database_url=db_url, user="tester", start_in_review=True, review_deck="Broken"))
    # As a card imported before import checked answer kinds: straight into the database.
    app.service.sync_deck(read_toml_deck(path))
    async with app.run_test(size=SIZE) as pilot:
        assert app.kernel.wait_ready(60)
        for _ in range(100):  # the flashcard, first (torch loading) or after the code card is set aside
            await settle(app, pilot)
            if getattr(app.screen, "card", None) is not None:
                break
            await pilot.pause(0.1)
        assert app.screen.card.id == "broken:fine"
        await pilot.press("enter", "4")  # Easy: nothing left in the deck today
        for _ in range(100):
            await settle(app, pilot)
            if type(app.screen).__name__ == "SummaryScreen":
                break
            await pilot.pause(0.1)
        assert type(app.screen).__name__ == "SummaryScreen"
        notices = [n.message for n in app._notifications]
        assert any(n.startswith("Set aside until tomorrow: 'A card that says int'") for n in notices), notices
    assert app.service.search_cards("is:buried")[0].id == "broken:not-an-int"
    assert [log.card_id for log in logs(app)] == ["broken:fine"]


@pytest.mark.torch
async def test_at_80x24_the_verdict_answer_and_rule_of_a_real_question_show_without_scrolling(db_url):
    app = make_app(Settings(database_url=db_url, user="tester", start_in_review=True, review_deck=DECK))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        question = await wait_for_question(app, pilot)
        wrong = next(i for i, c in enumerate(question.choices) if c != question.answer)
        await pilot.press(CHOICE_LETTERS[wrong], "enter")
        await settle(app, pilot)
        text = "\n".join(strip.text for strip in screen._compositor.render_strips())
        flat = " ".join(text.split())
        assert screen.query_one("#card").scroll_y == 0
        assert "".join(chunk for chunk, _mark in screen.verdict.expected) == question.answer
        shown_answer = diff_text(screen.verdict.expected).plain  # the right answer, its differences marked
        assert "✗ Not quite" in text and f"Answer: {shown_answer}" in flat
        assert "Rule: " + " ".join(question.explanation.split()[:6]) in flat
        assert "lanza" not in flat and "forma" not in flat  # an English card: English feedback
    assert logs(app) == []  # nothing graded until the learner accepts
