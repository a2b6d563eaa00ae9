"""The card browser driven with Textual's Pilot; every action is checked in
the database and against what the review serves next."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from textual.widgets import DataTable, Input, Static, TextArea

from quizapp.domain import Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import Service
from quizapp.settings import Settings
from quizapp.store.engine import make_engine
from quizapp.store.models import Card, CardState
from quizapp.tui.app import make_app

SIZE = (100, 30)
DECK = "PyTorch (ES)::Broadcasting"


@pytest.fixture
def service(db_url, small_deck, clock):
    s = Service(make_engine(db_url), "tester", clock=clock)
    s.sync_builtin_decks()
    s.sync_deck(read_toml_deck(small_deck))  # the learner's own cards: source toml:small
    return s


@pytest.fixture
def app(db_url, service):
    return make_app(Settings(database_url=db_url, user="tester", start_kernel=False), service=service)


async def settle(app, pilot):
    for _ in range(3):  # a search posts its rows, then loads the highlighted card
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_browser(app, pilot, query: str):
    await settle(app, pilot)
    await pilot.press("b")
    await settle(app, pilot)
    assert type(app.screen).__name__ == "BrowseScreen"
    assert isinstance(app.focused, DataTable)  # the results: the footer's keys work
    await pilot.press("slash")  # "/" moves to the search box, and types nothing
    assert isinstance(app.focused, Input) and app.focused.value == ""
    await pilot.press(*query, "enter")
    await settle(app, pilot)
    return app.screen


def results(screen) -> list[str]:
    table = screen.query_one("#browse-results", DataTable)
    return [str(key.value) for key in table.rows]


def highlighted(screen) -> str:
    table = screen.query_one("#browse-results", DataTable)
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def state(service, card_id) -> CardState | None:
    with Session(service.engine) as session:
        return session.get(CardState, (service.user_id, card_id))


async def test_search_then_suspend_and_the_review_skips_it(app, service):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(app, pilot, f'deck:"{DECK}"')
        expected = [row.id for row in service.search_cards(f'deck:"{DECK}"')]
        assert results(screen) == expected and len(expected) > 3
        assert isinstance(app.focused, DataTable)  # Enter moved to the results
        status = str(screen.query_one("#browse-status", Static).render())
        assert f"{len(expected)} cards" in status
        first = highlighted(screen)
        assert service.next_card(DECK).id == first  # new cards come in the author's order
        assert "Front" in str(screen.query_one("#browse-card", Static).render())

        await pilot.press("at")
        await settle(app, pilot)
        assert state(service, first).suspended
        assert service.next_card(DECK).id != first
        row = screen.query_one("#browse-results", DataTable).get_row(first)
        assert row[-1] == "S"  # flags as text, not colour
        assert highlighted(screen) == first  # the cursor stays on the card

        await pilot.press("at")  # toggles back
        await settle(app, pilot)
        assert not state(service, first).suspended
        assert service.next_card(DECK).id == first

        await pilot.press("minus")
        await settle(app, pilot)
        assert state(service, first).buried_until is not None
        assert service.next_card(DECK).id != first
        assert screen.query_one("#browse-results", DataTable).get_row(first)[-1] == "B"


async def test_edit_a_learner_card_in_the_modal(app, service):
    service.answer("small:one", Rating.GOOD)
    before = state(service, "small:one").model_dump()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(app, pilot, "id:small:one")
        assert results(screen) == ["small:one"]
        history = screen.query_one("#browse-history", DataTable)
        assert history.row_count == 1 and history.get_row_at(0)[1] == "Good"
        await pilot.press("e")
        await settle(app, pilot)
        editor = app.screen
        assert type(editor).__name__ == "EditCardScreen"
        assert editor.query_one("#edit-front", TextArea).text == "1?"
        editor.query_one("#edit-front", TextArea).text = "What is one?"
        editor.query_one("#edit-back", TextArea).text = "uno"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        with Session(service.engine) as session:
            card = session.get(Card, "small:one")
            assert (card.front, card.back) == ("What is one?", "uno")
        assert state(service, "small:one").model_dump() == before  # the schedule is untouched
        assert "What is one?" in str(screen.query_one("#browse-card", Static).render())
        assert str(screen.query_one("#browse-results", DataTable).get_row("small:one")[1]) == "What is one?"

        await pilot.press("e")  # Escape cancels: nothing changes
        await settle(app, pilot)
        app.screen.query_one("#edit-front", TextArea).text = "discarded"
        await pilot.press("escape")
        await settle(app, pilot)
        assert service.card("small:one").front == "What is one?"


async def test_builtin_cards_are_not_edited_or_moved(app, service):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(app, pilot, f'deck:"{DECK}"')
        first = highlighted(screen)
        text = service.card(first).front
        await pilot.press("e")
        await settle(app, pilot)
        assert app.screen is screen  # no editor
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen is screen
        notices = [n.message for n in app._notifications]
        assert any("Built-in cards can't be edited" in n for n in notices)
        assert any("Built-in cards can't be moved" in n for n in notices)
        assert service.card(first).front == text and service.card(first).deck == DECK


async def test_reset_asks_first(app, service):
    service.answer("small:one", Rating.EASY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(app, pilot, "id:small:one")
        await pilot.press("r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        assert "Reset this card to new?" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(app, pilot)
        assert state(service, "small:one") is not None
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is screen
        assert state(service, "small:one") is None
        assert screen.query_one("#browse-results", DataTable).get_row("small:one")[2] == "new"
        assert screen.query_one("#browse-history", DataTable).row_count == 1  # history kept


async def test_change_deck(app, service):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(app, pilot, "id:small:one")
        await pilot.press("d")
        await settle(app, pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "DeckScreen"
        dialog.query_one(Input).value = "Mine::Moved"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert service.card("small:one").deck == "Mine::Moved"
        assert "Mine::Moved" in [c.name for c in service.deck_counts()]


async def test_bad_query_shows_one_line_and_keeps_results(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_browser(app, pilot, "deck:Small")
        shown = results(screen)
        assert shown
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        app.focused.value = "is:whatever"
        await pilot.press("enter")
        await settle(app, pilot)
        status = str(screen.query_one("#browse-status", Static).render())
        assert status.startswith("✗ is:whatever is not understood") and "\n" not in status
        assert results(screen) == shown
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_browse_is_in_the_command_palette(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Browse cards" in commands
        commands["Browse cards"].callback()
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BrowseScreen"
