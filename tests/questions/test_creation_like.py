"""The creation_like family: creation functions and *_like, checked against our own rules.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import math

import pytest

torch = pytest.importorskip("torch")

from quizapp.domain import AnswerKind  # noqa: E402
from quizapp.questions.base import format_shape  # noqa: E402
from quizapp.questions.families import creation_like as module  # noqa: E402

FAMILY = module.FAMILY


def _sizes(args) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _filled(shape, value) -> list:
    return [value] * shape[0] if len(shape) == 1 else [_filled(shape[1:], value) for _ in range(shape[0])]


def _expected(code: str, kind: str) -> str:
    """What our own reading of the creation rules says the snippet gives."""
    tree = ast.parse(code)
    namespace = {"torch": torch}
    exec(compile(ast.Module(tree.body[:-1], []), "<setup>", "exec"), namespace)
    last = tree.body[-1].value
    call = last.value if isinstance(last, ast.Attribute) else last
    name = ast.unparse(call.func).rsplit(".", 1)[-1]
    args = [eval(ast.unparse(a), namespace) for a in call.args]
    kw = {k.arg: eval(ast.unparse(k.value), namespace) for k in call.keywords}
    x = namespace.get("x")
    f32 = torch.float32
    if name in ("zeros", "ones", "empty", "rand", "randn"):
        shape, dtype = _sizes(args), kw.get("dtype", f32)
    elif name == "full":
        fill = args[1]
        inferred = torch.bool if isinstance(fill, bool) else torch.int64 if isinstance(fill, int) else f32
        shape, dtype = tuple(args[0]), kw.get("dtype", inferred)
    elif name == "arange":
        start, end, step = ([0] + args + [1])[-3:] if len(args) == 1 else (args + [1])[:3]
        shape = (math.ceil((end - start) / step),)
        dtype = torch.int64 if all(isinstance(a, int) for a in args) else f32
    elif name == "linspace":
        shape, dtype = (args[2],), kw.get("dtype", f32)
    elif name == "eye":
        shape, dtype = (args[0], args[-1]), f32
    elif name == "randint":
        if not isinstance(args[-1], tuple):
            return "TypeError"
        shape, dtype = args[-1], torch.int64
    elif name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like", "randint_like", "full_like"):
        shape, dtype = tuple(x.shape), kw.get("dtype", x.dtype)
        if name in ("rand_like", "randn_like") and not dtype.is_floating_point:
            return "NotImplementedError"
        if kind == AnswerKind.VALUES:
            fill = {"zeros_like": 0, "ones_like": 1}.get(name, args[-1])
            value = float(fill) if dtype.is_floating_point else int(fill)
            return json.dumps(_filled(shape, value))
    elif name in ("new_zeros", "new_ones"):
        shape, dtype = _sizes(args), x.dtype
    else:
        raise AssertionError(code)
    return format_shape(shape) if kind == AnswerKind.SHAPE else str(dtype)


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code, q.answer_kind), (seed, q.code)


def test_every_case_is_asked(questions):
    questions = list(questions.values())
    kinds = {q.answer_kind for q in questions}
    assert kinds == {AnswerKind.SHAPE, AnswerKind.DTYPE, AnswerKind.VALUES}
    answers = {q.answer for q in questions}
    assert {"TypeError", "NotImplementedError", "torch.int64", "torch.float32"} <= answers
    # rand_like on an int tensor fails with a RuntimeError subclass.
    assert issubclass(NotImplementedError, RuntimeError)
    # Random draws are seeded in the snippet itself.
    for q in questions:
        if "torch.rand" in q.code:
            assert q.code.startswith("torch.manual_seed("), q.code


def test_rand_like_never_offers_runtime_error(questions):
    for _seed, q in questions.items():
        if q.answer == "NotImplementedError":
            assert "RuntimeError" not in q.choices
