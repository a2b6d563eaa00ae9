"""Markdown notes in the Obsidian Spaced Repetition plugin's syntax.

``read_markdown(path)`` turns one note into a :class:`ParsedDeck`. It is pure
(file in, cards out: no database, no torch, no textual) and reads the note the
way the plugin (st3v3nmw/obsidian-spaced-repetition) does with its default
settings, so a vault written for the plugin imports unchanged.

Cards (the plugin's defaults: ``::``, ``:::``, ``?``, ``??``, ``==`` clozes)
---------------------------------------------------------------------------

The note is read block by block, each block starting at a line, trying in
this order (the plugin's grammar):

1. an HTML comment starting the line (``<!-- ... -->``, possibly over several
   lines): skipped, with any card written inside it;
2. a fenced code block (```` ``` ```` or ``~~~``, closed by a fence of the
   same character at least as long): skipped (but see "Code cards" below);
3. ``question:::answer`` on one line: two sibling cards, both ways;
4. ``question::answer`` on one line: one card. The separator is the first
   ``::`` outside inline code (and outside ``{{c1::...}}`` clozes). A
   ``<!--SR:...-->`` comment on the next line belongs to the card;
5. a paragraph with a line holding only ``??``: the lines above it (back to
   where the block started) are one side, the lines below it up to the next
   blank line are the other; two sibling cards;
6. the same with ``?``: one card. Fenced code blocks in the answer may hold
   blank lines;
7. a paragraph (up to the next blank line) with a cloze in one of its lines:
   ``==highlight==`` (with the plugin's optional ``==1;;answer;;hint==``
   numbering and hint) or an Anki ``{{c1::answer::hint}}``. Each unnumbered
   highlight is its own card; numbered deletions with the same number are
   asked together; all are siblings;
8. anything else is plain text, one line at a time.

A blank (or whitespace-only) line ends every multi-line card and cloze, as
the plugin's default empty "end marker" does. Scheduling comments
(``<!--SR:!2024-01-01,3,250-->``) and every other HTML comment are removed
from what is shown; so are Obsidian block ids (`` ^abc``). For the terminal,
``![[embeds]]`` become ``[image: name.png]`` (``[embed: name]`` for notes),
Markdown images ``[image: alt]``, ``[[links|alias]]`` their alias or target,
``<iframe>``\\s ``[iframe: src]``, ``<br>`` a new line, layout tags
(``<div>``, ``<span>``...) are dropped, and callout markers (``> [!tip]
Title``) leave their text.

Tags and headings that lead a question (``#flashcards/x`` on the line above
it, ``## Section`` right above it in the same paragraph) are not part of the
question; a question written as a heading loses its ``#`` marks. The
headings a card sits under go to ``data["context"]`` ("Tensores > Forma"),
as the plugin shows them above each card.

Decks
-----

As in the plugin, ``#flashcards`` tags decide the deck: ``#flashcards`` is
the base deck and ``#flashcards/sub/deck`` is ``<base>::sub::deck``. The tag
that applies to a card is, in order: a tag at the start of the card's first
line (question-specific, removed from the question); else the last line of
tags above the card; else the note's YAML front matter ``tags:``; else the
first ``#flashcards`` tag of the note. A card tagged with several decks goes
to the first (the plugin shows it in each; quizapp keeps one schedule per
card). ``<base>`` is the ``deck`` argument, else the vault's folder name
(``root``), else the note's file name. Tags in code and comments don't count.

A note without any ``#flashcards`` tag (the plugin would skip it) is imported
into ``<base>::<folder>::<subfolder>``, its folders relative to ``root``
(``folder_decks=True``, the plugin's "convert folders to decks"), or into
``<base>`` (``folder_decks=False``).

Card tags are the note's other front-matter tags plus the non-flashcard tags
written in the card itself (without ``#``).

Code cards
----------

A fenced ``python`` block outside any card that prints (calls ``print()``) or
ends in an expression becomes a predict-the-output card: kind ``code``, data
``{"code": ..., "answer_kind": "auto"}``. ``import torch``, ``import math``
and the kernel's own aliases (``import torch.nn as nn``,
``import torch.nn.functional as F``, ``from torch import nn``) are removed;
a block with any other import, or with ``def``/``class``, or that is not
valid Python, is skipped with a warning ("skipped: ..."). Its question is the
paragraph just above the block unless that paragraph is a card (or, if it is
longer than 300 characters or absent, the last heading; else "¿Qué imprime
este código?"). Whether it is deterministic, and what it prints, is settled
later by the kernel.

Card ids
--------

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
``source`` is ``md:`` plus the note's path relative to ``root`` (POSIX
separators), or its file name.

Input checks
------------

Notes must be UTF-8 (a BOM is allowed) and at most 5 MB; a NUL byte means a
binary file. These raise :class:`DeckError` with the file and line. A line
over 100,000 characters is ignored, and a card over 20,000 characters (or a
paragraph with more than 100 clozes) skipped, with a warning: a hostile note
finishes in seconds. A note that was saved
through Mac Roman ("n√∫meros" for "números") is repaired silently before
parsing, by :func:`quizapp.importers.encoding_repair.repair_mojibake`, when
it shows that damage.

As in the plugin's defaults, ``**bold**`` and ``{{curly}}`` are not clozes.
Deliberate differences from the plugin: whitespace-only lines count as blank;
HTML comments don't nest; a fence closes with a fence at least as long (the
plugin wants the same length); a card is not dropped for lacking a deck tag;
``{{c1::...}}`` Anki clozes are read (the plugin only with a custom pattern);
all the tags leading a question count (the plugin reads the first), also
after a heading; leading headings become context instead of question text.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.domain import CardKind
from quizapp.importers.base import DeckError, ParsedCard, ParsedDeck, Problem
from quizapp.importers.encoding_repair import looks_damaged, repair_mojibake

__all__ = ["DEFAULT_CODE_FRONT", "MAX_FILE_BYTES", "MAX_LINE_CHARS", "read_markdown"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINE_CHARS = 100_000
FLASHCARD_TAG = "flashcards"
INLINE_SEPARATOR = "::"
INLINE_REVERSED_SEPARATOR = ":::"
MULTILINE_SEPARATOR = "?"
MULTILINE_REVERSED_SEPARATOR = "??"
DEFAULT_CODE_FRONT = "¿Qué imprime este código?"
#: A paragraph longer than this is not used as a code card's question.
MAX_CODE_FRONT_CHARS = 300
#: Headings are cut to this length in a card's context.
MAX_HEADING_CHARS = 300
#: Longest card (question and answer, or cloze paragraph, or code block) read.
MAX_CARD_CHARS = 20_000
#: Most cloze numbers in one paragraph.
MAX_CLOZES = 100
PYTHON_INFO = ("python", "py", "python3")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif", ".tif", ".tiff")

# Imports the kernel provides already (it knows torch, nn and F) and math.
_REMOVABLE_IMPORTS = {("torch", None), ("math", None), ("torch.nn", "nn"), ("torch.nn.functional", "F")}
_REMOVABLE_FROM = {("torch", "nn", None), ("torch", "nn", "nn"), ("torch.nn", "functional", "F")}

_INLINE_CODE = re.compile(r"`[^`\n]*`")
_ANKI_CLOZE_START = re.compile(r"\{\{c(\d{1,4})::")
_HIGHLIGHT = re.compile(r"==((?:(?!==)[^\n])+)==")
_HIGHLIGHT_PARTS = re.compile(r"^(?:(\d+);;)?(.*?)(?:;;(.*))?$", re.DOTALL)
_TAG = re.compile(r"(?:(?<=\s)|^)#([\w/-]+)")
_LEADING_TAG = re.compile(r"\s*#([\w/-]+)(?:[ \t]+|\n|$)")
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")
_FENCE = re.compile(r"^ *(`{3,}|~{3,})(.*)$")
# Bounded repetitions keep every pattern linear on hostile input.
_EMBED = re.compile(r"!\[\[([^\]|#^\n]{0,400})(?:[#^][^\]|\n]{0,400})?(?:\|[^\]\n]{0,400})?\]\]")
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,400})\]\([ \t]*<?([^)\s>]{0,2000})>?(?:[ \t]+\"[^\"\n]{0,400}\")?[ \t]*\)")
_WIKILINK = re.compile(r"\[\[([^\]|\n]{1,400})(?:\|([^\]\n]{1,400}))?\]\]")
_IFRAME = re.compile(r"<iframe\b([^>]{0,4000})>", re.IGNORECASE)
_IFRAME_END = re.compile(r"</iframe\s{0,20}>", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b([^>]{0,4000})>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|title|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LAYOUT_TAGS = re.compile(
    r"</?(?:div|span|p|font|center|small|big|mark|u|ins|del|s|details|summary|section|article|aside|figure|figcaption)"
    r"\b[^>]{0,1000}>",
    re.IGNORECASE,
)
_CALLOUT = re.compile(r"^[ \t]*>[ \t]*\[!([\w-]+)\][+-]?[ \t]*(.*)$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_FRONT_MATTER_TAGS = re.compile(r"^(tags?)[ \t]*:[ \t]*(.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^[ \t]*-[ \t]*(.*)$")


@dataclass
class _Block:
    """One question as the plugin's parser finds it (0-based line numbers)."""

    kind: str  # inline | inline_rev | multi | multi_rev | cloze
    first: int
    last: int
    separator: int | None = None  # the "?"/"??" line, or the "::" offset on the first line


