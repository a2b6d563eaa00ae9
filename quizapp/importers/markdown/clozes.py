"""Cloze deletions in a paragraph, and the cloze cards they make.

A paragraph (up to the next blank line) with a cloze in one of its lines:
``==highlight==`` (with the plugin's optional ``==1;;answer;;hint==``
numbering and hint) or an Anki ``{{c1::answer::hint}}``. Each unnumbered
highlight is its own card; numbered deletions with the same number are
asked together; all are siblings. Nothing inside inline code is a cloze;
``**bold**`` and ``{{curly}}`` are not clozes. A card's data keeps the
paragraph as an Anki cloze text (``{{cN::...}}``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from quizapp.domain import CardKind
from quizapp.importers.markdown.display import display
from quizapp.importers.markdown.ids import Question, key_hash
from quizapp.importers.markdown.syntax import INLINE_CODE

__all__ = ["MAX_CLOZES", "Deletion", "anki_clozes", "cloze_question", "deletions", "has_cloze", "mask"]

#: Most cloze numbers in one paragraph.
MAX_CLOZES = 100

_ANKI_CLOZE_START = re.compile(r"\{\{c(\d{1,4})::")
_HIGHLIGHT = re.compile(r"==((?:(?!==)[^\n])+)==")
_HIGHLIGHT_PARTS = re.compile(r"^(?:(\d+);;)?(.*?)(?:;;(.*))?$", re.DOTALL)


def mask(line: str, *, clozes: bool) -> str:
    """``line`` with inline code (and Anki clozes) blanked out, same length."""
    masked = INLINE_CODE.sub(lambda m: "\x00" * len(m.group()), line) if "`" in line else line
    if clozes and "{{" in masked:
        for start, end, *_ in anki_clozes(masked):
            masked = masked[:start] + "\x00" * (end - start) + masked[end:]
    return masked


def anki_clozes(line: str) -> list[tuple[int, int, int, int]]:
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


def has_cloze(line: str) -> bool:
    """Whether ``line`` holds a deletion (outside inline code)."""
    if "==" not in line and "{{" not in line:
        return False
    masked = mask(line, clozes=False)
    return bool(_HIGHLIGHT.search(masked) or anki_clozes(masked))


@dataclass
class Deletion:
    start: int
    end: int
    answer: str
    hint: str | None
    number: int | None


def deletions(text: str) -> list[Deletion]:
    """Every cloze deletion of ``text``, in order (none inside inline code)."""
    found: list[Deletion] = []
    offset = 0
    for line in text.split("\n"):
        masked = mask(line, clozes=False)
        taken: list[tuple[int, int]] = []
        for s, e, number, inner_start in anki_clozes(masked):
            answer, _, hint = line[inner_start : e - 2].partition("::")
            if not answer.strip():
                continue
            found.append(Deletion(offset + s, offset + e, answer, hint or None, number))
            taken.append((s, e))
        rest = masked
        for s, e in taken:
            rest = rest[:s] + "\x00" * (e - s) + rest[e:]
        for m in _HIGHLIGHT.finditer(rest):
            inner = line[m.start(1) : m.end(1)]
            parts = _HIGHLIGHT_PARTS.match(inner)
            assert parts is not None  # the pattern matches any text
            written = int(parts.group(1)) if parts.group(1) else None
            answer, hint = parts.group(2), parts.group(3)
            if not answer.strip():
                continue
            found.append(Deletion(offset + m.start(), offset + m.end(), answer, hint or None, written))
        offset += len(line) + 1
    found.sort(key=lambda d: d.start)
    return found


def _cloze_side(text: str, deletions: list[Deletion], *, hide: int | None) -> str:
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


def cloze_question(
    text: str,
    line: int,
    deck: str,
    tags: tuple[str, ...],
    block_id: str | None,
    context: str,
    warn: Callable[[int, str], None],
) -> Question | None:
    """The cloze cards of a paragraph (``text`` as written, without its leading tags and headings)."""
    text = display(text)
    found = deletions(text)
    if not found:  # the cloze was hidden in a comment or removed markup
        return None
    # Number the deletions: written numbers stay, unnumbered highlights
    # each get the next free number, in order.
    if len({(d.number, d.start) if d.number is None else d.number for d in found}) > MAX_CLOZES:
        warn(line, f"skipped: more than {MAX_CLOZES} clozes in one paragraph")
        return None
    numbered = [d.number for d in found if d.number is not None]
    next_free = max(numbered, default=0) + 1
    numbers: set[int] = set()
    for d in found:
        if d.number is None:
            d.number = next_free
            next_free += 1
        numbers.add(d.number)
    skeleton, anki = [], []
    pos = 0
    for d in found:
        skeleton.append(text[pos : d.start])
        anki.append(text[pos : d.start])
        anki.append(f"{{{{c{d.number}::{d.answer}{'::' + d.hint if d.hint else ''}}}}}")
        pos = d.end
    skeleton.append(text[pos:])
    anki.append(text[pos:])
    anki_text = "".join(anki)
    key = "^" + block_id if block_id else "z-" + key_hash(" ".join(skeleton))
    question = Question(key, line, deck, tags)
    for number in sorted(numbers):
        front = _cloze_side(text, found, hide=number)
        back = _cloze_side(text, found, hide=None)
        data = {"text": anki_text, "cloze": number, "answers": [d.answer for d in found if d.number == number]}
        if context:
            data["context"] = context
        question.cards.append((f"::c{number}", CardKind.CLOZE, front, back, data))
    return question
