"""quizapp's own deck format (docs/deck-format.md), read with tomllib."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import partial
from pathlib import Path

from quizapp.anki.cloze import cloze_answers, cloze_back, cloze_front, cloze_numbers
from quizapp.domain import CardKind
from quizapp.importers.base import DeckError, ParsedCard, ParsedDeck, Problem

FORMAT_VERSION = 1
CARD_TYPES = ("basic", "reversed", "cloze", "type", "generated", "code")
_REQUIRED = {
    "basic": ("front", "back"),
    "reversed": ("front", "back"),
    "cloze": ("text",),
    "type": ("front", "answer"),
    "generated": ("family",),
    "code": ("code",),
}
#: Answer kinds a code card may name ("auto": decided by running it at import).
CODE_ANSWER_KINDS = (
    "auto",
    "shape",
    "dtype",
    "bool",
    "int",
    "float",
    "values",
    "error",
    "output",
    "text",
    "shape_or_dtype",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: A full card id (``md:nota.md#q-1f2e``, ``apkg:<guid>``): a namespace (a
#: word) and any printable text, as other readers make them; exports write
#: these as they are.
_FULL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*:\S(?:.*\S)?$", re.DOTALL)
MAX_ID_CHARS = 1000
_TOML_LINE = re.compile(r"at line (\d+)")
_CARD_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*cards[ \t]*\]\]", re.MULTILINE)


def read_toml_deck(path: Path, *, source_prefix: str = "toml", deck: str | None = None) -> ParsedDeck:
    """Parse a deck file; raise DeckError listing every problem with its line.

    ``deck`` replaces the file's deck name (subdecks stay under it)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeckError([Problem(name, None, f"cannot read file: {exc.strerror or exc}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([Problem(name, line, "not valid UTF-8")]) from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise DeckError([Problem(name, int(m.group(1)) if m else None, f"invalid TOML: {message}")]) from exc
    # tomllib keeps no positions: the n-th [[cards]] header is the n-th card.
    # Lines are counted from one header to the next: linear in the file.
    card_lines: list[int] = []
    line, counted = 1, 0
    for m in _CARD_HEADER.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        card_lines.append(line)
    if deck and isinstance(doc.get("deck"), dict):
        doc["deck"]["name"] = deck
    return _parse(doc, path, card_lines, source_prefix, renamed=deck or None)


def _is_full_id(card_id: str) -> bool:
    return len(card_id) <= MAX_ID_CHARS and card_id.isprintable() and bool(_FULL_ID.match(card_id))


#: Per-card keys kept in the card's data as they are (an export writes them back).
_EXTRA_KEYS = ("context", "lang")


def _extra_data(entry: dict) -> tuple[dict[str, str], str]:
    """The entry's ``context`` and ``lang`` (text each), or why they are wrong."""
    extra = {key: entry[key] for key in _EXTRA_KEYS if key in entry}
    wrong = [key for key, value in extra.items() if not isinstance(value, str)]
    return extra, f"{', '.join(wrong)} must be text" if wrong else ""


