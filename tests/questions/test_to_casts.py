"""The to_casts family: values after .to() casts, checked against our own rules.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import math
import re

from quizapp.questions.families import to_casts as module

FAMILY = module.FAMILY


def _expected(code: str) -> str:
    """The values by our own reading of the cast rules."""
    first, *_, last = code.splitlines()
    call = ast.parse(first).body[0].value
    data = ast.literal_eval(call.args[0])
    if last == "x":  # .to() returned a new tensor; x is unchanged
        out = data
    elif match := re.fullmatch(r"\(x / (\d)\)(\.\w+\(.*\))?", last):
        out = [math.trunc(v / int(match.group(1))) for v in data]
    elif last.startswith("m"):
        match = re.fullmatch(r"m\.(\w+)\((torch\.\w+)?\)(?: ([*+]) (\d))?", last)
        method, target, op, k = match.groups()
        to_float = method == "float" or target == "torch.float32"
        out = [(1.0 if f else 0.0) if to_float else int(f) for f in data]
        if op == "*":
            out = [v * int(k) for v in out]
        elif op == "+":
            out = [v + int(k) for v in out]
    elif "uint8" in last or ".byte()" in last:
        out = [v % 256 for v in data]
    elif "bool" in last:
        out = [v != 0 for v in data]
    else:
        assert re.fullmatch(r"x\.(int|long|to)\((torch\.int\d+)?\)", last), last
        out = [math.trunc(v) for v in data]
    return json.dumps(out)


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code)


def test_every_case_is_asked(questions):
    questions = list(questions.values())
    codes = "\n".join(q.code for q in questions)
    for cast in ("torch.uint8", ".bool()", ".float()", ".long()", ".int()", "/ 2"):
        assert cast in codes, cast
    # Negative floats truncate toward zero: some answer shows it.
    assert any(re.search(r"-\d\.[6-9]", q.code) and q.code.count("\n") == 1 and "bool" not in q.code for q in questions)
    # Float -> uint8 is never asked (out of range it is undefined).
    for q in questions:
        if "uint8" in q.code or ".byte()" in q.code:
            assert "." not in q.code.splitlines()[0].split("tensor(")[1].split("]")[0], q.code
