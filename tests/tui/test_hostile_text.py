"""Text from outside is data: deck names, card texts, file names, searches and
errors reach the screen as plain text (never Rich/Textual markup), with their
control characters shown visibly (issue 9, items 2 and 3)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import Session, select

from quizapp.settings import Settings
from quizapp.store.models import Card
from quizapp.tui.app import make_app

SIZE = (100, 30)

HOSTILE_DECK = """\
format = 1
[deck]
id = "evil"
name = "Evil [/] deck"

[[cards]]
id = "closing"
front = "a[/]b"
back = "[bold]not bold[/bold]"
tags = ["[/]tag"]

[[cards]]
id = "brackets"
front = "x[i] + y[mask]"
back = "ok"

[[cards]]
id = "escapes"
front = "title\\u001b]2;PWNED\\u0007 blink\\u001b[5m on"
back = "clip\\u001b]52;c;aGk=\\u0007 del\\u007f csi\\u009b"
"""


@pytest.fixture
def settings(db_url):
    return Settings(database_url=db_url, user="tester", start_kernel=False)


@pytest.fixture
def hostile_deck(tmp_path) -> Path:
    path = tmp_path / "evil.toml"
    path.write_text(HOSTILE_DECK, encoding="utf-8")
    return path


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def rendered(widget) -> str:
    return str(widget.render())


def cells(table) -> list[str]:
    return [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]


def shown_on_screen(app) -> str:
    """Everything the screen shows (lines of the last frame)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def imported(app, path: Path) -> None:
    report = app.service.import_paths([path])
    assert report.ok, report.errors


async def test_a_deck_named_with_markup_shows_on_home(settings, hostile_deck):
    app = make_app(settings)
    imported(app, hostile_deck)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#decks")
        assert "Evil [/] deck" in cells(table)
    assert app.return_code in (None, 0)


async def test_browser_shows_fronts_with_brackets_as_written(settings, hostile_deck):
    app = make_app(settings)
    imported(app, hostile_deck)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_browse()
        await settle(app, pilot)
        table = app.screen.query_one("#browse-results")
        shown = cells(table)
        assert "a[/]b" in shown
        assert "x[i] + y[mask]" in shown  # not "x + y"
        assert any("Evil [/] deck" in c for c in shown)
        # The detail pane loads in its own worker, started once the rows are shown.
        for _ in range(50):
            card = rendered(app.screen.query_one("#browse-card"))
            if card:
                break
            await settle(app, pilot)
        assert "a[/]b" in card and "[bold]not bold[/bold]" in card and "[/]tag" in card
    assert app.return_code in (None, 0)


async def test_a_search_with_markup_is_shown_as_typed(settings, hostile_deck):
    app = make_app(settings)
    imported(app, hostile_deck)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_browse()
        await settle(app, pilot)
        await pilot.press("slash", *"x[/]", "enter")  # "/" to the search box (the browser opens on its results)
        await settle(app, pilot)
        assert rendered(app.screen.query_one("#browse-status")) == "0 cards match x[/]"
    assert app.return_code in (None, 0)


async def test_importing_a_file_named_with_markup(settings, tmp_path):
    path = tmp_path / "x[a=b=c].toml"
    path.write_text(HOSTILE_DECK.replace('"evil"', '"named"').replace("a[/]b", "a[/]b?"), encoding="utf-8")
    broken = tmp_path / "y[b=c=d] [bold].toml"
    broken.write_text("format = 1\n[deck\n", encoding="utf-8")
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_import()
        await settle(app, pilot)
        app.screen.query_one("#import-path").value = str(path)  # as typed or pasted
        await pilot.press("enter")
        await settle(app, pilot)
        assert rendered(app.screen.query_one("#import-status")).startswith("✓ Added 3")
        app.screen.query_one("#import-path").value = str(broken)
        app.screen.query_one("#import-path").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "y[b=c=d] [bold].toml" in rendered(app.screen.query_one("#import-report"))
    assert app.return_code in (None, 0)


async def test_an_error_with_markup_is_notified_as_written(settings, monkeypatch):
    app = make_app(replace(settings, start_in_review=True))

    def boom(*args, **kwargs):
        raise RuntimeError("disk [/] on fire [bold]\x1b]2;x\x07")

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.service, "answer", boom)
        await pilot.press("enter", "enter")  # show, then accept: the save fails
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert "Error saving the answer: RuntimeError: disk [/] on fire [bold]^[]2;x^G" in messages
        assert "\x1b" not in shown_on_screen(app)
    assert app.return_code in (None, 0)


