"""The daily review loop at 80x24, as a learner lives it (issue 10): the
verdict in view after an answer, feedback in the card's language, typos
refused, keys that work while typing, undo of every step, code that looks
like code and card text that stays data. Live questions come from a fake
builder (no torch); what the database holds is checked in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from quizapp import i18n
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.questions.base import Question
from quizapp.service import CardView
from quizapp.settings import Settings
from quizapp.store.models import CardState, ReviewLog
from quizapp.tui.app import make_app

SMALL = (80, 24)
LARGE = (100, 30)
EN_LIVE = "PyTorch (EN)::Predict the result"
ES_LIVE = "PyTorch (ES)::Predice el resultado"

RULE = {
    "en": "Shapes are compared from the last dimension: each pair must be equal, or one of them 1, "
    "or missing in one tensor. An in-place op can't change the shape of the tensor it modifies.",
    "es": "Las formas se comparan desde la última dimensión: cada pareja debe ser igual, o una de ellas 1, "
    "o faltar en un tensor. Una operación in situ no puede cambiar la forma del tensor que modifica.",
}

PROMPT = {
    "en": "What is the shape of the result? (or which error does it raise?)",
    "es": "¿Qué forma tiene el resultado? (¿o qué error lanza?)",
}
LEFT_ALIGN = {"en": "operands aligned from the left", "es": "operandos alineados por la izquierda"}

SPANISH = ("Correcto", "Respuesta", "Regla", "Tu respuesta", "mostró", "lanza", "forma", "Un error frecuente")
ENGLISH = ("Correct", "Answer:", "Rule:", "Yours:", "printed", "raise", "shape", "A common mistake")


class ReadyKernel:
    """Stands in for a torch kernel that is up (the questions come from FakeQuestions)."""

    ready = True
    alive = True
    torch_version = "2.5.0"

    def start(self):
        pass

    def close(self):
        pass

    def restart(self):
        pass


class FakeQuestions:
    """A broadcasting question in the card's language, as the kernel would build it."""

    def __init__(self, choices: int = 4, code_lines: int = 3) -> None:
        self.asked: list[tuple[str, int]] = []
        self.choices = choices
        self.code_lines = code_lines

    def __call__(self, card: CardView, seed: int) -> Question:
        self.asked.append((card.id, seed))
        lang = card.lang
        code = "\n".join(f"t{i} = torch.ones(4, 2, 3)" for i in range(self.code_lines - 1)) + "\nt0.mul_(t0).shape"
        return Question(
            family="broadcasting",
            seed=seed,
            prompt=PROMPT[lang],
            code=code,
            answer_kind="shape",
            answer="(4, 2, 3)",
            choices=("(1, 1, 1)", "RuntimeError", "(4, 2, 3)", "(3, 2, 4)")[: self.choices],
            explanation=RULE[lang],
            torch="2.5.0",
            printed="torch.Size([4, 2, 3])",
            mistakes={"(3, 2, 4)": "left_align"},
            mistake_labels={"left_align": LEFT_ALIGN[lang]},
        )


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def live_app(db_url, deck: str, questions: FakeQuestions | None = None, *, language: str = "en"):
    app = make_app(
        Settings(database_url=db_url, user="tester", start_kernel=False, start_in_review=True, review_deck=deck)
    )
    if language != "en":
        app.service.set_interface_language(language)
        i18n.set_language(language)
    app.kernel = ReadyKernel()
    app.ask_question = questions or FakeQuestions()
    return app