def _parse(
    doc: dict, path: Path, card_lines: list[int], source_prefix: str, *, renamed: str | None = None
) -> ParsedDeck:
    name = str(path)
    problems: list[Problem] = []

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(name, line, message))

    version = doc.get("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        problem(1, f"unknown format {version!r} (this quizapp reads format {FORMAT_VERSION})")
    deck = doc.get("deck")
    if not isinstance(deck, dict):
        raise DeckError([Problem(name, 1, "missing [deck] table with id and name")])
    deck_id, deck_name = deck.get("id"), deck.get("name")
    if not isinstance(deck_id, str) or not _ID.match(deck_id):
        problem(1, "[deck] id must be a word of letters, digits, '-', '_' or '.'")
    if not isinstance(deck_name, str) or not deck_name.strip():
        problem(1, "[deck] name is missing")
    cards = doc.get("cards", [])
    if not isinstance(cards, list):
        problem(1, "cards must be an array of tables ([[cards]])")
        cards = []
    if problems:
        raise DeckError(problems)
    assert isinstance(deck_id, str) and isinstance(deck_name, str)  # checked above

    description = str(deck.get("description", ""))
    used: dict[str, None] = {}  # the decks cards go to, in order
    parsed: list[ParsedCard] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(cards):
        line = card_lines[index] if index < len(card_lines) else None
        if not isinstance(entry, dict):
            problem(line, "a card must be a table")
            continue
        card_id = entry.get("id")
        if not isinstance(card_id, str) or not (_ID.match(card_id) or _is_full_id(card_id)):
            problem(
                line,
                "card id must be a word of letters, digits, '-', '_' or '.' "
                f"(or a full id 'namespace:id' of at most {MAX_ID_CHARS} printable characters)",
            )
            continue
        base = card_id if ":" in card_id else f"{deck_id}:{card_id}"
        if base in seen:
            problem(line, f"duplicate card id {card_id!r} (first at line {seen[base]})")
            continue
        seen[base] = line or 0
        kind = entry.get("type", "basic")
        if kind not in CARD_TYPES:
            problem(line, f"card {card_id!r}: unknown type {kind!r} (one of {', '.join(CARD_TYPES)})")
            continue
        missing = [f for f in _REQUIRED[kind] if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            problem(line, f"card {card_id!r} ({kind}) needs {', '.join(missing)}")
            continue
        tags = entry.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problem(line, f"card {card_id!r}: tags must be a list of strings")
            continue
        subdeck, own_deck = entry.get("subdeck"), entry.get("deck")
        extra, why = _extra_data(entry)
        if why or (own_deck is not None and not (isinstance(own_deck, str) and own_deck.strip())):
            problem(line, f"card {card_id!r}: {why or 'deck must be a deck name'}")
            continue
        if own_deck is not None:  # a deck of its own, under --deck when given
            card_deck = f"{renamed}::{own_deck}" if renamed else own_deck
        else:
            card_deck = f"{deck_name}::{subdeck}" if subdeck else deck_name
        used.setdefault(card_deck)
        # What every card of this entry shares.
        new_card = partial(ParsedCard, deck=card_deck, tags=tuple(t.replace(" ", "_") for t in tags), line=line)
        first = len(parsed)
        if kind == "basic":
            parsed.append(new_card(base, kind=CardKind.BASIC, front=entry["front"], back=entry["back"]))
        elif kind == "reversed":
            parsed.append(new_card(base, kind=CardKind.BASIC, front=entry["front"], back=entry["back"]))
            parsed.append(new_card(f"{base}::rev", kind=CardKind.BASIC, front=entry["back"], back=entry["front"]))
        elif kind == "cloze":
            text = entry["text"]
            numbers = cloze_numbers(text)
            if not numbers:
                problem(line, f"card {card_id!r}: cloze text has no {{{{c1::...}}}} deletion")
                continue
            for n in numbers:
                parsed.append(
                    new_card(
                        f"{base}::c{n}",
                        kind=CardKind.CLOZE,
                        front=cloze_front(text, n),
                        back=cloze_back(text, n) + (f"\n\n{entry['back']}" if entry.get("back") else ""),
                        data={"text": text, "cloze": n, "answers": cloze_answers(text, n)},
                    )
                )
        elif kind == "type":
            parsed.append(
                new_card(
                    base,
                    kind=CardKind.TYPE,
                    front=entry["front"],
                    back=entry.get("back", ""),
                    data={"answer": entry["answer"]},
                )
            )
        elif kind == "code":
            answer_kind = entry.get("answer", "auto")
            params = entry.get("params", {})
            if answer_kind not in CODE_ANSWER_KINDS:
                problem(line, f"card {card_id!r}: answer must be one of {', '.join(CODE_ANSWER_KINDS)}")
                continue
            if not isinstance(params, dict) or not all(
                isinstance(v, list) and v and all(isinstance(x, (int, float, str, bool)) for x in v)
                for v in params.values()
            ):
                problem(line, f"card {card_id!r}: params must map names to non-empty lists of numbers or strings")
                continue
            parsed.append(
                new_card(
                    base,
                    kind=CardKind.CODE,
                    front=entry.get("front", ""),
                    back=entry.get("back", ""),
                    # No params, no key: as the Markdown reader writes code cards.
                    data={"code": entry["code"], "answer_kind": answer_kind, **({"params": params} if params else {})},
                )
            )
        else:
            parsed.append(
                new_card(
                    base,
                    kind=CardKind.GENERATED,
                    front=entry.get("front", ""),
                    back=entry.get("back", ""),
                    data={"family": entry["family"], "lang": str(deck.get("lang", "es"))},
                )
            )
        if extra:
            parsed[first:] = [replace(card, data={**card.data, **extra}) for card in parsed[first:]]
    if problems:
        raise DeckError(problems)
    if "lang" in deck:  # the card's language: its feedback and hints follow it (a card's own wins)
        parsed = [replace(card, data={"lang": str(deck["lang"]), **card.data}) for card in parsed]
    # The deck of [deck] exists even with no card in it, unless every card names its own.
    keep_own = not cards or any(not (isinstance(entry, dict) and "deck" in entry) for entry in cards)
    decks = {deck_name: description} if keep_own else {}
    decks.update((name, "") for name in used if name not in decks)
    return ParsedDeck(source=f"{source_prefix}:{deck_id}", path=path, cards=parsed, decks=decks)
