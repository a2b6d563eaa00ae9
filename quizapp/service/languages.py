"""Use case: which built-in deck the learner sees. Each built-in deck exists
in Spanish and English; the deck list, the review queue and the counts show
the one in the interface language, unless the learner turned the other one
on (``quizapp settings --other-language-deck on``, or the settings screen).
"""

from __future__ import annotations

import json

from sqlmodel import col, func, select

from quizapp.domain import BUILTIN_SOURCE_PREFIX, other_language_decks
from quizapp.service.context import Context
from quizapp.service.settings import interface_language, other_language_deck
from quizapp.store.models import Card, Deck


def hidden_decks(ctx: Context) -> frozenset[str]:
    """Names of the decks the learner does not see: the built-in deck in the
    other language (see ``domain.other_language_decks``). Reads only the
    decks that hold built-in cards and their parents (indexed)."""
    if other_language_deck(ctx):
        return frozenset()
    language = interface_language(ctx)
    with ctx.read() as session:
        decks = dict(session.exec(select(Deck.id, Deck.name)).all())
        builtin = set(
            session.exec(
                select(Card.deck_id)
                .where(col(Card.source).startswith(BUILTIN_SOURCE_PREFIX, autoescape=True))
                .distinct()
            ).all()
        )
        if not builtin:
            return frozenset()
        names = {decks[i] for i in builtin if i in decks}
        parents = {"::".join(n.split("::")[:k]) for n in names for k in range(1, n.count("::") + 1)}
        wanted = [i for i, name in decks.items() if name in names or name in parents]
        rows = session.exec(
            select(Card.deck_id, Card.source, func.min(Card.data))
            .where(col(Card.active) == True, col(Card.deck_id).in_(wanted))  # noqa: E712
            .group_by(col(Card.deck_id), col(Card.source))
        ).all()
    contents: dict[str, list[tuple[str, str | None]]] = {}
    for deck_id, source, data in rows:
        contents.setdefault(decks[deck_id], []).append((source, _language(source, data)))
    return other_language_decks(language, names | parents, contents)


def shown_filter(ctx: Context, deck: str | None) -> frozenset[str]:
    """The decks to leave out when studying or counting ``deck`` (None: all
    decks): the hidden ones, unless the learner chose one of them."""
    hidden = hidden_decks(ctx)
    if deck is not None and any(deck == h or deck.startswith(h + "::") for h in hidden):
        return frozenset()
    return hidden


def _language(source: str, data: str | None) -> str | None:
    """A built-in card's language (its deck's ``lang``); None for other cards."""
    if not source.startswith(BUILTIN_SOURCE_PREFIX) or not data:
        return None
    try:
        lang = json.loads(data).get("lang")
    except (ValueError, AttributeError):
        return None
    return lang if isinstance(lang, str) else None
