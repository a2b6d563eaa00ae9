"""The autograd family: x.grad values, accumulation, leaves, requires_grad and no_grad.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import json
import re

import pytest

from quizapp.domain import AnswerKind
from quizapp.questions.families import autograd as module

FAMILY = module.FAMILY


def _grad_at(expr: str, x: float) -> float:
    """Central difference of a Python expression in x (independent of autograd)."""
    h = 1e-5
    return (eval(expr, {"x": x + h}) - eval(expr, {"x": x - h})) / (2 * h)


def test_scalar_gradients_match_finite_differences(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        m = re.fullmatch(
            r"x = torch\.tensor\((-?[\d.]+), requires_grad=True\)\ny = (.*)\ny\.backward\(\)\nx\.grad", draft.code
        )
        if m and "torch" not in m.group(2) and ".sum" not in m.group(2):
            expected = _grad_at(m.group(2), float(m.group(1)))
            assert abs(json.loads(q.answer) - expected) < 1e-3, (seed, draft.code, q.answer, expected)
            seen += 1
    assert seen >= 30


def test_vector_gradients(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        m = re.search(
            r"x = torch\.tensor\((\[.*\]), requires_grad=True\)\ny = (.*)\ny\.backward\(\)\nx\.grad$", draft.code
        )
        if not m:
            continue
        if m.group(2) not in ("(x ** 2).sum()", "(x ** 2).mean()", "(x * w).sum()"):
            continue  # a non-scalar output: see test_graph_is_freed_after_backward
        xs = json.loads(m.group(1))
        w = re.match(r"w = torch\.tensor\((\[.*\])\)", draft.code)
        expected = {
            "(x ** 2).sum()": [2 * x for x in xs],
            "(x ** 2).mean()": [round(2 * x / len(xs), 4) for x in xs],
            "(x * w).sum()": json.loads(w.group(1)) if w else None,
        }[m.group(2)]
        assert json.loads(q.answer) == pytest.approx(expected, abs=1e-4), (seed, draft.code)
        assert len(json.loads(q.answer)) == len(xs)  # x.grad has the shape of x
        seen += 1
    assert seen >= 10


def test_gradients_accumulate(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        x = re.match(r"x = torch\.tensor\((-?[\d.]+), requires_grad=True\)", draft.code)
        loop = re.search(r"for i in range\((\d)\):\n    y = x \*\* 2\n    y\.backward\(\)\nx\.grad$", draft.code)
        two = re.search(
            r"\(x \*\* 2\)\.backward\(\)\n(x\.grad\.zero_\(\)\n)?\((\d) \* x\)\.backward\(\)\nx\.grad$", draft.code
        )
        if loop:
            assert json.loads(q.answer) == int(loop.group(1)) * 2 * float(x.group(1))
            assert "grad_not_accumulated" in q.mistakes.values()
        elif two:
            c, xv = int(two.group(2)), float(x.group(1))
            expected = c if two.group(1) else 2 * xv + c
            assert json.loads(q.answer) == pytest.approx(expected), (seed, draft.code)
        else:
            continue
        seen += 1
    assert seen >= 15


def test_graph_is_freed_after_backward(built):
    seen = 0
    for draft, q, _ in built.values():
        lines = draft.code.splitlines()
        if lines[-3:-1] == ["y.backward()", "y.backward()"]:
            assert q.answer == "RuntimeError"
            assert "graph_kept" in q.mistakes.values()
            seen += 1
        if lines[-3:-1] == ["y.backward(retain_graph=True)", "y.backward()"]:
            assert q.answer != "RuntimeError" and "RuntimeError" in q.choices
            seen += 1
        if re.match(r"y = \d \* x$", lines[1]) and lines[2] == "y.backward()":  # non-scalar output
            assert q.answer == "RuntimeError"
            seen += 1
    assert seen >= 15


def _expected_flags(code: str) -> str:
    """The pair of flags the rule gives, from what the snippet does."""
    lines = code.splitlines()
    last = lines[-1]
    if last == "(y.grad is None, x.grad is None)":
        return "[true, false]"  # a non-leaf keeps no .grad; the leaf gets one
    if last == "(x.requires_grad, x.is_leaf)":
        return "[true, true]"  # a tensor made with requires_grad=True is a leaf
    if last == "(v.requires_grad, v.is_leaf)":
        return "[false, true]"  # made from tensors that track nothing: a leaf that tracks nothing
    assert last == "(y.requires_grad, y.is_leaf)", code
    if "torch.no_grad()" in code or ".detach()" in code:
        return "[false, true]"  # cut from the graph: a leaf again
    return "[true, false]"  # computed from a tracked tensor


def test_leaves_and_requires_grad(built):
    seen = set()
    for draft, q, _ in built.values():
        last = draft.code.splitlines()[-1]
        if not last.startswith("(") or ("grad" not in last and "leaf" not in last):
            continue
        assert q.answer_kind == AnswerKind.VALUES
        assert q.answer == _expected_flags(draft.code), draft.code
        assert len(set(q.choices)) == 4, q.choices
        seen.add(last if "detach" not in draft.code and "no_grad" not in draft.code else "cut")
    assert {
        "(y.requires_grad, y.is_leaf)",
        "(x.requires_grad, x.is_leaf)",
        "(v.requires_grad, v.is_leaf)",
        "(y.grad is None, x.grad is None)",
        "cut",
    } <= seen
