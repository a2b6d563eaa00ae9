"""A package's notes and cards as ParsedCards.

Ids are stable across re-exports of the same collection:

- a note's first card is ``apkg:<guid>``; the second card of a reversed note
  type is ``apkg:<guid>::rev``; cloze number N is ``apkg:<guid>::cN`` (the
  conventions of quizapp's own decks, so the exporter rebuilds the notes);
  any other card N of a note type with more templates is ``apkg:<guid>::N``.
- the kind comes from the note type's structure (quizapp.anki.notetypes): a
  cloze type gives cloze cards, a ``{{type:Field}}`` template a
  type-the-answer card, anything else a basic card; a type that is not one
  of Anki's standard shapes is read from the first field of each side, with
  a warning.

Field HTML becomes the text the terminal shows (quizapp.anki.html_text),
media names neutralised first (quizapp.anki.media).
"""

from __future__ import annotations

import re
import sqlite3

from quizapp.anki.cloze import cloze_answers, cloze_back, cloze_front, cloze_numbers
from quizapp.anki.collection import DEFAULT_DECK, FIELD_SEPARATOR
from quizapp.anki.errors import Refused
from quizapp.anki.html_text import html_to_text
from quizapp.anki.ids import card_id_for_guid
from quizapp.anki.media import neutralise_media
from quizapp.anki.notetypes import NoteType, cloze_fields
from quizapp.domain import CardKind
from quizapp.importers.apkg.collection import Decks
from quizapp.importers.apkg.problems import Warnings
from quizapp.importers.base import ParsedCard

#: One field of one note (UTF-8 bytes).
MAX_FIELD_BYTES = 2**20
MAX_GUID_CHARS = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def read_cards(
    conn: sqlite3.Connection, note_types: dict[int, NoteType], decks: Decks, warnings: Warnings
) -> tuple[list[ParsedCard], dict[int, str]]:
    """The cards, and Anki card id -> ParsedCard.id (for the review history).

    A field over MAX_FIELD_BYTES refuses the package; notes and cards that
    can't become cards are skipped with a warning. A card in a missing deck
    goes to "Default" (added to ``decks``).
    """
    notes: dict[int, tuple[str, int, tuple[str, ...], list[str]]] = {}
    guids: dict[str, int] = {}
    for nid, guid, mid, tags, flds in conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
        if not isinstance(flds, str):
            raise Refused(f"note {nid}: fields are not text")
        fields = flds.split(FIELD_SEPARATOR)
        for index, value in enumerate(fields):
            if len(value) > MAX_FIELD_BYTES // 4 and len(value.encode("utf-8", "replace")) > MAX_FIELD_BYTES:
                nt = note_types.get(mid)
                label = nt.fields[index] if nt and index < len(nt.fields) else f"#{index + 1}"
                size = len(value.encode("utf-8", "replace")) / 2**20
                raise Refused(
                    f"note {nid}: field {label!r} is {size:.1f} MB, over the {MAX_FIELD_BYTES // 2**20} MB limit per field"
                )
        guid = guid.strip() if isinstance(guid, str) else ""
        if not guid or len(guid) > MAX_GUID_CHARS or _CONTROL.search(guid):
            warnings.warn(f"note {nid}: missing or malformed guid, skipped")
            continue
        if guid in guids:
            warnings.warn(f"note {nid}: same guid as note {guids[guid]}, skipped")
            continue
        guids[guid] = nid
        tag_list = tuple(dict.fromkeys(str(tags or "").split()))
        notes[nid] = (guid, mid, tag_list, fields)

    parsed: list[ParsedCard] = []
    card_ids: dict[int, str] = {}
    converted: dict[int, dict[str, str]] = {}
    skipped_notes: set[int] = set()
    seen: set[str] = set()
    for cid, nid, did, ord_, odid in conn.execute("SELECT id, nid, did, ord, odid FROM cards ORDER BY nid, ord"):
        note = notes.get(nid)
        if note is None or nid in skipped_notes:
            continue
        if not isinstance(ord_, int) or not 0 <= ord_ < 10_000:
            warnings.warn(f"note {nid}: card {cid} has no valid template number, skipped")
            continue
        guid, mid, tags, fields = note
        nt = note_types.get(mid)
        if nt is None:
            skipped_notes.add(nid)
            warnings.warn(f"note {nid}: its note type ({mid}) is missing, skipped")
            continue
        if nt.image_occlusion:
            skipped_notes.add(nid)
            warnings.warn(f"note {nid}: image occlusion notes ({nt.name!r}) can't be shown as text, skipped")
            continue
        if not nt.standard:
            warnings.warn(
                f"note type {nt.name!r} is not one of Anki's standard kinds: its cards show the first field of each side",
                once=f"nt:{nt.id}",
            )
        if nid not in converted:
            converted[nid] = {
                name: _text(fields[i] if i < len(fields) else "", nid, warnings) for i, name in enumerate(nt.fields)
            }
        values = converted[nid]
        deck_id = odid or did
        if deck_id not in decks:
            warnings.warn(f"cards in a missing deck ({deck_id}) go to 'Default'", once=f"deck:{deck_id}")
            decks[deck_id] = (DEFAULT_DECK, "")
        deck_name = decks[deck_id][0]
        card = _card(nt, nid, guid, ord_, values, deck_name, tags, warnings)
        if card is None:
            continue
        if card.id in seen:
            warnings.warn(f"note {nid}: card {ord_ + 1} appears twice, skipped")
            continue
        seen.add(card.id)
        parsed.append(card)
        card_ids[cid] = card.id
    return parsed, card_ids


