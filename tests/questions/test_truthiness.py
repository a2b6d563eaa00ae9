"""The truthiness family, checked against our own rules: a one-element
tensor is its number, several elements are ambiguous (RuntimeError), `and`
returns an operand, .item() gives a Python number, .tolist() nests.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import re

from quizapp.questions.families import truthiness as module

FAMILY = module.FAMILY


def _tensor(line: str):
    return ast.literal_eval(re.search(r"torch\.tensor\((.*?)\)(\.sum\(\))?$", line).group(1))


def _expected(code: str):
    lines = code.splitlines()
    last = lines[-1]
    if last == "'yes' if t else 'no'":
        t = _tensor(lines[0])
        return "RuntimeError" if len(t) != 1 else json.dumps("yes" if t[0] else "no")
    if last == "t.item()":
        t = _tensor(lines[0])
        return "RuntimeError" if len(t) != 1 else json.dumps(t[0])
    if last == "(a and b).tolist()":
        a, b = _tensor(lines[0]), _tensor(lines[1])
        if len(a) != 1:
            return "RuntimeError"
        return json.dumps(b if a[0] else a)
    t = _tensor(lines[0])
    return json.dumps(sum(t) if lines[0].endswith(".sum()") else t)


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    answers = {q.answer for q in questions.values()}
    assert {"RuntimeError", '"yes"', '"no"'} <= answers
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("if t else", "t.item()", "(a and b)", ".sum()\nt.tolist()"):
        assert piece in codes, piece
    assert all(len(set(q.choices)) >= 4 for q in questions.values())
