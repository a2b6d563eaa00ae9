"""The promotion family: dtypes of mixed operations, checked against torch.result_type.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast

import pytest

torch = pytest.importorskip("torch")

from quizapp.questions.families import promotion as module  # noqa: E402

FAMILY = module.FAMILY


def _expected(code: str) -> str:
    """The dtype by the promotion rules, computed with torch.result_type."""
    tree = ast.parse(code)
    namespace = {"torch": torch}
    exec(compile(ast.Module(tree.body[:-1], []), "<setup>", "exec"), namespace)
    last = tree.body[-1].value
    assert isinstance(last, ast.Attribute) and last.attr == "dtype"
    expr = last.value
    if isinstance(expr, ast.BinOp):
        left, right = (eval(ast.unparse(e), namespace) for e in (expr.left, expr.right))
        dtype = torch.result_type(left, right)
        if isinstance(expr.op, ast.Div) and not dtype.is_floating_point:
            dtype = torch.get_default_dtype()
        return str(dtype)
    assert isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
    x = eval(ast.unparse(expr.func.value), namespace)
    method = expr.func.attr
    if method in ("sum", "prod"):
        return str(x.dtype if x.dtype.is_floating_point else torch.int64)
    if method == "mean":
        return str(x.dtype) if x.dtype.is_floating_point else "RuntimeError"
    assert method == "max"
    return str(x.dtype)


def test_answers_follow_result_type(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code)


def test_rules_are_all_asked(questions):
    answers = {q.answer for q in questions.values()}
    assert {"RuntimeError", "torch.float32", "torch.int64", "torch.int16", "torch.float16", "torch.bool"} <= answers
    # A 0-dim float64 with a float32 tensor stays float32.
    assert any(
        "s = torch.tensor(" in q.code and "float64" in q.code and q.answer == "torch.float32"
        for q in questions.values()
    )
    # True division of ints gives float32; floor division keeps the int dtype.
    assert any(" / " in q.code and q.answer == "torch.float32" for q in questions.values())
    assert any(" // " in q.code and q.answer.startswith("torch.int") for q in questions.values())
