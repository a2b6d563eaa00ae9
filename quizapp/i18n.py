"""The interface language: GNU gettext catalogs, Spanish and English.

Interface strings are written in English and wrapped in ``_()`` where they are
shown (``N_()`` marks a string defined earlier, such as a binding's
description, for translation when shown). The Spanish catalog lives in
``quizapp/locale/es/LC_MESSAGES/quizapp.po`` and is compiled to the ``.mo``
beside it by ``.ci/update-translations``; English needs no catalog.

The language is chosen once per process: from the learner's setting once the
database is open (``quizapp settings --language``), else from the locale
(``QUIZAPP_LANGUAGE``, then gettext's ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``). Deck content is not translated here: each
built-in deck exists in both languages.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
DOMAIN = "quizapp"
LOCALE_DIR = Path(__file__).parent / "locale"

_ENVIRONMENT = ("QUIZAPP_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """The interface language the environment asks for: the first of
    ``_ENVIRONMENT`` that is set decides ("es_ES.UTF-8" -> "es"; "C" or an
    unsupported language -> English). ``LANGUAGE`` may list several
    (``fr:es``): the first supported one wins."""
    env = os.environ if environ is None else environ
    for name in _ENVIRONMENT:
        value = env.get(name, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
        if name != "LANGUAGE":  # LANGUAGE with nothing usable falls through, as gettext does
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    """Show the interface in ``language`` ("es" or "en") from now on."""
    global _translation, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown interface language {language!r} (choose from {', '.join(LANGUAGES)})")
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language


def current_language() -> str:
    """The interface language in use ("es" or "en")."""
    return _language


def _(message: str) -> str:
    """``message`` (English) in the interface language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, translated."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (it is
    passed to ``_()`` where it is shown)."""
    return message
