"""The settings screen edits the preset of a chosen deck: open on the
highlighted deck, name a new preset, choose an existing one for another
deck, see each deck's own values; checked in the database (Pilot)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from textual.widgets import DataTable, Input, Select

from quizapp.settings import Settings
from quizapp.store.models import Deck, DeckPreset, Preset
from quizapp.tui.app import make_app

SIZE = (80, 24)
ES = "PyTorch (ES)::Broadcasting"
EN = "PyTorch (EN)::Broadcasting"


@pytest.fixture
def settings(db_url):
    from quizapp.service import open_service

    settings = Settings(database_url=db_url, user="tester", start_kernel=False)
    open_service(settings).set_other_language_deck(True)  # the tests use both built-in decks
    return settings


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def stored(app):
    with Session(app.service.engine) as session:
        presets = {p.name: p.new_per_day for p in session.exec(select(Preset))}
        assigned = dict(
            session.exec(
                select(Deck.name, Preset.name)
                .join(DeckPreset, DeckPreset.deck_id == Deck.id)
                .join(Preset, Preset.id == DeckPreset.preset_id)
            ).all()
        )
    return presets, assigned


async def open_on(app, pilot, deck: str):
    """Highlight ``deck`` on home and press o."""
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(deck))
    await pilot.press("o")
    await settle(app, pilot)
    assert type(app.screen).__name__ == "SettingsScreen"
    return app.screen


async def test_a_new_preset_for_the_highlighted_deck(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_on(app, pilot, ES)
        assert screen.query_one("#settings-deck", Select).value == ES
        assert screen.query_one("#settings-preset", Select).value == "Default"
        assert "every deck not assigned another" in str(screen.query_one("#settings-preset-decks").render())
        name = screen.query_one("#settings-new-preset", Input)
        name.focus()
        await pilot.press(*"Light", "enter")
        await pilot.pause()
        assert screen.query_one("#settings-preset", Select).value == "Light"
        assert "Saving assigns it to PyTorch (ES)::Broadcasting" in str(
            screen.query_one("#settings-preset-decks").render()
        )
        screen.query_one("#setting-new_per_day", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert stored(app) == ({"Default": 20, "Light": 3}, {ES: "Light"})
        rows = {c.name: c for c in app.service.deck_counts()}
        assert rows[ES].new == 3 and rows[EN].new == min(rows[EN].total, 20) > 3
        assert rows["PyTorch (ES)"].new == 20
        # The home screen shows the deck's own limit.
        table = app.screen.query_one(DataTable)
        assert str(table.get_row(ES)[1]) == "3"


async def test_an_existing_preset_for_another_deck_and_each_decks_values(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.service.create_preset("Light", new_per_day=4)
        app.service.assign_preset([ES], "Light")
        screen = await open_on(app, pilot, EN)
        deck = screen.query_one("#settings-deck", Select)
        preset = screen.query_one("#settings-preset", Select)
        new_per_day = screen.query_one("#setting-new_per_day", Input)
        assert (preset.value, new_per_day.value) == ("Default", "20")
        deck.value = ES  # another deck: its own preset and values
        await pilot.pause()
        assert (preset.value, new_per_day.value) == ("Light", "4")
        assert "Used by: PyTorch (ES)::Broadcasting" in str(screen.query_one("#settings-preset-decks").render())
        deck.value = EN
        await pilot.pause()
        preset.value = "Light"  # choose the shared preset for EN
        await pilot.pause()
        assert new_per_day.value == "4"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert stored(app) == ({"Default": 20, "Light": 4}, {ES: "Light", EN: "Light"})


async def test_a_bad_preset_name_is_refused_in_place(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_on(app, pilot, ES)
        name = screen.query_one("#settings-new-preset", Input)
        name.focus()
        await pilot.press(*"Default", "enter")
        await pilot.pause()
        assert "✗ a preset named 'Default' already exists" in str(screen.query_one("#settings-status").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert stored(app) == ({"Default": 20}, {})


async def test_opens_with_the_highlighted_decks_own_preset(settings):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.service.create_preset("Light", new_per_day=4, learning_steps="2m")
        app.service.assign_preset([ES], "Light")
        screen = await open_on(app, pilot, ES)
        assert screen.query_one("#settings-preset", Select).value == "Light"
        assert screen.query_one("#setting-new_per_day", Input).value == "4"
        assert screen.query_one("#setting-learning_steps", Input).value == "2m"
        assert "Used by: PyTorch (ES)::Broadcasting" in str(screen.query_one("#settings-preset-decks").render())