def has_word(text: str, word: str) -> bool:
    import re

    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def screen_text(app) -> str:
    """Everything the terminal shows (the lines of the last frame)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def footer_text(app) -> str:
    return screen_text(app).splitlines()[-1]


def logs(app) -> list[ReviewLog]:
    with Session(app.service.engine) as session:
        return list(session.exec(select(ReviewLog).order_by(ReviewLog.id)))


def state(app, card_id: str) -> CardState | None:
    with Session(app.service.engine) as session:
        return session.get(CardState, (app.service.user_id, card_id))


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


# -- 1. the verdict above the fold ------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_after_an_answer_the_verdict_answer_and_rule_show_without_scrolling(db_url, size):
    app = live_app(db_url, EN_LIVE, FakeQuestions(code_lines=6))
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.question is not None
        await press(app, pilot, "d", "enter")  # a wrong choice: operands aligned from the left
        assert screen.revealed and not screen.verdict.correct
        text = screen_text(app)
        assert screen.query_one("#card").scroll_y == 0
        assert "✗ Not quite" in text
        answer_line = next(line.strip() for line in text.splitlines() if line.strip().startswith("Answer:"))
        assert answer_line.replace("[+", "").replace("]", "").startswith("Answer: (4")  # the right answer, marked
        assert "A common mistake: operands aligned from the left" in text
        assert "Rule: Shapes are compared from the last dimension" in text
        assert "modifies." in text  # the whole rule, not its first line
        if size == LARGE:
            assert "torch printed: torch.Size([4, 2, 3]) (torch 2.5.0)" in text
        # The snippet moved below; at 80x24 it goes on under the screen, and a line says so.
        if size == SMALL:
            assert "▼ more below: PageDown" in text
            await press(app, pilot, "pagedown")
            text = screen_text(app)
            assert "t0.mul_(t0).shape" in text and "✓ c) (4, 2, 3)" in text and "✗ d) (3, 2, 4)" in text
            assert "more below" not in text
        await press(app, pilot, "enter")  # accept Again
        assert [log.rating for log in logs(app)] == [1]


async def test_the_front_of_a_question_fits_at_80x24(db_url):
    app = live_app(db_url, EN_LIVE)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        for line in ("What is the shape of the result?", "t0.mul_(t0).shape", "d) (3, 2, 4)", "letter (a-d)"):
            assert line in text
        assert "more below" not in text


# -- 2. feedback in the card's language, whatever the interface's ----------------------------


@pytest.mark.parametrize(("deck", "lang", "interface"), [(EN_LIVE, "en", "es"), (ES_LIVE, "es", "en")])
@pytest.mark.parametrize("typed", ["d", "c", "RuntimeError", "banana", "error"])
async def test_feedback_follows_the_cards_language(db_url, deck, lang, interface, typed):
    app = live_app(db_url, deck, language=interface)
    async with app.run_test(size=LARGE) as pilot:
        await settle(app, pilot)
        assert app.screen.card.lang == lang
        await pilot.press(*typed)
        await press(app, pilot, "enter")
        feedback = str(app.screen.query_one("#verdict").render()) + str(app.screen.query_one("#back").render())
        mine, theirs = (ENGLISH, SPANISH) if lang == "en" else (SPANISH, ENGLISH)
        assert any(has_word(feedback, word) for word in mine), feedback
        assert not [word for word in theirs if has_word(feedback, word)], feedback


# -- 3. a typo is not a wrong answer --------------------------------------------------


@pytest.mark.parametrize(("choices", "letter"), [(3, "d"), (4, "e"), (2, "c")])
async def test_a_letter_with_no_choice_is_refused_and_nothing_is_graded(db_url, choices, letter):
    app = live_app(db_url, EN_LIVE, FakeQuestions(choices=choices))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        last = "abcd"[choices - 1]
        assert f"letter (a-{last})" in screen_text(app)
        await pilot.press(letter)
        await press(app, pilot, "enter")
        assert not app.screen.revealed and app.screen.verdict is None
        assert f"No choice {letter}: type a letter from a to {last}, or the answer." in screen_text(app)
        assert logs(app) == [] and state(app, app.screen.card.id) is None
        await pilot.press("backspace", "a")
        assert "No choice" not in screen_text(app)  # the message goes once the text changes
        await press(app, pilot, "enter")
        assert app.screen.revealed


# -- 5. keys in the footer work while the answer box has focus -------------------------------


async def test_bury_and_suspend_while_typing_and_the_footer_says_how(db_url):
    app = live_app(db_url, EN_LIVE)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = app.screen
        typed = screen.query_one("#typed")
        assert app.focused is typed
        footer = footer_text(app)
        assert "^b Bury" in footer and "^s Suspend" in footer and "- Bury" not in footer
        await pilot.press("minus", "1")  # an answer may start with "-": it types
        assert typed.value == "-1" and logs(app) == []
        first = screen.card.id
        await press(app, pilot, "ctrl+b")
        assert state(app, first).buried_until is not None
        second = screen.card.id
        assert second != first and app.focused is screen.query_one("#typed")
        await press(app, pilot, "ctrl+s")
        assert state(app, second).suspended
        await press(app, pilot, "a", "enter")  # once the answer shows, "-" and "@" are the keys
        footer = footer_text(app)
        assert "- Bury" in footer and "@ Suspend" in footer and "^b" not in footer
        third = screen.card.id
        await press(app, pilot, "at")
        assert state(app, third).suspended


@pytest.mark.parametrize("language", ["en", "es"])
async def test_every_key_the_learner_needs_shows_at_80_columns(db_url, language):
    app = live_app(db_url, EN_LIVE, language=language)
    words = {
        "en": ("Show / Accept", "Undo", "Bury", "Suspend", "Back"),
        "es": ("Ver / Aceptar", "Deshacer", "Enterrar", "Suspender", "Volver"),
    }[language]
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "a", "enter")
        footer = footer_text(app)
        for word in words:
            assert word in footer, footer
        grades = screen_text(app).splitlines()[-2]  # the grade keys, with their intervals
        for key in ("1 ", "2 ", "3 ", "4 "):
            assert key in grades, grades


# -- 6. undo, as in Anki ---------------------------------------------------------------------


async def test_undo_takes_back_suspend_bury_and_grade_in_order(db_url):
    questions = FakeQuestions()
    app = live_app(db_url, "PyTorch (EN)::Deep learning", questions)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = app.screen
        graded = screen.card.id
        await press(app, pilot, "enter", "3")
        buried = screen.card.id
        await press(app, pilot, "minus")
        suspended = screen.card.id
        await press(app, pilot, "at")
        assert state(app, suspended).suspended and state(app, buried).buried_until is not None
        assert len(logs(app)) == 1
        await press(app, pilot, "ctrl+z")  # the suspend, not the grade
        assert state(app, suspended) is None and screen.card.id == suspended
        assert state(app, buried).buried_until is not None and len(logs(app)) == 1
        await press(app, pilot, "ctrl+z")
        assert state(app, buried) is None and screen.card.id == buried and len(logs(app)) == 1
        await press(app, pilot, "ctrl+z")
        assert logs(app) == [] and state(app, graded) is None and screen.card.id == graded
        await press(app, pilot, "ctrl+z")
        assert "Nothing to undo in this session." in [n.message for n in app._notifications]


async def test_undoing_a_generated_question_brings_back_the_same_snippet(db_url):
    questions = FakeQuestions()
    app = live_app(db_url, EN_LIVE, questions)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = app.screen
        card_id, seed = screen.card.id, screen.question.seed
        code = str(screen.query_one("#code").render())
        await press(app, pilot, "c", "enter", "enter")
        (log,) = logs(app)
        assert (log.card_id, log.seed, log.rating) == (card_id, seed, 3)
        await press(app, pilot, "ctrl+z")
        assert logs(app) == [] and state(app, card_id) is None
        assert screen.card.id == card_id and screen.question.seed == seed
        assert str(screen.query_one("#code").render()) == code
        await press(app, pilot, "ctrl+b")  # and after a bury, too
        await press(app, pilot, "ctrl+z")
        assert screen.card.id == card_id and screen.question.seed == seed
        assert questions.asked.count((card_id, seed)) == 3


# -- 10. code that looks like code; deck text that stays data ---------------------------------

NOTES_DECK = """\
format = 1
[deck]
id = "notes"
name = "Notes"
lang = "es"

