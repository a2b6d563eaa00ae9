"""Anki-style cloze deletions: ``{{c1::answer}}`` and ``{{c1::answer::hint}}``.

Deletions are found by a linear scan, not a regex: a lazy regex over
``{{c1::`` without its ``}}`` backtracks in time quadratic in the text.
A deletion's number has at most 9 digits (a longer one is text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

_MAX_DIGITS = 9


@dataclass(frozen=True)
class Cloze:
    """One ``{{cN::answer::hint}}`` at ``text[start:end]``."""

    start: int
    end: int
    number: int
    answer: str
    hint: str | None


def clozes(text: str) -> Iterator[Cloze]:
    """The deletions of ``text``, in order (as Anki's ``{{c(\\d+)::(.*?)(?:::(.*?))?}}``)."""
    i = 0
    while True:
        start = text.find("{{c", i)
        if start < 0:
            return
        digits = start + 3
        while digits < len(text) and text[digits].isdecimal() and digits - start - 3 < _MAX_DIGITS + 1:
            digits += 1
        count = digits - start - 3
        if count == 0 or count > _MAX_DIGITS or not text.startswith("::", digits):
            i = start + 1
            continue
        body = digits + 2
        close = text.find("}}", body)
        if close < 0:
            return  # no "}}" is left: no later deletion can close either
        sep = text.find("::", body, close)
        answer, hint = (text[body:close], None) if sep < 0 else (text[body:sep], text[sep + 2 : close])
        yield Cloze(start, close + 2, int(text[start + 3 : digits]), answer, hint)
        i = close + 2


def _substitute(text: str, replace: Callable[[Cloze], str]) -> str:
    pieces, pos = [], 0
    for c in clozes(text):
        pieces += [text[pos : c.start], replace(c)]
        pos = c.end
    return "".join(pieces) + text[pos:]


def cloze_numbers(text: str) -> list[int]:
    """The distinct cloze numbers in ``text``, ascending."""
    return sorted({c.number for c in clozes(text)})


def cloze_front(text: str, number: int) -> str:
    """The question side: cloze ``number`` hidden as [...] (or [hint])."""

    def hide(c: Cloze) -> str:
        if c.number == number:
            return f"[{c.hint}]" if c.hint else "[...]"
        return c.answer

    return _substitute(text, hide)


def cloze_back(text: str, number: int) -> str:
    """The answer side: every deletion shown as plain text."""
    return _substitute(text, lambda c: c.answer)


def cloze_answers(text: str, number: int) -> list[str]:
    """The hidden answers of cloze ``number``, in order."""
    return [c.answer for c in clozes(text) if c.number == number]
