"""The reductions family: shapes after reducing, checked against our own rule.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import re

from quizapp.questions.base import format_shape
from quizapp.questions.families import reductions as module

FAMILY = module.FAMILY


def _expected(code: str) -> str:
    """Our own rule: drop (or keep as 1) each reduced dim; no dim reduces everything."""
    setup, last = code.splitlines()
    shape = [int(d) for d in re.search(r"\(([\d, ]+)\)", setup).group(1).split(", ")]
    ndim = len(shape)
    call = next(n for n in ast.walk(ast.parse(last)) if isinstance(n, ast.Call))
    args = list(call.args)
    if isinstance(call.func.value, ast.Name) and call.func.value.id == "torch":
        args = args[1:]  # torch.sum(x, ...)
    keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    dim = ast.literal_eval(args[0]) if args else keywords.get("dim")
    keepdim = keywords.get("keepdim", False)
    if dim is None:
        return "()"
    dims = dim if isinstance(dim, tuple) else (dim,)
    if any(not -ndim <= d < ndim for d in dims):
        return "IndexError"
    reduced = {d % ndim for d in dims}
    out = [1 if i in reduced else n for i, n in enumerate(shape) if keepdim or i not in reduced]
    return format_shape(out)


def test_answers_follow_our_rule(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code)


def test_every_case_is_asked(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("keepdim=True", "dim=-", "dim=(", ".values", "torch.sum(x", "argmax", "prod", "amax", "mean"):
        assert piece in codes, piece
    answers = {q.answer for q in questions.values()}
    assert "IndexError" in answers and "()" in answers