@dataclass
class _Fence:
    first: int
    last: int
    info: str


@dataclass
class _Question:
    """A question turned into cards, before ids are given."""

    key: str  # what the id hashes (or "^blockid")
    line: int
    deck: str
    tags: tuple[str, ...]
    cards: list[tuple[str, str, str, str, dict]] = field(default_factory=list)  # (suffix, kind, front, back, data)


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
    note = _Note(lines, name)
    questions = note.questions(base=base, folder_deck=folder_deck)
    warnings.extend(note.warnings)
    cards = _assign_ids(source, questions)
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


# --- the note -----------------------------------------------------------------------------------


class _Note:
    def __init__(self, lines: list[str], name: str) -> None:
        self.name = name
        self.warnings: list[Problem] = []
        self.front_matter_tags, content_start = _front_matter(lines)
        # Blank the front matter out (keeps line numbers), as the plugin does.
        self.lines = [""] * content_start + lines[content_start:]
        self.n = len(self.lines)
        self.blank = [not line.strip() for line in self.lines]
        self.fences = self._find_fences()
        self.comment_lines = self._comment_lines()

    # pre-passes, all linear

    def _find_fences(self) -> dict[int, _Fence]:
        """Fenced code blocks: opening line -> fence (unclosed fences are not blocks)."""
        closers: dict[str, list[tuple[int, int]]] = {"`": [], "~": []}
        for index, line in enumerate(self.lines):
            stripped = line.strip()
            if len(stripped) >= 3 and stripped[0] in closers and stripped == stripped[0] * len(stripped):
                closers[stripped[0]].append((index, len(stripped)))
        fences: dict[int, _Fence] = {}
        index = 0
        while index < self.n:
            m = _FENCE.match(self.lines[index])
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                char, length = m.group(1)[0], len(m.group(1))
                candidates = closers[char]
                k = bisect.bisect_right(candidates, (index, 1 << 30))
                while k < len(candidates) and candidates[k][1] < length:
                    k += 1
                if k < len(candidates):
                    end = candidates[k][0]
                    fences[index] = _Fence(index, end, m.group(2).strip())
                    index = end + 1
                    continue
            index += 1
        return fences

    def _comment_lines(self) -> list[str]:
        """Each line with HTML comments and fenced code removed (for finding tags)."""
        visible: list[str] = []
        in_comment = False
        index = 0
        while index < self.n:
            if not in_comment and index in self.fences:
                end = self.fences[index].last
                visible.extend([""] * (end - index + 1))
                index = end + 1
                continue
            line = self.lines[index]
            out = []
            pos = 0
            while pos < len(line):
                if in_comment:
                    end = line.find("-->", pos)
                    if end < 0:
                        pos = len(line)
                    else:
                        in_comment, pos = False, end + 3
                else:
                    start = line.find("<!--", pos)
                    if start < 0:
                        out.append(line[pos:])
                        pos = len(line)
                    else:
                        out.append(line[pos:start])
                        in_comment, pos = True, start + 4
            visible.append(_INLINE_CODE.sub(" ", "".join(out)))
            index += 1
        return visible

    # the plugin's grammar, block by block

    def _blocks(self) -> list[_Block]:
        n, lines, blank = self.n, self.lines, self.blank
        # Per line: end of its paragraph, and the next "?" / "??" / cloze line (n if none).
        para_end = [n] * (n + 1)
        next_q = [n] * (n + 1)
        next_qq = [n] * (n + 1)
        next_cloze = [n] * (n + 1)
        self.next_comment_close = next_close = [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            next_close[i] = i if "-->" in lines[i] else next_close[i + 1]
            stripped = lines[i].strip()
            para_end[i] = i if blank[i] else para_end[i + 1]
            next_q[i] = i if stripped == MULTILINE_SEPARATOR else next_q[i + 1]
            next_qq[i] = i if stripped == MULTILINE_REVERSED_SEPARATOR else next_qq[i + 1]
            next_cloze[i] = i if _has_cloze(lines[i]) else next_cloze[i + 1]
        blocks: list[_Block] = []
        self.top_fences: list[_Fence] = []
        i = 0
        while i < n:
            line = lines[i]
            if blank[i]:
                i += 1
                continue
            if line.startswith("<!--"):
                end = self._comment_end(i)
                # "<!-- note --> Q::A": the text after a one-line comment is read.
                if end is not None and not (end == i and line[line.find("-->", 4) + 3 :].strip()):
                    i = end + 1
                    continue
            if i in self.fences:
                self.top_fences.append(self.fences[i])
                i = self.fences[i].last + 1
                continue
            inline = _inline_separator(line)
            if inline is not None:
                kind, offset = inline
                last = i + 1 if i + 1 < n and lines[i + 1].startswith("<!--SR:") else i
                blocks.append(_Block(kind, i, last, offset))
                i = last + 1
                continue
            j = next_qq[i]
            if i < j < para_end[i] and j + 1 < n and not blank[j + 1]:
                last = para_end[j + 1] - 1
                blocks.append(_Block("multi_rev", i, last, j))
                i = last + 1
                continue
            j = next_q[i]
            if i < j < para_end[i] and j + 1 < n and not blank[j + 1]:
                k = j + 1
                while k < n and not blank[k]:
                    k = self.fences[k].last + 1 if k in self.fences else k + 1
                blocks.append(_Block("multi", i, k - 1, j))
                i = k
                continue
            if next_cloze[i] < para_end[i]:
                last = para_end[i] - 1
                blocks.append(_Block("cloze", i, last))
                i = last + 1
                continue
            i += 1
        return blocks

    def _comment_end(self, start: int) -> int | None:
        """Line where the comment opened at the start of ``start`` closes."""
        if "-->" in self.lines[start][4:]:
            return start
        end = self.next_comment_close[start + 1]
        return end if end < self.n else None

    # from blocks to questions

    def questions(self, *, base: str, folder_deck: str) -> list[_Question]:
        blocks = self._blocks()
        self._prepare_decks(blocks, base, folder_deck)
        headings = self._headings()
        questions: list[_Question] = []
        for block in blocks:
            question = self._question(block, headings)
            if question is not None:
                questions.append(question)
        # Only code blocks standing alone: one inside a card is part of the card.
        for fence in self.top_fences:
            question = self._code_question(fence, headings)
            if question is not None:
                questions.append(question)
        questions.sort(key=lambda q: q.line)
        return questions

    def _question(self, block: _Block, headings: list[str]) -> _Question | None:
        lines = self.lines[block.first : block.last + 1]
        raw = "\n".join(lines)
        line = block.first + 1
        if len(raw) > MAX_CARD_CHARS:
            self.warnings.append(
                Problem(self.name, line, f"skipped: card of {len(raw):,} characters (the limit is {MAX_CARD_CHARS:,})")
            )
            return None
        if block.kind in ("inline", "inline_rev"):
            first = self.lines[block.first]
            sep = INLINE_REVERSED_SEPARATOR if block.kind == "inline_rev" else INLINE_SEPARATOR
            front_raw = first[: block.separator]
            back_raw = first[block.separator + len(sep) :]
        elif block.kind in ("multi", "multi_rev"):
            cut = block.separator - block.first
            front_raw = "\n".join(lines[:cut])
            back_raw = "\n".join(lines[cut + 1 :])
        else:
            front_raw, back_raw = raw, ""
        leading, dropped, front_raw = _question_head(_strip_comments(front_raw, sr_only=True))
        decks = [t for t in leading if _is_flashcard_tag(t)]
        deck = self._deck_for(block.first, decks)
        tags = self._card_tags(raw)
        block_id = _block_id(raw)
        context = headings[min(block.first + dropped, block.last)]
        front_raw = _unheading(front_raw)
        if block.kind == "cloze":
            return self._cloze_question(front_raw, line, deck, tags, block_id, context)
        front, back = _display(front_raw), _display(back_raw)
        if not front:
            self.warnings.append(Problem(self.name, line, "skipped: card with an empty question"))
            return None
        data = {"context": context} if context else {}
        key = "^" + block_id if block_id else "q-" + _hash(front)
        question = _Question(key, line, deck, tags)
        question.cards.append(("", CardKind.BASIC, front, back, dict(data)))
        if block.kind in ("inline_rev", "multi_rev"):
            if not back:
                self.warnings.append(Problem(self.name, line, "skipped: the reverse of a card with an empty answer"))
            else:
                question.cards.append(("::rev", CardKind.BASIC, back, front, dict(data)))
        return question

    def _cloze_question(
        self, text: str, line: int, deck: str, tags: tuple[str, ...], block_id: str | None, context: str
    ) -> _Question | None:
        text = _display(text)
        deletions = _deletions(text)
        if not deletions:  # the cloze was hidden in a comment or removed markup
            return None
        # Number the deletions: written numbers stay, unnumbered highlights
        # each get the next free number, in order.
        if len({(d.number, d.start) if d.number is None else d.number for d in deletions}) > MAX_CLOZES:
            self.warnings.append(Problem(self.name, line, f"skipped: more than {MAX_CLOZES} clozes in one paragraph"))
            return None
        numbered = [d.number for d in deletions if d.number is not None]
        next_free = max(numbered, default=0) + 1
        for d in deletions:
            if d.number is None:
                d.number = next_free
                next_free += 1
        skeleton, anki = [], []
        pos = 0
        for d in deletions:
            skeleton.append(text[pos : d.start])
            anki.append(text[pos : d.start])
            anki.append(f"{{{{c{d.number}::{d.answer}{'::' + d.hint if d.hint else ''}}}}}")
            pos = d.end
        skeleton.append(text[pos:])
        anki.append(text[pos:])
        anki_text = "".join(anki)
        key = "^" + block_id if block_id else "z-" + _hash(" ".join(skeleton))
        question = _Question(key, line, deck, tags)
        for number in sorted({d.number for d in deletions}):
            front = _cloze_side(text, deletions, hide=number)
            back = _cloze_side(text, deletions, hide=None)
            data = {"text": anki_text, "cloze": number, "answers": [d.answer for d in deletions if d.number == number]}
            if context:
                data["context"] = context
            question.cards.append((f"::c{number}", CardKind.CLOZE, front, back, data))
        return question

    def _code_question(self, fence: _Fence, headings: list[str]) -> _Question | None:
        info = fence.info.split()[0].lower() if fence.info.split() else ""
        info = info.lstrip("{").rstrip("}").lstrip(".")
        if info not in PYTHON_INFO:
            return None
        line = fence.first + 1
        body = textwrap.dedent("\n".join(self.lines[fence.first + 1 : fence.last]))
        if len(body) > MAX_CARD_CHARS:
            self.warnings.append(
                Problem(
                    self.name,
                    line,
                    f"skipped: Python block of {len(body):,} characters (the limit is {MAX_CARD_CHARS:,})",
                )
            )
            return None
        try:
            tree = ast.parse(body)
        except SyntaxError as exc:
            where = f" (line {exc.lineno} of the block)" if exc.lineno else ""
            self.warnings.append(
                Problem(self.name, line, f"skipped: Python block is not valid Python: {exc.msg}{where}")
            )
            return None
        except (RecursionError, MemoryError, ValueError):
            self.warnings.append(Problem(self.name, line, "skipped: Python block is too deeply nested to read"))
            return None
        if not tree.body:
            return None
        shows = isinstance(tree.body[-1], ast.Expr) or any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print" for n in ast.walk(tree)
        )
        if not shows:
            return None
        removable: set[int] = set()
        others: list[str] = []
        defines: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                if node in tree.body and all((a.name, a.asname) in _REMOVABLE_IMPORTS for a in node.names):
                    removable.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
                else:
                    others.extend(a.name for a in node.names if (a.name, a.asname) not in _REMOVABLE_IMPORTS)
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                if node in tree.body and all((module, a.name, a.asname) in _REMOVABLE_FROM for a in node.names):
                    removable.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
                else:
                    others.append(module)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defines.append(f"def {node.name}")
            elif isinstance(node, ast.ClassDef):
                defines.append(f"class {node.name}")
        if others:
            unique = ", ".join(dict.fromkeys(others))
            self.warnings.append(
                Problem(self.name, line, f"skipped: Python block imports {unique} (only torch and math are available)")
            )
            return None
        if defines:
            self.warnings.append(
                Problem(
                    self.name,
                    line,
                    f"skipped: Python block defines {', '.join(defines)} (code cards run plain statements)",
                )
            )
            return None
        code_lines = [text for number, text in enumerate(body.split("\n"), 1) if number not in removable]
        code = "\n".join(code_lines).strip("\n")
        if not code.strip():
            return None
        deck = self._deck_for(fence.first, [])
        front = self._code_front(fence.first, headings[fence.first])
        data = {"code": code, "answer_kind": "auto"}
        if headings[fence.first]:
            data["context"] = headings[fence.first]
        question = _Question("code-" + _hash(code), line, deck, tuple(self.note_tags))
        question.cards.append(("", CardKind.CODE, front, "", data))
        return question

    def _code_front(self, fence_line: int, context: str) -> str:
        """The paragraph right above the block, else the last heading, else the default."""
        k = fence_line - 1
        while k >= 0 and self.blank[k]:
            k -= 1
        paragraph: list[str] = []
        # A paragraph that is a card (or a code block) is not this block's question.
        while k >= 0 and not self.blank[k] and not self.in_card[k] and len(paragraph) < 20:
            stripped = self.lines[k].strip()
            if stripped.startswith(("```", "~~~")):
                break
            if not _HEADING.match(self.lines[k]):
                paragraph.insert(0, self.lines[k])
            k -= 1
        raw = "\n".join(paragraph)
        text = _display(_question_head(raw)[2]) if len(raw) <= 10 * MAX_CODE_FRONT_CHARS else ""
        if text and len(text) <= MAX_CODE_FRONT_CHARS:
            return text
        heading = context.rsplit(" > ", 1)[-1] if context else ""
        return heading or DEFAULT_CODE_FRONT

    def _headings(self) -> list[str]:
        """Per line: the headings it sits under, as "H1 > H2" (the plugin's card context)."""
        result: list[str] = []
        stack: list[tuple[int, str]] = []
        index = 0
        while index < self.n:
            if index in self.fences:
                end = self.fences[index].last
                context = " > ".join(t for _, t in stack)
                result.extend([context] * (end - index + 1))
                index = end + 1
                continue
            result.append(" > ".join(t for _, t in stack))
            m = _HEADING.match(self.lines[index])
            if m:
                level, title = len(m.group(1)), _display(_heading_title(m)[:MAX_HEADING_CHARS])
                while stack and stack[-1][0] >= level:
                    stack.pop()
                if title:
                    stack.append((level, title))
            index += 1
        return result

    # decks and tags

    def _prepare_decks(self, blocks: list[_Block], base: str, folder_deck: str) -> None:
        self.base = base
        self.folder_deck = folder_deck
        self.in_card = in_card = [False] * (self.n + 1)
        for b in blocks:
            for i in range(b.first, b.last + 1):
                in_card[i] = True
        self.all_flashcard_tags: list[str] = []
        self.tag_lines: list[int] = []  # note-level tag lines, ascending
        self.tag_groups: list[list[str]] = []
        for index, visible in enumerate(self.comment_lines):
            if "#" not in visible:
                continue
            found = [t for t in _tags_in(visible) if _is_flashcard_tag(t)]
            if not found:
                continue
            self.all_flashcard_tags.extend(found)
            if not in_card[index]:
                self.tag_lines.append(index)
                self.tag_groups.append(found)
        self.front_matter_decks = [t for t in self.front_matter_tags if _is_flashcard_tag(t)]
        self.note_tags = [_tag_name(t) for t in self.front_matter_tags if not _is_flashcard_tag(t)]
        self.has_deck_tags = bool(self.all_flashcard_tags or self.front_matter_decks)

    def _deck_for(self, first_line: int, question_tags: list[str]) -> str:
        if question_tags:
            return self._deck_name(question_tags[0])
        k = bisect.bisect_left(self.tag_lines, first_line)
        if k > 0:
            return self._deck_name(self.tag_groups[k - 1][0])
        if self.front_matter_decks:
            return self._deck_name(self.front_matter_decks[0])
        if self.all_flashcard_tags:
            return self._deck_name(self.all_flashcard_tags[0])
        return self.folder_deck

    def _deck_name(self, tag: str) -> str:
        parts = [p for p in tag.split("/") if p]
        return "::".join([self.base, *parts[1:]])

    def _card_tags(self, raw: str) -> tuple[str, ...]:
        if "#" not in raw:
            return tuple(self.note_tags)
        visible = _INLINE_CODE.sub(" ", _strip_comments(raw, replacement=" "))
        own = [_tag_name(t) for t in _tags_in(visible) if not _is_flashcard_tag(t)]
        return tuple(dict.fromkeys([*self.note_tags, *own]))


