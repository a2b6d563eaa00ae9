"""The numerics family, checked against our own rules computed in plain
Python: float16's range, NaN propagation, float32 rounding (emulated with
struct), floor and truncating division, and integer wrap-around.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import json
import math
import re
import struct

from quizapp.questions.families import numerics as module

FAMILY = module.FAMILY
FLOAT16_MAX = 65504.0


def _f32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def _expected(code: str):
    lines = code.splitlines()
    last = lines[-1]
    if "float16" in code:
        big, small = (float(v) for v in re.search(r"\[([\d.]+), ([\d.]+)\]", lines[0]).groups())
        k = 2 if last == "x + x" else int(last.rsplit(" ", 1)[1])
        return ["inf" if v * k > FLOAT16_MAX else v * k for v in (big, small)]
    if "nan" in code:
        if last == "x == x":
            return [True, False, True]
        return "nan"  # sum, mean and max all propagate it
    if "allclose" in code:
        a, b, c = (float(re.search(r"tensor\(([\d.]+),", line).group(1)) for line in lines[:3])
        total = _f32(_f32(a) + _f32(b)) if "float32" in code else a + b
        other = _f32(c) if "float32" in code else c
        return [total == other, math.isclose(total, other, rel_tol=1e-5, abs_tol=1e-8)]
    if m := re.fullmatch(r"x = torch\.tensor\(\[-(\d+), \d+\]\)", lines[0]):
        p = int(m[1])
        if m2 := re.fullmatch(r"x // (\d+)", last):
            q = int(m2[1])
            return [-p // q, p // q]
        if m2 := re.fullmatch(r"torch\.div\(x, (\d+), rounding_mode='trunc'\)", last):
            q = int(m2[1])
            return [-(p // q), p // q]
        q = int(re.fullmatch(r"x % (\d+)", last)[1])
        return [-p % q, p % q]
    start, dtype = re.search(r"\[(\d+), 1\], dtype=torch\.(u?int8)", lines[0]).groups()
    add = int(last.rsplit(" ", 1)[1])
    wrap = (lambda v: (v + 128) % 256 - 128) if dtype == "int8" else (lambda v: v % 256)
    return [wrap(int(start) + add), wrap(1 + add)]


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert json.loads(q.answer) == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("float16", "float('nan')", "x == x", "allclose", "// ", "rounding_mode='trunc'", " % ", "int8",
                  "uint8"):  # fmt: skip
        assert piece in codes, piece
    answers = {q.answer for q in questions.values()}
    assert '"nan"' in answers and any('"inf"' in a for a in answers)
    assert "[true, true]" in answers and "[false, true]" in answers  # float32 lucky, float64 not
    assert all(len(set(q.choices)) >= 4 for q in questions.values())
