"""Card ids that survive edits.

The plugin keys cards by their position in the note. quizapp keys them by
what does not change when a card is edited, so progress survives edits:

* ``<source>#q-<hash>`` for question cards, where ``<hash>`` is a SHA-1 of
  the question (tags and comments removed) normalised: accents removed,
  case folded, every character that is not a letter or a digit taken as a
  space, spaces collapsed. Editing the answer, or the question's case,
  whitespace, punctuation or accents, keeps the id. The other side of a
  reversed card is ``...::rev``; moving a card between ``::``, ``:::``,
  ``?`` and ``??`` forms, or to another deck, keeps its id too.
* ``<source>#z-<hash>::c<n>`` for clozes: the hash of the text with every
  deletion (answer and hint) removed, and the cloze's number (its number if
  written, else its order in the paragraph). Editing what a deletion hides
  keeps the id.
* ``<source>#code-<hash>`` for code cards (the code, normalised the same way).
* A card whose text carries an Obsidian block id (``... ^tensor-shape``) is
  ``<source>#^tensor-shape`` (plus ``::rev``/``::c<n>``) whatever its text:
  the way to rewrite a question freely and keep its schedule.
* Two cards with the same key in a note are told apart by position: the
  first keeps the key, the next get ``~2``, ``~3``...

Re-importing an unchanged note gives the same ids. Rewriting a question's
words gives a new id (the plugin itself keys by position; an importer that
never sees the database cannot match the old card), unless a block id is used.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

from quizapp.importers.base import ParsedCard

__all__ = ["Question", "assign_ids", "key_hash", "normalize"]


@dataclass
class Question:
    """A question turned into cards, before ids are given."""

    key: str  # what the id hashes (or "^blockid")
    line: int
    deck: str
    tags: tuple[str, ...]
    cards: list[tuple[str, str, str, str, dict]] = field(default_factory=list)  # (suffix, kind, front, back, data)


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: what an id hashes."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category.startswith("M"):
            continue
        out.append(char.casefold() if category[0] in "LN" else " ")
    return " ".join("".join(out).split())


def key_hash(text: str) -> str:
    """The 12 hex digits of an id: the SHA-1 of ``text`` normalised."""
    key = normalize(text) or " ".join(text.split())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def assign_ids(source: str, questions: list[Question]) -> list[ParsedCard]:
    """The cards of ``questions``, each with its id under ``source``."""
    seen: dict[str, int] = {}
    cards: list[ParsedCard] = []
    for q in questions:
        count = seen.get(q.key, 0) + 1
        seen[q.key] = count
        base = f"{source}#{q.key}" + (f"~{count}" if count > 1 else "")
        for suffix, kind, front, back, data in q.cards:
            cards.append(
                ParsedCard(
                    base + suffix, deck=q.deck, kind=kind, front=front, back=back, data=data, tags=q.tags, line=q.line
                )
            )
    return cards
