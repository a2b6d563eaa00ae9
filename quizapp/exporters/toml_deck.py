"""Write cards as a quizapp TOML deck (docs/deck-format.md) that imports back
identically: same ids, kinds, texts, tags and subdecks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quizapp.anki.cloze import cloze_back
from quizapp.exporters.base import CardLike

_ID = re.compile(r"[^A-Za-z0-9_.-]+")


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
    """Write ``cards`` as one deck file; returns the number of cards written.

    The deck id is the namespace the card ids share (``mine`` for
    ``mine:q1``), so a re-import updates the same cards.
    """
    deck_name = deck_name or common_root(c.deck for c in cards) or "Exported"
    namespaces = {c.id.split(":", 1)[0] for c in cards if ":" in c.id}
    deck_id = namespaces.pop() if len(namespaces) == 1 else _ID.sub("-", deck_name.lower()).strip("-") or "exported"
    by_id = {c.id: c for c in cards}
    lines = ["format = 1", "", "[deck]", f"id = {_string(deck_id)}", f"name = {_string(deck_name)}", ""]
    written = 0
    done: set[str] = set()
    for card in cards:
        if card.id in done:
            continue
        base, _, suffix = card.id.partition("::")
        entry: dict[str, Any] = {"id": _local_id(base, deck_id)}
        if card.kind == "basic" and f"{base}::rev" in by_id and not suffix:
            entry.update(type="reversed", front=card.front, back=card.back)
            done.add(f"{base}::rev")
        elif card.kind == "basic" and suffix == "rev":
            entry.update(type="basic", front=card.front, back=card.back)
            entry["id"] += "-rev"
        elif card.kind == "cloze":
            text = card.data["text"]
            siblings = [cid for cid in by_id if cid.startswith(base + "::c")]
            done.update(siblings)
            number = card.data.get("cloze", 1)
            extra = card.back[len(cloze_back(text, number)) :].strip()
            entry.update(type="cloze", text=text)
            if extra:
                entry["back"] = extra
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
        subdeck = card.deck[len(deck_name) + 2 :] if card.deck.startswith(deck_name + "::") else ""
        if subdeck:
            entry["subdeck"] = subdeck
        if card.tags:
            entry["tags"] = list(card.tags)
        done.add(card.id)
        lines.append("[[cards]]")
        lines.extend(f"{key} = {_value(value)}" for key, value in entry.items())
        lines.append("")
        written += 1
    path.write_text("\n".join(lines), encoding="utf-8")
    return written


def _local_id(base: str, deck_id: str) -> str:
    local = base[len(deck_id) + 1 :] if base.startswith(deck_id + ":") else base
    return _ID.sub("-", local).strip("-") or "card"
