"""The gather_scatter family, checked against our own rules computed in
plain Python from the values written in the snippet.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import re

from quizapp.questions.base import format_shape
from quizapp.questions.families import gather_scatter as module

FAMILY = module.FAMILY


def _value(code: str, name: str):
    return ast.literal_eval(re.search(rf"^{name} = torch\.tensor\((.*)\)$", code, re.M).group(1))


def _expected(code: str) -> str:
    last = code.splitlines()[-1]
    if m := re.fullmatch(r"x\.gather\(([01]), idx\)(\.shape)?", last):
        x, idx = _value(code, "x"), _value(code, "idx")
        if m[2]:
            return format_shape([len(idx), len(idx[0])])
        if m[1] == "1":
            return json.dumps([[x[i][v] for v in row] for i, row in enumerate(idx)])
        return json.dumps([[x[v][j] for j, v in enumerate(row)] for row in idx])
    if "scatter_add" in last:
        idx, src = _value(code, "idx"), _value(code, "src")
        out = [0] * int(re.search(r"zeros\((\d+)", last).group(1))
        for i, v in zip(idx, src, strict=True):
            out[i] += v
        return json.dumps(out)
    if m := re.fullmatch(r"x\.index_select\(([01]), idx\)", last):
        x, idx = _value(code, "x"), _value(code, "idx")
        if m[1] == "0":
            return json.dumps([x[i] for i in idx])
        return json.dumps([[row[i] for i in idx] for row in x])
    assert last == "torch.take(x, idx)", code
    x, idx = _value(code, "x"), _value(code, "idx")
    flat = [v for row in x for v in row]
    return json.dumps([flat[i] for i in idx])


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in (".gather(0", ".gather(1", "scatter_add(", ".index_select(0", ".index_select(1", "torch.take("):
        assert piece in codes, piece
    assert all(len(set(q.choices)) >= 4 for q in questions.values())
