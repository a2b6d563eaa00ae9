"""Key bindings in the interface language.

Textual reads a class's ``BINDINGS`` when the class is created, before the
learner's language is known; their descriptions are written in English (and
extracted for translation with ``N_``). Each screen, the app and widgets with
bindings translate their own copy when they are made.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from textual.dom import DOMNode

from quizapp.domain import Rating
from quizapp.i18n import N_, _


def localize_bindings(node: DOMNode) -> None:
    """Translate the descriptions and tooltips of ``node``'s bindings.
    ``node._bindings`` is the node's own copy of its class's bindings, so
    this changes nothing for other nodes."""
    bindings = node._bindings
    bindings.key_to_bindings = {
        key: [
            replace(binding, description=_(binding.description), tooltip=_(binding.tooltip) if binding.tooltip else "")
            for binding in key_bindings
        ]
        for key, key_bindings in bindings.key_to_bindings.items()
    }


#: The grade buttons' names, as Anki's Spanish interface shows them.
RATING_LABELS = {
    Rating.AGAIN: N_("Again"),
    Rating.HARD: N_("Hard"),
    Rating.GOOD: N_("Good"),
    Rating.EASY: N_("Easy"),
}

#: Words the service gives in English (a card's state, a flag), shown translated.
WORDS = {
    "new": N_("new"),
    "learning": N_("learning"),
    "review": N_("review"),
    "relearning": N_("relearning"),
    "suspended": N_("suspended"),
    "leech": N_("leech"),
    "buried": N_("buried"),
}


def rating_label(rating: Rating) -> str:
    """A grade's name in the interface language ("Again", "Otra vez")."""
    return _(RATING_LABELS[rating])


def word(english: str) -> str:
    """One of ``WORDS`` translated; anything else as it is."""
    return _(WORDS[english]) if english in WORDS else english


#: Short names of weekdays (Monday first) and months; strftime's would
#: follow the C locale, not the interface language.
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def weekday_name(day: date) -> str:
    """ "Mon", "lun"."""
    return _(WEEKDAYS[day.weekday()])


def month_name(day: date) -> str:
    """ "Dec", "dic"."""
    return _(MONTHS[day.month - 1])


def short_date(day: date) -> str:
    """ "Tue 01 Dec" in the interface language."""
    return f"{weekday_name(day)} {day.day:02d} {month_name(day)}"


def long_date(day: date) -> str:
    """ "Tue 01 Dec 2026" in the interface language."""
    return f"{short_date(day)} {day.year}"
