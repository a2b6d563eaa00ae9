"""Write cards as a quizapp TOML deck (docs/deck-format.md) that imports back
identically: same ids, kinds, texts, tags and subdecks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quizapp.anki.cloze import cloze_back, cloze_numbers
from quizapp.exporters.base import CardLike

_ID = re.compile(r"[^A-Za-z0-9_.-]+")
#: A card id the reader takes as local to the deck (importers/toml_deck.py).
_LOCAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: What a reader adds to a note's id for its other cards.
_SUFFIX = re.compile(r"::(?:rev|c\d+)$")


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_string(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def common_root(decks: Iterable[str]) -> str:
    """The deepest deck containing all of ``decks`` ("" when there is none)."""
    parts_list = [d.split("::") for d in decks]
    if not parts_list:
        return ""
    root: list[str] = []
    for parts in zip(*parts_list):
        if len(set(parts)) != 1:
            break
        root.append(parts[0])
    return "::".join(root)


def write_toml_deck(cards: Sequence[CardLike], path: Path, *, deck_name: str | None = None) -> int:
    """Write ``cards`` as one deck file; return how many cards it holds (what
    an import of it makes: a reversed entry is two cards, a cloze one per number).

    Cards keep their ids: the deck id is the namespace the ids share (``mine``
    for ``mine:q1``), and an id that does not fit that form (``md:nota.md#q-1``,
    ``apkg:<guid>``) is written whole. Cards of several decks keep their deck:
    under one root deck as ``subdeck``, else each card names its ``deck``.
    """
    root = deck_name or common_root(c.deck for c in cards)
    bases = [_SUFFIX.sub("", c.id) for c in cards]
    namespaces = {b.split(":", 1)[0] for b in bases}
    if len(namespaces) == 1 and all(":" in b and _LOCAL.match(b.split(":", 1)[1]) for b in bases):
        deck_id = namespaces.pop()
    else:
        tops = sorted({c.deck.split("::")[0] for c in cards}) if not root else [root]
        deck_id = _ID.sub("-", "_".join(tops).lower()).strip("-")[:80].strip("-") or "exported"
    langs = {c.data.get("lang") for c in cards}
    deck_lang = langs.pop() if len(langs) == 1 else None
    by_id = {c.id: c for c in cards}
    lines = ["format = 1", "", "[deck]", f"id = {_string(deck_id)}", f"name = {_string(root or 'Exported')}"]
    if isinstance(deck_lang, str):
        lines.append(f"lang = {_string(deck_lang)}")
    lines.append("")
    written = 0
    done: set[str] = set()
    for card in cards:
        if card.id in done:
            continue
        base = _SUFFIX.sub("", card.id)
        suffix = card.id[len(base) :]
        entry: dict[str, Any] = {"id": _local_id(base, deck_id)}
        count = 1
        if card.kind == "basic" and f"{base}::rev" in by_id and not suffix:
            entry.update(type="reversed", front=card.front, back=card.back)
            done.add(f"{base}::rev")
            count = 2
        elif card.kind == "basic" and suffix:
            # The reverse of a note whose forward card is gone: a card of its own, same id.
            entry.update(id=card.id, type="basic", front=card.front, back=card.back)
        elif card.kind == "cloze":
            text = card.data["text"]
            siblings = [cid for cid in by_id if _SUFFIX.sub("", cid) == base and cid.startswith(base + "::c")]
            done.update(siblings)
            number = card.data.get("cloze", 1)
            extra = card.back[len(cloze_back(text, number)) :].strip()
            entry.update(type="cloze", text=text)
            if extra:
                entry["back"] = extra
            count = len(cloze_numbers(text)) or 1
        elif card.kind == "type":
            entry.update(type="type", front=card.front, answer=card.data["answer"])
            if card.back:
                entry["back"] = card.back
        elif card.kind == "generated":
            entry.update(type="generated", family=card.data["family"], front=card.front, back=card.back)
        elif card.kind == "code":
            entry.update(type="code", code=card.data["code"], answer=card.data.get("answer_kind", "auto"))
            if card.data.get("params"):
                entry["params"] = card.data["params"]
            if card.front:
                entry["front"] = card.front
            if card.back:
                entry["back"] = card.back
        else:
            entry.update(type="basic", front=card.front, back=card.back)
        if not root:
            entry["deck"] = card.deck
        elif card.deck.startswith(root + "::"):
            entry["subdeck"] = card.deck[len(root) + 2 :]
        if card.tags:
            entry["tags"] = list(card.tags)
        for key in ("context", "lang"):
            value = card.data.get(key)
            if isinstance(value, str) and not (key == "lang" and value == deck_lang):
                entry[key] = value
        done.add(card.id)
        lines.append("[[cards]]")
        lines.extend(f"{key} = {_value(value)}" for key, value in entry.items())
        lines.append("")
        written += count
    path.write_text("\n".join(lines), encoding="utf-8")
    return written


def _local_id(base: str, deck_id: str) -> str:
    """The id to write: local to the deck when it can be, else the whole id."""
    local = base[len(deck_id) + 1 :] if base.startswith(deck_id + ":") else ""
    return local if _LOCAL.match(local) else base