[[cards]]
id = "md"
front = "Misma _**forma**_ con `torch.*_like()` y zeros_like"
back = "Así:\\n```python\\nx = torch.empty(2, 2, 3)\\ntorch.zeros_like(x)\\n```\\nfin"

[[cards]]
id = "evil"
front = "a[/]b [link=https://evil.example]click[/link] **[bold]x[/bold]** `[/]`"
back = "esc\\u001b[31m red \\u001b]52;c;aGk=\\u0007 _[i]_"
"""


@pytest.fixture
def notes_deck(tmp_path) -> Path:
    path = tmp_path / "notes.toml"
    path.write_text(NOTES_DECK, encoding="utf-8")
    return path


async def test_markdown_of_notes_shows_as_emphasis_and_code(db_url, notes_deck):
    app = live_app(db_url, "Notes")
    app.service.sync_deck(read_toml_deck(notes_deck))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = app.screen
        if screen.card.id != "notes:md":
            await press(app, pilot, "minus")
        assert screen.card.id == "notes:md"
        front = screen.query_one("#front").render()
        text = screen_text(app)
        assert "Misma forma con torch.*_like() y zeros_like" in text
        assert "_**" not in text and "`" not in text
        styles = {str(span.style) for span in front.spans if front.plain[span.start : span.end] == "forma"}
        assert any("bold" in s and "italic" in s for s in styles), front.spans
        await press(app, pilot, "enter")
        text = screen_text(app)
        assert "  x = torch.empty(2, 2, 3)" in text and "```" not in text  # a code block, indented
        back = screen.query_one("#back").render()
        code_at = back.plain.index("torch.empty")
        assert any(s.start <= code_at < s.end and "$text" in str(s.style) for s in back.spans)  # highlighted


async def test_the_snippet_is_highlighted_by_textual(db_url):
    app = live_app(db_url, EN_LIVE)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        code = app.screen.query_one("#code").render()
        styles = {str(span.style) for span in code.spans}
        assert "$text-warning" in styles  # numbers, as Textual's highlighter colours them
        assert code.plain.endswith("t0.mul_(t0).shape")


async def test_hostile_card_text_is_shown_as_it_is_written(db_url, notes_deck):
    app = live_app(db_url, "Notes")
    app.service.sync_deck(read_toml_deck(notes_deck))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = app.screen
        if screen.card.id != "notes:evil":
            await press(app, pilot, "minus")
        assert screen.card.id == "notes:evil"
        await press(app, pilot, "enter")
        text = screen_text(app)
        assert "a[/]b [link=https://evil.example]click[/link] [bold]x[/bold] [/]" in text
        assert "esc^[[31m red ^[]52;c;aGk=^G [i]" in text
        front = screen.query_one("#front").render()
        assert not [s for s in front.spans if "link" in str(s.style)]


async def test_no_color_keeps_the_verdict_and_the_code_readable(db_url, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = live_app(db_url, EN_LIVE)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "▌ t0.mul_(t0).shape" in text  # the snippet is set apart by a bar, not by colour
        await press(app, pilot, "c", "enter")
        text = screen_text(app)
        assert "✓ Correct" in text and "▶ 3 Good" in text


# -- 5. the browser and the import screen --------------------------------------------------------


async def test_after_an_import_the_path_box_keeps_the_focus_and_dry_run_reads_without_colour(db_url, tmp_path):
    from quizapp.tui.widgets.checkbox import MarkedCheckbox

    deck = tmp_path / "notes.toml"
    deck.write_text(NOTES_DECK, encoding="utf-8")
    app = make_app(Settings(database_url=db_url, user="tester", start_kernel=False))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "i")
        screen = app.screen
        box = screen.query_one(MarkedCheckbox)
        assert "▐ ▌" in screen_text(app) and not box.value
        path = screen.query_one("#import-path")
        path.value = str(deck)
        await press(app, pilot, "enter")
        assert "✓ Added 2" in screen_text(app)
        assert app.focused is path  # not the dry-run box
        assert len(app.service.cards("Notes")) == 2
        await press(app, pilot, "tab", "space")
        assert box.value and "▐X▌" in screen_text(app)
        await press(app, pilot, "shift+tab")
        assert app.focused is path
