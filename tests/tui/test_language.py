"""The interface language in the TUI: chosen on the settings screen, applied
at once when saved, and no English left on the screens in Spanish (nor
Spanish in English)."""

from __future__ import annotations

import pytest

from quizapp.service import open_service
from quizapp.settings import Settings
from quizapp.store.models import UserSettings
from quizapp.tui.app import make_app

SIZE = (80, 24)


@pytest.fixture
def settings(db_url):
    return Settings(database_url=db_url, user="tester", start_kernel=False)


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


def rendered(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def deck_rows(app) -> list[str]:
    return [str(key.value) for key in app.screen.query_one("#decks").rows]


def footer_keys(app) -> set[str]:
    return {active.binding.description for active in app.screen.active_bindings.values() if active.binding.show}


async def test_switching_to_spanish_on_the_settings_screen_rebuilds_the_interface(settings, engine):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert rendered(app.screen, "#home-title") == "Decks"
        assert deck_rows(app)[0] == "PyTorch (EN)"
        await pilot.press("o")
        await settle(app, pilot)
        screen = app.screen
        assert rendered(screen, "#settings-title") == "Settings"
        assert screen.query_one("#setting-language").value == "auto"
        screen.query_one("#setting-language").value = "es"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        # Back home, in Spanish, with the Spanish deck.
        assert type(app.screen).__name__ == "HomeScreen"
        assert rendered(app.screen, "#home-title") == "Mazos"
        assert deck_rows(app)[0] == "PyTorch (ES)"
        assert not any(name.startswith("PyTorch (EN)") for name in deck_rows(app))
        assert {"Salir", "Importar", "Explorar"} <= footer_keys(app)
        assert "Intro estudia" in rendered(app.screen, "#home-status")
    from sqlmodel import Session

    with Session(engine) as session:
        row = session.get(UserSettings, app.service.user_id)
        assert row is not None and row.language == "es" and row.other_language_deck is False


async def test_the_other_languages_deck_can_be_turned_on(settings, engine):
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        app.screen.query_one("#setting-other-deck").value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        names = deck_rows(app)
        assert "PyTorch (EN)" in names and "PyTorch (ES)" in names
    assert app.service.other_language_deck() is True


@pytest.mark.parametrize(
    ("language", "wanted", "unwanted"),
    [
        ("es", ["Buscar:", "tarjetas", "Mazo", "Anverso", "Volver"], ["Search", "cards", "Front", "Back"]),
        ("en", ["Search:", "cards", "Deck", "Front", "Back"], ["Buscar", "tarjetas", "Mazo", "Anverso"]),
    ],
)
async def test_the_browser_speaks_one_language(settings, language, wanted, unwanted):
    open_service(settings).set_interface_language(language)
    app = make_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#browse-results")
        text = " ".join(
            [
                screen.query_one("#browse-query").placeholder,
                rendered(screen, "#browse-status"),
                " ".join(str(column.label) for column in table.columns.values()),
                rendered(screen, "#browse-card"),
                " ".join(footer_keys(app)),
            ]
        )
        text_without_cards = text.replace("Broadcasting", "")
        for word in wanted:
            assert word in text_without_cards, (word, text)
        words = set(text_without_cards.replace(":", " ").split())
        for word in unwanted:
            assert word not in words, (word, text)


async def test_statistics_and_summary_in_spanish(settings):
    from quizapp.session import SessionStats
    from quizapp.tui.screens.summary import SummaryScreen

    open_service(settings).set_interface_language("es")
    app = make_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        await settle(app, pilot)
        title = rendered(app.screen, "#stats-title")
        assert "Estadísticas de tester · día de estudio" in title and "los días empiezan a las 04:00" in title
        assert "Racha de 0 días" in rendered(app.screen, "#stats-today")
        assert "Hoy" in rendered(app.screen, "#forecast-numbers")
        await pilot.press("escape")
        await settle(app, pilot)
        app.push_screen(SummaryScreen(None, SessionStats(started=0.0, ended=5.0), finished=False))
        await settle(app, pilot)
        summary = rendered(app.screen, "#summary")
        assert "Sesión terminada." in summary and "Todos los mazos" in summary and "Tarjetas repasadas: 0" in summary
        assert {"Mazos", "Salir"} <= footer_keys(app)


async def test_import_and_confirm_in_spanish(settings):
    from quizapp.tui.screens.confirm import ConfirmScreen

    open_service(settings).set_interface_language("es")
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        assert "Importar mazos" in rendered(app.screen, "#import-title")
        assert app.screen.query_one("#import-path").placeholder.startswith("Ruta de un archivo")
        await pilot.press("escape")
        await settle(app, pilot)
        answers: list[bool | None] = []
        app.push_screen(ConfirmScreen("¿Seguro?"), answers.append)
        await settle(app, pilot)
        assert {str(b.label) for b in app.screen.query("Button")} == {"No (n)", "Sí (y)"}
        assert {"Sí", "No"} <= footer_keys(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert answers == [True]


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 card matches id:pytorch-en:ml-what", "2 cards match id:pytorch-en:ml-wh*"),
        ("es", "1 tarjeta coincide con id:pytorch-en:ml-what", "2 tarjetas coinciden con id:pytorch-en:ml-wh*"),
    ],
)
async def test_the_browser_counts_in_the_singular_and_the_plural(settings, language, one, two):
    open_service(settings).set_interface_language(language)
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        for query, expected in (("id:pytorch-en:ml-what", one), ("id:pytorch-en:ml-wh*", two)):
            app.screen.action_focus_search()
            app.screen.query_one("#browse-query").value = query
            await pilot.press("enter")
            await settle(app, pilot)
            assert rendered(app.screen, "#browse-status") == expected