async def test_review_shows_brackets_and_no_control_characters(settings, hostile_deck, engine):
    app = make_app(replace(settings, start_in_review=True, review_deck="Evil [/] deck"))
    imported(app, hostile_deck)
    with Session(engine) as session:  # a card stored before import cleaned text (an old database)
        card = session.exec(select(Card).where(Card.front.startswith("x[i]"))).one()  # type: ignore[union-attr]
        card.back = "raw\x1b[5mblink\x07"
        session.add(card)
        session.commit()
    seen = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await settle(app, pilot)
            await pilot.press("enter")  # show the answer
            await pilot.pause()
            seen.append(rendered(app.screen.query_one("#front")) + "\n" + rendered(app.screen.query_one("#back")))
            seen.append(rendered(app.screen.query_one("#progress")))
            frame = shown_on_screen(app)
            assert not any(0x80 <= ord(c) < 0xA0 or (ord(c) < 0x20 and c not in "\n\t") for c in frame)
            await pilot.press("enter")  # accept the suggested grade
    everything = "\n".join(seen)
    assert "x[i] + y[mask]" in everything
    assert "Evil [/] deck" in everything
    assert "title^[]2;PWNED^G blink^[[5m on" in everything
    assert "clip^[]52;c;aGk=^G del^? csiM-^[" in everything
    assert "raw^[[5mblink^G" in everything  # neutralised again at display
    assert "\x1b" not in everything and "\x07" not in everything
    assert app.return_code in (None, 0)


async def test_a_huge_card_is_cut_on_screen(settings, engine, hostile_deck):
    app = make_app(replace(settings, start_in_review=True, review_deck="Evil [/] deck"))
    imported(app, hostile_deck)
    with Session(engine) as session:  # bigger than any import lets in
        for card in session.exec(select(Card)):
            card.front = "word " * 20_000
            session.add(card)
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        front = rendered(app.screen.query_one("#front"))
        assert len(front) < 20_000
        assert "more characters not shown]" in front


def test_a_crashed_tui_exits_non_zero(monkeypatch, db_url, capsys):
    """Textual prints the traceback of an unhandled error and sets return_code;
    `quizapp` passes it on instead of exiting 0."""
    from textual.app import App

    import quizapp.kernel
    from quizapp import cli
    from quizapp.tui.app import QuizApp
    from quizapp.tui.screens.home import HomeScreen

    def crash(self):
        raise RuntimeError("an unhandled error")

    monkeypatch.setattr(quizapp.kernel, "Kernel", lambda: None)  # no torch process
    monkeypatch.setattr(HomeScreen, "on_mount", crash)
    monkeypatch.setattr(QuizApp, "run", lambda self: App.run(self, headless=True, size=SIZE))
    assert cli.main(["--db", db_url]) == 1
    assert "an unhandled error" in capsys.readouterr().err + capsys.readouterr().out


async def test_moving_a_card_to_a_deck_named_with_markup_is_notified(settings, small_deck):
    app = make_app(settings)
    imported(app, small_deck)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_browse()
        await settle(app, pilot)
        await pilot.press("slash")  # the browser opens on its results: "/" goes to the search box
        app.screen.query_one("#browse-query").value = "deck:Small"
        await pilot.press("enter")  # search, then the results have the focus
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        app.screen.query_one("#deck-name").value = "Moved [/] here\x1b[5m"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Moved to Moved [/] here^[[5m." in [n.message for n in app._notifications]
    assert app.return_code in (None, 0)


async def test_a_learner_named_with_markup_and_escapes(settings):
    app = make_app(replace(settings, user="eve[/]\x1b]2;OWNED\x07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.sub_title.startswith("eve[/]^[]2;OWNED^G · ")
        app.action_stats()
        await settle(app, pilot)
        assert rendered(app.screen.query_one("#stats-title")).startswith("Statistics of eve[/]^[]2;OWNED^G · ")
        assert "\x1b" not in shown_on_screen(app)
    assert app.return_code in (None, 0)


async def test_a_setting_typed_with_markup_is_refused_as_written(settings):
    """A value typed in the settings screen comes back in the refusal as
    typed: `[/]` in a learning step is text, not a closing tag."""
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        screen.query_one("#setting-learning_steps").value = "1m [/]"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert "learning steps: '[/]' is not a step" in rendered(screen.query_one("#settings-status"))
    assert app.return_code in (None, 0)