def _text(html: str, nid: int, warnings: Warnings) -> str:
    def unsafe(raw: str, safe: str) -> None:
        warnings.warn(f"note {nid}: media name {raw!r} is unsafe: kept as {safe!r}", once=f"media:{nid}:{raw}")

    return html_to_text(neutralise_media(html, unsafe))


def _card(
    nt: NoteType,
    nid: int,
    guid: str,
    ord_: int,
    values: dict[str, str],
    deck: str,
    tags: tuple[str, ...],
    warnings: Warnings,
) -> ParsedCard | None:
    base = card_id_for_guid(guid)
    if nt.cloze:
        template = nt.templates.get(0) or next(iter(nt.templates.values()), None)
        text_field, extra_fields = cloze_fields(nt, template)
        text = values.get(text_field, "")
        number = ord_ + 1
        if number not in cloze_numbers(text):
            warnings.warn(f"note {nid}: cloze card {number} has no {{{{c{number}::...}}}} in its text, skipped")
            return None
        extra = "\n\n".join(v for f in extra_fields if (v := values.get(f, "")))
        back = cloze_back(text, number) + (f"\n\n{extra}" if extra else "")
        return ParsedCard(
            f"{base}::c{number}",
            kind=CardKind.CLOZE,
            front=cloze_front(text, number),
            back=back,
            data={"text": text, "cloze": number, "answers": cloze_answers(text, number)},
            deck=deck,
            tags=tags,
        )
    layout = nt.layout.get(ord_)
    if layout is None:
        warnings.warn(f"note {nid}: card {ord_ + 1} has no template in {nt.name!r}, skipped")
        return None
    if ord_ == 0:
        card_id = base
    elif nt.reversed_pair and ord_ == 1:
        card_id = f"{base}::rev"
    else:
        card_id = f"{base}::{ord_ + 1}"
    front = values.get(layout.question[0], "") if layout.question else ""
    if not front:
        warnings.warn(f"note {nid}: card {ord_ + 1} has an empty question, skipped")
        return None
    back = values.get(layout.answer[0], "") if layout.answer else ""
    if layout.typed:
        answer = values.get(layout.typed, "")
        if not answer:
            warnings.warn(f"note {nid}: card {ord_ + 1} asks to type an empty answer, skipped")
            return None
        back = back if layout.answer else answer
        return ParsedCard(
            card_id, kind=CardKind.TYPE, front=front, back=back, data={"answer": answer}, deck=deck, tags=tags
        )
    return ParsedCard(card_id, kind=CardKind.BASIC, front=front, back=back, deck=deck, tags=tags)
