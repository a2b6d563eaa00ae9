"""The matmul family: shapes of @, torch.matmul, torch.mm and torch.bmm, and their errors.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import re

import pytest

from quizapp.questions.families import matmul as module

FAMILY = module.FAMILY

torch = pytest.importorskip("torch")


SNIPPET_RE = re.compile(r"a = torch\.ones\((.*)\)\nb = torch\.ones\((.*)\)\n(.*)\.shape")


def _shape(text: str) -> list[int]:
    return [int(d) for d in text.split(",") if d.strip()]


def _fmt(shape) -> str:
    shape = list(shape)
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _matmul_oracle(a: list[int], b: list[int]) -> str:
    """torch.matmul's shape rule, written from its documentation."""
    if len(a) == 1 and len(b) == 1:
        return "()" if a == b else "RuntimeError"
    inner_b = b[0] if len(b) == 1 else b[-2]
    if a[-1] != inner_b:
        return "RuntimeError"
    if len(b) == 1:
        return _fmt(a[:-1])
    if len(a) == 1:
        return _fmt(b[:-2] + b[-1:])
    try:
        batch = list(torch.broadcast_shapes(torch.Size(a[:-2]), torch.Size(b[:-2])))
    except RuntimeError:
        return "RuntimeError"
    return _fmt(batch + [a[-2], b[-1]])


def _mm_oracle(a: list[int], b: list[int]) -> str:
    if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
        return "RuntimeError"
    return _fmt([a[0], b[1]])


def _bmm_oracle(a: list[int], b: list[int]) -> str:
    if len(a) != 3 or len(b) != 3 or a[0] != b[0] or a[2] != b[1]:
        return "RuntimeError"
    return _fmt([a[0], a[1], b[2]])


def test_shapes_match_the_documented_rules(built):
    seen = set()
    for seed, (draft, q, _) in built.items():
        m = SNIPPET_RE.fullmatch(draft.code)
        assert m, draft.code
        a, b, expr = _shape(m.group(1)), _shape(m.group(2)), m.group(3)
        oracle = {
            "(a @ b)": _matmul_oracle,
            "torch.matmul(a, b)": _matmul_oracle,
            "torch.mm(a, b)": _mm_oracle,
            "torch.bmm(a, b)": _bmm_oracle,
        }[expr]
        assert q.answer == oracle(a, b), (seed, draft.code, q.answer)
        seen.add((expr, len(a), len(b), q.answer == "RuntimeError"))
    # 1-D @ 1-D, vector/matrix, batched with broadcasting, mm and bmm errors all come up.
    assert {
        ("(a @ b)", 1, 2, False),
        ("(a @ b)", 2, 1, False),
        ("(a @ b)", 2, 2, True),
        ("(a @ b)", 3, 3, True),
        ("(a @ b)", 3, 2, False),
        ("torch.mm(a, b)", 3, 2, True),
        ("torch.bmm(a, b)", 3, 3, True),
        ("torch.bmm(a, b)", 3, 2, True),
        ("torch.bmm(a, b)", 3, 3, False),
    } <= seen


def test_vector_dot_vector_is_zero_dim(built):
    dots = [
        q for draft, q, _ in built.values() if re.match(r"a = torch\.ones\(\d+\)\nb = torch\.ones\(\d+\)\n", draft.code)
    ]
    assert dots and all(q.answer == "()" for q in dots)
    assert all("(1,)" in q.choices or len(q.mistakes) == 3 for q in dots)


def test_batch_dims_broadcast(built):
    broadcast = 0
    for draft, q, _ in built.values():
        m = SNIPPET_RE.fullmatch(draft.code)
        a, b = _shape(m.group(1)), _shape(m.group(2))
        if m.group(3) == "(a @ b)" and len(a) >= 3 and len(b) >= 3 and a[:-2] != b[:-2] and q.answer != "RuntimeError":
            expected = list(torch.broadcast_shapes(torch.Size(a[:-2]), torch.Size(b[:-2])))
            assert _shape(q.answer.strip("()"))[:-2] == expected
            assert "batch_not_broadcast" in q.mistakes.values()
            broadcast += 1
    assert broadcast >= 10


def test_mismatched_inner_dims_offer_the_shape_the_learner_expects(built):
    for draft, q, _ in built.values():
        m = SNIPPET_RE.fullmatch(draft.code)
        a, b = _shape(m.group(1)), _shape(m.group(2))
        if m.group(3) == "(a @ b)" and len(a) == len(b) == 2 and a[1] != b[0]:
            assert q.answer == "RuntimeError"
            assert _fmt([a[0], b[1]]) in q.choices  # inner dims ignored