# --- helpers ------------------------------------------------------------------------------------


def _front_matter(lines: list[str]) -> tuple[list[str], int]:
    """(tags of the YAML front matter, index of the first line after it)."""
    if not lines or lines[0].rstrip() != "---":
        return [], 0
    end = None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            end = index
            break
    if end is None:
        return [], 0
    tags: list[str] = []
    body = lines[1:end]
    index = 0
    while index < len(body):
        m = _FRONT_MATTER_TAGS.match(body[index])
        if m:
            value = m.group(2).strip()
            items: list[str] = []
            if value.startswith("["):  # a YAML flow list
                items = value.strip("[]").split(",")
            elif value:  # Obsidian also reads "tags: a, b" and "tags: a b"
                items = re.split(r"[,\s]+", value)
            else:
                while index + 1 < len(body) and _LIST_ITEM.match(body[index + 1]):
                    index += 1
                    items.append(_LIST_ITEM.match(body[index]).group(1))
            for item in items:
                item = item.strip().strip("'\"").strip().lstrip("#")
                if item:
                    tags.append(item)
        index += 1
    return tags, end + 1


def _tags_in(text: str) -> list[str]:
    """Obsidian tags in ``text`` (without '#'); a tag needs a character that is not a digit."""
    return [t for t in (m.group(1).strip("/") for m in _TAG.finditer(text)) if t and not t.replace("/", "").isdigit()]


