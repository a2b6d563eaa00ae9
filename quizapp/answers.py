"""Compare what the learner typed with the right answer. Pure: no I/O.

Flashcards compare text as Anki's "type in the answer" does, a little more
forgiving: surrounding whitespace, repeated spaces, backticks and letter case
don't matter. The character diff is what the review screen shows.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Mark(Enum):
    """How a stretch of text compares."""

    SAME = "same"  # typed and right
    WRONG = "wrong"  # typed, but not in the answer
    MISSING = "missing"  # in the answer, not typed


@dataclass(frozen=True)
class Verdict:
    correct: bool
    #: The typed text, split into SAME and WRONG stretches.
    typed: list[tuple[str, Mark]]
    #: The right answer, split into SAME and MISSING stretches.
    expected: list[tuple[str, Mark]]
    #: A specific hint for a near miss, or "".
    hint: str = ""


def normalize(text: str) -> str:
    """The form two answers are compared in."""
    text = unicodedata.normalize("NFC", text).replace("`", "")
    return " ".join(text.split()).casefold()


def compare_text(typed: str, expected: str) -> Verdict:
    """Compare free text; the diff is computed on the text as written."""
    typed_clean = " ".join(typed.split())
    expected_clean = " ".join(expected.replace("`", "").split())
    typed_marks, expected_marks = char_diff(typed_clean, expected_clean)
    return Verdict(normalize(typed) == normalize(expected), typed_marks, expected_marks)


def char_diff(typed: str, expected: str) -> tuple[list[tuple[str, Mark]], list[tuple[str, Mark]]]:
    """Anki-style comparison: which typed characters are wrong, which
    characters of the answer are missing."""
    matcher = difflib.SequenceMatcher(None, typed.casefold(), expected.casefold(), autojunk=False)
    typed_marks: list[tuple[str, Mark]] = []
    expected_marks: list[tuple[str, Mark]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            typed_marks.append((typed[a0:a1], Mark.SAME))
            expected_marks.append((expected[b0:b1], Mark.SAME))
            continue
        if a1 > a0:
            typed_marks.append((typed[a0:a1], Mark.WRONG))
        if b1 > b0:
            expected_marks.append((expected[b0:b1], Mark.MISSING))
    return typed_marks, expected_marks
