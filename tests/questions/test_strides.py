"""The strides family, checked against our own rules: contiguous strides
from the shape, transpose swapping two of them, which views stay
contiguous, expand sharing memory where repeat copies.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import json
import re

from quizapp.questions.base import format_shape
from quizapp.questions.families import strides as module

FAMILY = module.FAMILY

#: Contiguity by our rule, for x of shape (n, m) with n, m >= 2.
CONTIGUOUS = {
    "x.t()": False,
    "x.T": False,
    "x[1:]": True,
    "x[:, 1:]": False,
    "x[:, ::2]": False,
    "x.unsqueeze(0)": True,
    "x.t().contiguous()": True,
    "x.view(-1)": True,
    "x[0]": True,
    "x[:, 0]": False,
}


def _contiguous(derivation: str) -> bool:
    if re.fullmatch(r"x\[:\d\]", derivation):
        return True  # leading rows
    if re.fullmatch(r"x\[:1\]\.expand\(\d, \d\)", derivation):
        return False  # stride 0
    return CONTIGUOUS[derivation]


def _expected(code: str):
    lines = code.splitlines()
    last = lines[-1]
    if last.endswith(".stride()"):
        shape = [int(d) for d in re.search(r"zeros\(([\d, ]+)\)", lines[0]).group(1).split(", ")]
        strides = [1] * len(shape)
        for d in range(len(shape) - 2, -1, -1):
            strides[d] = strides[d + 1] * shape[d + 1]
        if m := re.search(r"transpose\((\d), (\d)\)", last):
            i, j = int(m[1]), int(m[2])
            strides[i], strides[j] = strides[j], strides[i]
        return format_shape(strides)
    if last == "(b.is_contiguous(), c.is_contiguous())":
        return [_contiguous(lines[1].removeprefix("b = ")), _contiguous(lines[2].removeprefix("c = "))]
    if last == "y":
        v0, v1 = (int(v) for v in re.findall(r"\[(\d)\]", lines[0]))
        n = int(re.search(r"(?:expand\(2|repeat\(1), (\d)\)", lines[1]).group(1))
        first = 9 if "expand" in lines[1] else v0
        return [[first] * n, [v1] * n]
    if m := re.fullmatch(r"x\.repeat\((\d)\)\.shape", last):
        n = int(re.search(r"ones\((\d)\)", lines[0]).group(1))
        return format_shape([n * int(m[1])])
    assert re.fullmatch(r"x\.expand\(\d, \d+\)\.shape", last), code
    return "RuntimeError"  # expand can't stretch a dimension of size 2


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        expected = _expected(q.code)
        answer = json.loads(q.answer) if isinstance(expected, list) else q.answer
        assert answer == expected, (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in (".stride()", ".transpose(", "is_contiguous", ".expand(2", ".repeat(1", ".repeat("):
        assert piece in codes, piece
    assert "RuntimeError" in {q.answer for q in questions.values()}
    assert all(len(set(q.choices)) >= 4 for q in questions.values())
