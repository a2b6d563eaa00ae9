"""Anki-style cloze deletions: ``{{c1::answer}}`` and ``{{c1::answer::hint}}``."""

from __future__ import annotations

import re

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def cloze_numbers(text: str) -> list[int]:
    """The distinct cloze numbers in ``text``, ascending."""
    return sorted({int(m.group(1)) for m in CLOZE.finditer(text)})


def cloze_front(text: str, number: int) -> str:
    """The question side: cloze ``number`` hidden as [...] (or [hint])."""

    def hide(m: re.Match[str]) -> str:
        if int(m.group(1)) == number:
            return f"[{m.group(3)}]" if m.group(3) else "[...]"
        answer: str = m.group(2)
        return answer

    return CLOZE.sub(hide, text)


def cloze_back(text: str, number: int) -> str:
    """The answer side: every deletion shown as plain text."""
    return CLOZE.sub(lambda m: m.group(2), text)


def cloze_answers(text: str, number: int) -> list[str]:
    """The hidden answers of cloze ``number``, in order."""
    return [m.group(2) for m in CLOZE.finditer(text) if int(m.group(1)) == number]