def _is_flashcard_tag(tag: str) -> bool:
    return tag.split("/", 1)[0].lower() == FLASHCARD_TAG


def _tag_name(tag: str) -> str:
    return re.sub(r"\s+", "_", tag.strip().lstrip("#"))


def _split_leading_tags(text: str) -> tuple[list[str], str]:
    """(tags at the start of ``text``, the rest): the plugin's question-specific tags."""
    tags: list[str] = []
    pos = 0
    while True:
        m = _LEADING_TAG.match(text, pos)
        if not m or not _tags_in("#" + m.group(1)):
            break
        tags.append(m.group(1).strip("/"))
        pos = m.end()
    return tags, text[pos:]


def _question_head(text: str) -> tuple[list[str], int, str]:
    """Split what leads a question: (its tags, how many lines of tags and
    headings were dropped, the rest). Headings above a question in the same
    paragraph become its context, as the plugin shows them."""
    tags: list[str] = []
    dropped = 0
    while True:
        found, rest = _split_leading_tags(text)
        if found:
            tags.extend(found)
            dropped += text[: len(text) - len(rest)].count("\n")
            text = rest
            continue
        first, newline, rest = text.partition("\n")
        if newline and rest.strip() and _HEADING.match(first):
            dropped += 1
            text = rest
            continue
        return tags, dropped, text


