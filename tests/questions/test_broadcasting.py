"""The broadcasting family: answers from torch, distractors from misconceptions.

What every family must do is checked in test_family_contract.py; here, the answers
against torch.broadcast_shapes.
"""

from __future__ import annotations

import re

import pytest

torch = pytest.importorskip("torch")

from quizapp.questions.base import format_shape  # noqa: E402
from quizapp.questions.families import broadcasting as module  # noqa: E402

FAMILY = module.FAMILY


def _shapes(code: str) -> tuple[list[int], list[int]]:
    a, b = re.findall(r"^[ab] = torch\.ones\(([\d, ]+)\)$", code, re.M)
    return [int(d) for d in a.split(",") if d.strip()], [int(d) for d in b.split(",") if d.strip()]


def test_answers_follow_broadcast_shapes(questions):
    for seed, q in questions.items():
        a, b = _shapes(q.code)
        try:
            expected = tuple(torch.broadcast_shapes(tuple(a), tuple(b)))
        except RuntimeError:
            expected = None
        inplace = "_(b)" in q.code
        if expected is None or (inplace and list(expected) != a):
            assert q.answer == "RuntimeError", (seed, q.code)
        else:
            assert q.answer == format_shape(expected), (seed, q.code)


def test_no_trivial_questions(questions):
    """b is never just a copy of a, and in-place questions both fail and succeed."""
    inplace_ok = inplace_error = 0
    for seed, q in questions.items():
        a, b = _shapes(q.code)
        assert a != b, (seed, q.code)
        if "_(b)" in q.code:
            if q.answer == "RuntimeError":
                inplace_error += 1
            else:
                inplace_ok += 1
                assert q.answer == format_shape(a), (seed, q.code)
    assert inplace_ok >= 10 and inplace_error >= 10
