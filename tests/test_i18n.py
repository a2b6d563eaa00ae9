"""The interface language: choosing it, and the Spanish catalog being whole,
compiled and safe to format."""

from __future__ import annotations

import gettext
import io
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import quizapp
from quizapp import i18n
from quizapp.settings import Settings

PACKAGE = Path(quizapp.__file__).parent
PO = i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "quizapp.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),
        ({"LANGUAGE": "fr", "LANG": "es_MX.UTF-8"}, "es"),  # nothing usable in LANGUAGE: fall through
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "es_ES.UTF-8"}, "en"),
        ({"QUIZAPP_LANGUAGE": "es", "LC_ALL": "en_US.UTF-8"}, "es"),
        ({"LANG": "es_AR@euro"}, "es"),
    ],
)
def test_language_from_locale(environ, expected):
    assert i18n.language_from_locale(environ) == expected


def test_set_language_translates_and_refuses_unknown_ones():
    i18n.set_language("es")
    assert i18n.current_language() == "es"
    assert i18n._("Quit") == "Salir"
    i18n.set_language("en")
    assert i18n._("Quit") == "Quit"
    with pytest.raises(ValueError, match="unknown interface language 'fr'"):
        i18n.set_language("fr")
    assert i18n.current_language() == "en"


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def _source_messages() -> dict[str, tuple[str, int]]:
    """Every message wrapped for translation in quizapp/, with where it is."""
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        msgid = message[0] if isinstance(message, tuple) else message  # a plural is filed under its singular
        if msgid:
            found.setdefault(msgid, (filename, lineno))
    return found


def test_every_interface_string_has_a_spanish_translation():
    catalog = _catalog()
    missing = []
    for msgid, (filename, lineno) in _source_messages().items():
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy or not all(entry.string):
            missing.append(f"{filename}:{lineno}: {msgid!r}")
    assert not missing, "untranslated (run .ci/update-translations, then translate):\n" + "\n".join(missing)


def test_compiled_catalog_matches_the_po_file():
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with MO.open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == fresh._catalog, "the .mo is stale: run .ci/update-translations"  # type: ignore[attr-defined]


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_translations_keep_the_placeholders():
    for entry in _catalog():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for translated in strings:
            assert _fields(translated) <= wanted, f"{entry.id!r}: {translated!r} has other placeholders"
            assert translated.count("%") == ids[0].count("%"), f"{entry.id!r}: {translated!r}"


def test_the_learners_language_is_stored_and_used_by_the_cli(db_url, capsys, monkeypatch):
    from quizapp.cli import main

    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for name in ("QUIZAPP_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--db", db_url, "settings", "--json"]) == 0
    assert '"language": "en"' in capsys.readouterr().out
    assert main(["--db", db_url, "settings", "--language", "es"]) == 0
    assert "Idioma de la interfaz: es" in capsys.readouterr().out  # the rest of the output too
    assert main(["--db", db_url, "settings", "--json"]) == 0
    assert '"language": "es"' in capsys.readouterr().out
    assert main(["--db", db_url, "settings", "--language", "auto", "--json"]) == 0
    assert '"language": "en"' in capsys.readouterr().out
    assert main(["--db", db_url, "settings", "--language", "fr"]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_an_unknown_stored_language_falls_back_to_the_locale(db_url, monkeypatch):
    from quizapp.service import open_service
    from quizapp.store.models import UserSettings

    monkeypatch.setenv("QUIZAPP_LANGUAGE", "es")
    service = open_service(Settings(database_url=db_url, user="ana", sync_builtin_decks=False))
    service.set_interface_language("en")
    with service.ctx.write() as session:  # edited by hand
        row = session.get(UserSettings, service.ctx.user_id)
        row.language = "xx"
    assert service.interface_language() == "es"


async def test_the_app_shows_its_keys_in_the_learners_language(db_url):
    from quizapp.service import open_service
    from quizapp.tui.app import make_app

    settings = Settings(database_url=db_url, user="ana", start_kernel=False)
    open_service(settings).set_interface_language("es")
    app = make_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        descriptions = {active.binding.description for active in app.screen.active_bindings.values()}
        assert {"Salir", "Importar", "Estadísticas"} <= descriptions
        assert "Quit" not in descriptions