def _unheading(text: str) -> str:
    """A question written as a heading (``## What is...?``) without its ``#`` marks."""
    if "#" not in text:
        return text
    return "\n".join(_heading_title(m) if (m := _HEADING.match(line)) else line for line in text.split("\n"))


def _block_id(text: str) -> str | None:
    m = _BLOCK_ID.search(_strip_comments(text, sr_only=True))
    return m.group(1) if m else None


def _mask(line: str, *, clozes: bool) -> str:
    """``line`` with inline code (and Anki clozes) blanked out, same length."""
    masked = _INLINE_CODE.sub(lambda m: "\x00" * len(m.group()), line) if "`" in line else line
    if clozes and "{{" in masked:
        for start, end, *_ in _anki_clozes(masked):
            masked = masked[:start] + "\x00" * (end - start) + masked[end:]
    return masked


def _inline_separator(line: str) -> tuple[str, int] | None:
    if INLINE_SEPARATOR not in line:
        return None
    masked = _mask(line, clozes=True)
    k = masked.find(INLINE_REVERSED_SEPARATOR)
    if k > 0:
        return "inline_rev", k
    k = masked.find(INLINE_SEPARATOR)
    if k > 0:
        return "inline", k
    return None


def _anki_clozes(line: str) -> list[tuple[int, int, int, int]]:
    """``{{cN::answer::hint}}`` spans of one line: (start, end, N, start of answer).

    A scan instead of one regular expression: a line full of unclosed
    ``{{c1::`` stays linear."""
    spans: list[tuple[int, int, int, int]] = []
    pos = 0
    while True:
        m = _ANKI_CLOZE_START.search(line, pos)
        if not m:
            return spans
        close = line.find("}}", m.end())
        if close < 0:
            return spans
        spans.append((m.start(), close + 2, int(m.group(1)), m.end()))
        pos = close + 2


