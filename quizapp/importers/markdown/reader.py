"""``read_markdown``: one note file in, its ParsedDeck out.

Notes must be UTF-8 (a BOM is allowed) and at most 5 MB; a NUL byte means a
binary file. These raise :class:`DeckError` with the file and line. A line
over 100,000 characters is ignored, and a card over 20,000 characters (or a
paragraph with more than 100 clozes) skipped, with a warning: a hostile note
finishes in seconds. A note that was saved through Mac Roman ("n√∫meros" for
"números") is repaired silently before parsing, by
:func:`quizapp.importers.encoding_repair.repair_mojibake`, when it shows that
damage.

``source`` is ``md:`` plus the note's path relative to ``root`` (POSIX
separators), or its file name. ``<base>``, the deck of ``#flashcards``, is
the ``deck`` argument, else the vault's folder name (``root``), else the
note's file name. ``#flashcards/a/b`` is deck ``a::b``, as the plugin names
it (``<deck>::a::b`` when ``deck`` is given). A note without any
``#flashcards`` tag (the plugin would skip it) is imported into
``<base>::<folder>::<subfolder>``, its folders relative to ``root``
(``folder_decks=True``, the plugin's "convert folders to decks"), or into
``<base>`` (``folder_decks=False``).
"""

from __future__ import annotations

from pathlib import Path

from quizapp.importers.base import DeckError, ParsedDeck, Problem
from quizapp.importers.encoding_repair import looks_damaged, repair_mojibake
from quizapp.importers.markdown.ids import assign_ids
from quizapp.importers.markdown.note import Note

__all__ = ["MAX_FILE_BYTES", "MAX_LINE_CHARS", "read_markdown"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINE_CHARS = 100_000


def read_markdown(
    path: Path,
    *,
    deck: str | None = None,
    root: Path | None = None,
    folder_decks: bool = True,
) -> ParsedDeck:
    """Parse one note; raise DeckError (with file and line) if it can't be read."""
    path = Path(path)
    name = str(path)
    text = _read_text(path, name)
    warnings: list[Problem] = []
    if looks_damaged(text):
        text = repair_mojibake(text)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE_CHARS:
            warnings.append(
                Problem(name, index + 1, f"line of {len(line):,} characters ignored (the limit is {MAX_LINE_CHARS:,})")
            )
            lines[index] = ""
    relative = _relative(path, root)
    source = "md:" + (relative.as_posix() if relative is not None else path.name)
    base = _base_deck(path, root, deck)
    folder_deck = base
    if folder_decks and relative is not None and len(relative.parts) > 1:
        folder_deck = "::".join([base, *relative.parts[:-1]])
    note = Note(lines, name)
    tag_root = deck.strip() if deck and deck.strip() else None
    questions = note.questions(base=base, folder_deck=folder_deck, tag_root=tag_root)
    warnings.extend(note.warnings)
    cards = assign_ids(source, questions)
    decks: dict[str, str] = {}
    for card in cards:
        decks.setdefault(card.deck, "")
    return ParsedDeck(source=source, path=path, cards=cards, decks=decks, warnings=warnings)


def _read_text(path: Path, name: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DeckError(
                [
                    Problem(
                        name,
                        None,
                        f"file is {size / 1024 / 1024:.1f} MB; notes over {MAX_FILE_BYTES // 1024 // 1024} MB are not imported",
                    )
                ]
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DeckError([Problem(name, None, f"cannot read file: {exc.strerror or exc}")]) from exc
    if len(raw) > MAX_FILE_BYTES:  # grew while we looked
        raise DeckError([Problem(name, None, f"notes over {MAX_FILE_BYTES // 1024 // 1024} MB are not imported")])
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise DeckError([Problem(name, line, "binary file (NUL byte), not a Markdown note")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DeckError([Problem(name, line, "not valid UTF-8 (save the note as UTF-8)")]) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _relative(path: Path, root: Path | None) -> Path | None:
    if root is None:
        return None
    try:
        return path.resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError):
        return None


def _base_deck(path: Path, root: Path | None, deck: str | None) -> str:
    if deck and deck.strip():
        return deck.strip()
    if root is not None:
        root_name = Path(root).resolve().name
        if root_name:
            return root_name
    return path.stem or path.name
