"""The selection family: where, masked_fill, topk, sort, argmax, cumsum and
nonzero, checked against our own rules computed in plain Python from the
values written in the snippet.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import operator
import re

from quizapp.questions.base import format_shape
from quizapp.questions.families import selection as module

FAMILY = module.FAMILY

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt}


def _x(code: str):
    return ast.literal_eval(re.search(r"x = torch\.tensor\((.*)\)", code).group(1))


def _expected(code: str):
    """The answer by our rule, or None for a snippet this oracle doesn't read."""
    x = _x(code)
    last = code.splitlines()[-1]
    if m := re.fullmatch(r"torch\.where\(x (>=|>|<) (-?\d+), (x|-?\d+), (x|-?\d+)\)", last):
        op, t = _OPS[m[1]], int(m[2])

        def pick(arg, v):
            return v if arg == "x" else int(arg)

        return [pick(m[3], v) if op(v, t) else pick(m[4], v) for v in x]
    if m := re.fullmatch(r"x\.masked_fill\(x > (\d+), (-?\d+)\)", last):
        return [int(m[2]) if v > int(m[1]) else v for v in x]
    if last == "x":  # masked_fill is not in place
        return x
    if m := re.fullmatch(r"torch\.topk\(x, (\d)\)\.(values|indices)", last):
        order = sorted(range(len(x)), key=lambda i: -x[i])[: int(m[1])]
        return [x[i] for i in order] if m[2] == "values" else order
    if m := re.fullmatch(r"x\.sort\((descending=True)?\)\.(values|indices)", last):
        order = sorted(range(len(x)), key=lambda i: x[i], reverse=bool(m[1]))
        return [x[i] for i in order] if m[2] == "values" else order
    if m := re.fullmatch(r"x\.argmax\(dim=([01])\)", last):
        if m[1] == "0":
            return [max(range(len(x)), key=lambda r: x[r][c]) for c in range(len(x[0]))]
        return [max(range(len(row)), key=lambda c: row[c]) for row in x]
    if m := re.fullmatch(r"x\.cumsum\(dim=([01])\)", last):
        if not isinstance(x[0], list):
            return [sum(x[: i + 1]) for i in range(len(x))]
        if m[1] == "1":
            return [[sum(row[: j + 1]) for j in range(len(row))] for row in x]
        return [[sum(x[k][j] for k in range(i + 1)) for j in range(len(x[0]))] for i in range(len(x))]
    if last == "torch.nonzero(x).shape":
        flat = x if not isinstance(x[0], list) else [v for row in x for v in row]
        ndim = 1 if not isinstance(x[0], list) else 2
        return format_shape([sum(1 for v in flat if v), ndim])
    return None


def test_answers_follow_our_rules(questions):
    checked = 0
    for seed, q in questions.items():
        expected = _expected(q.code)
        assert expected is not None, (seed, q.code)
        answer = q.answer if q.answer.startswith("(") else json.loads(q.answer)
        assert answer == expected, (seed, q.code, q.answer)
        checked += 1
    assert checked == len(questions)


def test_every_case_is_asked_with_four_choices(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("torch.where(", "masked_fill(", "torch.topk(", ".sort(", "descending=True", ".argmax(dim=0)",
                  ".argmax(dim=1)", ".cumsum(dim=1)", "torch.nonzero("):  # fmt: skip
        assert piece in codes, piece
    four = sum(len(set(q.choices)) >= 4 for q in questions.values())
    assert four >= 0.95 * len(questions)
