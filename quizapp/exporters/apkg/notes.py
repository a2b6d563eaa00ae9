"""quizapp cards grouped back into Anki notes, by the id conventions of
quizapp's readers:

- ``<id>`` and ``<id>::rev`` (basic) -> one "Basic (and reversed card)" note;
- ``<id>::c1``, ``<id>::c2``... (cloze, ``data["text"]`` the cloze text) -> one
  "Cloze" note whose Back Extra is what the cards show after the text;
- type cards -> "Basic (type in the answer)": Front, Back (the answer to
  type) and Back Extra (the card's back);
- other basic cards -> "Basic";
- generated and code cards (quizapp.domain.NOT_FOR_ANKI) are left out: counted.

Note guids come from the card ids (quizapp.anki.ids), so exporting again
gives the same guids and Anki updates its notes instead of adding copies;
cards that came from an Anki package (``apkg:<guid>...``) get their
original guid back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from quizapp.anki.cloze import cloze_back, cloze_numbers
from quizapp.anki.ids import guid_for_card_id
from quizapp.domain import NOT_FOR_ANKI
from quizapp.exporters.apkg.notetypes import BASIC, CLOZE, REVERSED, TYPE_IN, Model
from quizapp.exporters.base import CardLike

__all__ = ["Note", "group_notes"]

_CLOZE_ID = re.compile(r"^(.+)::c(\d+)$")


@dataclass
class Note:
    guid: str
    model: Model
    fields: list[str]
    tags: tuple[str, ...]
    #: (ord, deck name, card id) per card.
    cards: list[tuple[int, str, str]] = field(default_factory=list)


def group_notes(cards: Iterable[CardLike]) -> tuple[list[Note], int]:
    """The notes of ``cards``, and how many cards were left out."""
    left_out = 0
    by_id: dict[str, CardLike] = {}
    for card in cards:
        if card.kind in NOT_FOR_ANKI:
            left_out += 1
            continue
        by_id.setdefault(card.id, card)

    notes: list[Note] = []
    done: set[str] = set()
    guids: set[str] = set()

    def guid(base_id: str) -> str:
        """guid_for_card_id(base_id), unless another note has it already."""
        value = guid_for_card_id(base_id)
        if value in guids:
            value = guid_for_card_id(f"quizapp:again:{base_id}")
        guids.add(value)
        return value

    clozes: dict[str, list[tuple[int, CardLike]]] = {}
    for card_id, card in by_id.items():
        m = _CLOZE_ID.match(card_id)
        if str(card.kind) == "cloze" and m and isinstance((card.data or {}).get("text"), str):
            clozes.setdefault(m.group(1), []).append((int(m.group(2)), card))

    # <id> and <id>::rev, both basic: one reversed note.
    reverses = {
        card_id[: -len("::rev")]: card
        for card_id, card in by_id.items()
        if card_id.endswith("::rev")
        and str(card.kind) == "basic"
        and str(getattr(by_id.get(card_id[: -len("::rev")]), "kind", "")) == "basic"
    }
    paired = {card.id for card in reverses.values()}

    for card_id, card in by_id.items():
        if card_id in done or card_id in paired:
            continue
        kind = str(card.kind)
        m = _CLOZE_ID.match(card_id)
        if kind == "cloze" and m and m.group(1) in clozes:
            siblings = sorted(clozes.pop(m.group(1)), key=lambda s: s[0])
            note = _cloze_note(m.group(1), siblings, guid)
            if note is not None:
                done.update(c.id for _, c in siblings)
                notes.append(note)
                continue
        done.add(card_id)
        if kind == "type":
            answer = str((card.data or {}).get("answer", "")) or card.back
            notes.append(
                Note(guid(card_id), TYPE_IN, [card.front, answer, card.back], _tags(card), [(0, card.deck, card_id)])
            )
        elif card_id in reverses:
            reverse = reverses[card_id]
            notes.append(
                Note(
                    guid(card_id),
                    REVERSED,
                    [card.front, card.back],
                    _tags(card),
                    [(0, card.deck, card_id), (1, reverse.deck, reverse.id)],
                )
            )
        else:
            notes.append(Note(guid(card_id), BASIC, [card.front, card.back], _tags(card), [(0, card.deck, card_id)]))
    return notes, left_out


def _cloze_note(base: str, siblings: list[tuple[int, CardLike]], guid: Callable[[str], str]) -> Note | None:
    first = siblings[0][1]
    text = first.data["text"]
    numbers = cloze_numbers(text)
    if not numbers:
        return None
    # What the cards show after the revealed text is the Back Extra field.
    number, card = siblings[0]
    revealed = cloze_back(text, number)
    extra = card.back[len(revealed) :].strip() if card.back.startswith(revealed) else ""
    decks = {n: c.deck for n, c in siblings}
    ids = {n: c.id for n, c in siblings}
    note = Note(guid(base), CLOZE, [text, extra], _tags(first))
    for n in numbers:
        note.cards.append((n - 1, decks.get(n, first.deck), ids.get(n, f"{base}::c{n}")))
    return note


def _tags(card: CardLike) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip().replace(" ", "_") for t in (card.tags or ()) if t.strip()))
