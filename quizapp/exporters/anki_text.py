"""Write cards as an Anki notes text file (TSV), as Anki's own "Notes in
Plain Text" export writes it (rslib/src/import_export/text/csv/export.rs):

    #separator:tab
    #html:true
    #guid column:1
    #notetype column:2
    #deck column:3
    #tags column:6
    <guid> <note type> <deck> <field 1> <field 2> <tags>

Anki imports it with note types, decks (created as needed) and tags, and
read_anki_text reads it back to the same cards with the same ids: the guid
is ``quizapp:`` + the card id, and a note that came from Anki (``apkg:<guid>``)
gets its own guid back, so Anki updates it in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.anki.cloze import cloze_back
from quizapp.anki.html_text import text_to_html
from quizapp.anki.ids import guid_for_card_id
from quizapp.domain import FLASHCARD_KINDS, NOT_FOR_ANKI
from quizapp.exporters.base import CardLike

__all__ = ["write_anki_text"]

_FIELDS = 2  # every note type written has two fields
_CLOZE_ID = re.compile(r"^(?P<base>.+)::c(?P<n>\d+)$")
_NEEDS_QUOTES = re.compile(r'[\t"\r\n]')


@dataclass
class _Note:
    guid: str
    notetype: str
    deck: str
    fields: list[str]
    tags: list[str] = field(default_factory=list)


def _quote(value: str) -> str:
    # As Anki's csv writer: quote when the field holds a separator, a quote
    # or a line break, or starts with '#' (it would read as a comment).
    if _NEEDS_QUOTES.search(value) or value.startswith("#"):
        return '"' + value.replace('"', '""') + '"'
    return value


def _notes(cards: Iterable[CardLike]) -> tuple[list[_Note], int]:
    notes: dict[str, _Note] = {}
    left_out = 0
    for card in cards:
        kind = card.kind
        if kind in NOT_FOR_ANKI or kind not in FLASHCARD_KINDS or not card.front.strip():
            left_out += 1
            continue
        tags = [t.replace(" ", "_") for t in card.tags]
        cloze = _CLOZE_ID.match(card.id)
        text = card.data.get("text") if isinstance(card.data, dict) else None
        if kind == "cloze" and isinstance(text, str) and text:
            base = cloze.group("base") if cloze else card.id
            if base not in notes:
                n = int(card.data.get("cloze") or (cloze.group("n") if cloze else 1))
                shown = cloze_back(text, n)
                extra = card.back[len(shown) :].lstrip("\n") if card.back.startswith(shown) else ""
                notes[base] = _Note(guid_for_card_id(base), "Cloze", card.deck, [text, extra], tags)
        elif kind == "type":
            answer = card.data.get("answer") if isinstance(card.data, dict) else None
            back = answer if isinstance(answer, str) else card.back
            fields = [card.front, back]
            notes[card.id] = _Note(guid_for_card_id(card.id), "Basic (type in the answer)", card.deck, fields, tags)
        elif card.id.endswith("::rev"):
            base = card.id[: -len("::rev")]
            if base in notes:
                notes[base].notetype = "Basic (and reversed card)"
            else:
                fields = [card.back, card.front]
                notes[base] = _Note(guid_for_card_id(base), "Basic (and reversed card)", card.deck, fields, tags)
        elif card.id in notes:
            # The forward card after its reverse: the note already exists.
            note = notes[card.id]
            note.fields, note.deck, note.tags = [card.front, card.back], card.deck, tags
        else:
            notes[card.id] = _Note(guid_for_card_id(card.id), "Basic", card.deck, [card.front, card.back], tags)
    # Top decks first, then their subdecks, each level in the cards' order:
    # Anki's importer, meeting a row for a parent deck it has already made
    # for a child row, makes a second deck named "Parent+".
    ordered = sorted(notes.values(), key=lambda note: note.deck.count("::"))
    return ordered, left_out


def write_anki_text(cards: Iterable[CardLike], path: Path, *, deck_column: bool = True) -> int:
    """Write ``cards`` to ``path`` as one note per line; return how many cards
    were left out (generated and code cards, which Anki cannot show, and
    cards with an empty front). Without ``deck_column`` the decks are not
    written (a ``#deck`` header names the deck when there is only one)."""
    notes, left_out = _notes(cards)
    header = ["#separator:tab", "#html:true", "#guid column:1", "#notetype column:2"]
    if deck_column:
        header.append("#deck column:3")
    else:
        decks = {note.deck for note in notes}
        if len(decks) == 1:
            header.append(f"#deck:{decks.pop()}")
    meta = 3 if deck_column else 2
    header.append(f"#tags column:{meta + _FIELDS + 1}")
    lines = [*header]
    for note in notes:
        row = [note.guid, note.notetype] + ([note.deck] if deck_column else [])
        row += [text_to_html(value) for value in note.fields]
        row.append(" ".join(dict.fromkeys(note.tags)))
        lines.append("\t".join(_quote(value) for value in row))
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        out.write("\n".join(lines) + "\n")
    return left_out