def _strip_comments(text: str, *, sr_only: bool = False, replacement: str = "") -> str:
    """``text`` without HTML comments (or only ``<!--SR:...-->`` ones); an
    unclosed comment is left as written."""
    opener = "<!--SR:" if sr_only else "<!--"
    if opener not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        start = text.find(opener, pos)
        end = text.find("-->", start + len(opener)) if start >= 0 else -1
        if end < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        out.append(replacement)
        pos = end + 3


def _heading_title(m: re.Match) -> str:
    """A heading's text, without the optional closing ``#`` run."""
    title = m.group(2).rstrip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.rstrip()
    return title


def _has_cloze(line: str) -> bool:
    if "==" not in line and "{{" not in line:
        return False
    masked = _mask(line, clozes=False)
    return bool(_HIGHLIGHT.search(masked) or _anki_clozes(masked))


@dataclass
class _Deletion:
    start: int
    end: int
    answer: str
    hint: str | None
    number: int | None


def _deletions(text: str) -> list[_Deletion]:
    """Every cloze deletion of ``text``, in order (none inside inline code)."""
    found: list[_Deletion] = []
    offset = 0
    for line in text.split("\n"):
        masked = _mask(line, clozes=False)
        taken: list[tuple[int, int]] = []
        for s, e, number, inner_start in _anki_clozes(masked):
            answer, _, hint = line[inner_start : e - 2].partition("::")
            if not answer.strip():
                continue
            found.append(_Deletion(offset + s, offset + e, answer, hint or None, number))
            taken.append((s, e))
        rest = masked
        for s, e in taken:
            rest = rest[:s] + "\x00" * (e - s) + rest[e:]
        for m in _HIGHLIGHT.finditer(rest):
            inner = line[m.start(1) : m.end(1)]
            parts = _HIGHLIGHT_PARTS.match(inner)
            number = int(parts.group(1)) if parts.group(1) else None
            answer, hint = parts.group(2), parts.group(3)
            if not answer.strip():
                continue
            found.append(_Deletion(offset + m.start(), offset + m.end(), answer, hint or None, number))
        offset += len(line) + 1
    found.sort(key=lambda d: d.start)
    return found


