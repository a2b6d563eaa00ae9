"""Where a package's cards go: the decks they use (with their ancestors and
descriptions), ``--deck``, and the source.

``source`` is ``apkg:`` + the top-level deck(s) of the imported cards (e.g.
``apkg:PyTorch``), not the file name: re-importing a new export of the same
Anki deck, under any file name, updates the cards it imported before and
retires the ones deleted in Anki.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from quizapp.importers.apkg.collection import Decks
from quizapp.importers.apkg.problems import Warnings
from quizapp.importers.base import ANKI_KEPT, ParsedCard, ParsedDeck, ParsedReview


def to_parsed_deck(
    path: Path,
    cards: list[ParsedCard],
    reviews: list[ParsedReview],
    decks: Decks,
    warnings: Warnings,
    target_deck: str | None,
) -> ParsedDeck:
    """The ParsedDeck of ``cards``; ``target_deck`` renames their top-level
    deck, or holds them when they come from several."""
    target = target_deck.strip() if target_deck and target_deck.strip() else None
    descriptions = {name: desc for name, desc in decks.values()}
    used = sorted({c.deck for c in cards}, key=lambda n: n.split("::"))
    tops = sorted({name.split("::")[0] for name in used})
    source = "apkg:" + (" + ".join(tops) if tops else path.stem)
    names: dict[str, str] = {}
    for name in used:
        parts = name.split("::")
        for depth in range(1, len(parts) + 1):
            ancestor = "::".join(parts[:depth])
            names.setdefault(ancestor, descriptions.get(ancestor, ""))
    if target:
        rename = _renamer(target, tops)
        cards = [replace(c, deck=rename(c.deck)) for c in cards]
        names = {rename(n): d for n, d in names.items()}
        if len(tops) != 1:
            names.setdefault(target, "")
    return ParsedDeck(
        source=source, path=path, cards=cards, decks=names, reviews=reviews, warnings=warnings.problems, kept=ANKI_KEPT
    )


def _renamer(target: str, tops: list[str]) -> Callable[[str], str]:
    if len(tops) == 1:
        top = tops[0]
        return lambda name: target + name[len(top) :]
    return lambda name: f"{target}::{name}"