def _cloze_side(text: str, deletions: list[_Deletion], *, hide: int | None) -> str:
    out: list[str] = []
    pos = 0
    for d in deletions:
        out.append(text[pos : d.start])
        if d.number == hide:
            out.append(f"[{d.hint}]" if d.hint else "[...]")
        else:
            out.append(d.answer)
        pos = d.end
    out.append(text[pos:])
    return "".join(out).strip()


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(text)}


def _embed(m: re.Match) -> str:
    target = m.group(1).strip()
    if not target:
        return ""
    kind = "image" if target.lower().endswith(IMAGE_EXTENSIONS) else "embed"
    return f"[{kind}: {target}]"


def _md_image(m: re.Match) -> str:
    alt, src = m.group(1).strip(), m.group(2).strip()
    label = alt or src.rstrip("/").rsplit("/", 1)[-1]
    return f"[image: {label}]" if label else "[image]"


def _iframe(m: re.Match) -> str:
    attrs = _attrs(m.group(1))
    src = attrs.get("src", "").strip()
    return f"[iframe: {src}]" if src else "[iframe]"


def _img_tag(m: re.Match) -> str:
    attrs = _attrs(m.group(1))
    label = attrs.get("alt") or attrs.get("src", "").rstrip("/").rsplit("/", 1)[-1]
    return f"[image: {label}]" if label else "[image]"


def _display(text: str) -> str:
    """Card text as the terminal shows it (see the module docstring)."""
    if not text:
        return ""
    text = _strip_comments(text)
    if "<" in text:
        text = _IFRAME_END.sub("", _IFRAME.sub(_iframe, text))
        text = _IMG_TAG.sub(_img_tag, text)
        text = _BR.sub("\n", text)
        text = _LAYOUT_TAGS.sub("", text)
    if "[" in text:
        text = _EMBED.sub(_embed, text)
        text = _MD_IMAGE.sub(_md_image, text)
        text = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)
    if ">" in text:
        text = _CALLOUT.sub(lambda m: m.group(2).strip(), text)
        text = _QUOTE.sub("", text)
    if "^" in text:
        text = _BLOCK_ID.sub("", text)
    text = text.replace("&nbsp;", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


def _normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: what an id hashes."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category.startswith("M"):
            continue
        out.append(char.casefold() if category[0] in "LN" else " ")
    return " ".join("".join(out).split())


def _hash(text: str) -> str:
    key = _normalize(text) or " ".join(text.split())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _assign_ids(source: str, questions: list[_Question]) -> list[ParsedCard]:
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
