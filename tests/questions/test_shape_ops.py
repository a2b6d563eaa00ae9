"""The shape_ops family: shapes after view/permute/squeeze..., checked against a model of
shapes and strides written here.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import math
import re

from quizapp.questions.base import format_shape
from quizapp.questions.families import shape_ops as module

FAMILY = module.FAMILY


class Failure(Exception):
    """What torch would raise, by our model: args[0] is the exception class name."""


def _strides(shape):
    out, step = [], 1
    for d in reversed(shape):
        out.append(step)
        step *= d
    return out[::-1]


def _dim(d: int, ndim: int) -> int:
    if not -ndim <= d < ndim:
        raise Failure("IndexError")
    return d % ndim


def _view_strides(shape, strides, new):
    """ATen's computeStride: strides for viewing (shape, strides) as new, or None."""
    if not shape:
        return _strides(new)
    out = [0] * len(new)
    view_d = len(new) - 1
    chunk = strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * chunk):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                out[view_d] = view_numel * chunk
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk, tensor_numel, view_numel = strides[d - 1], 1, 1
    return out if view_d == -1 else None


def _infer(shape, sizes):
    numel = math.prod(shape)
    if -1 in sizes:
        known = math.prod(s for s in sizes if s != -1)
        if numel % known:
            raise Failure("RuntimeError")
        sizes = [numel // known if s == -1 else s for s in sizes]
    if math.prod(sizes) != numel:
        raise Failure("RuntimeError")
    return sizes


def _apply(t, method: str, args: list, kwargs: dict):
    shape, strides = t
    ndim = len(shape)
    if method in ("view", "reshape"):
        new = _infer(shape, args)
        view = _view_strides(shape, strides, new)
        if view is None:
            if method == "view":
                raise Failure("RuntimeError")
            view = _strides(new)  # reshape copies
        return new, view
    if method == "contiguous":
        return shape, _strides(shape)
    if method in ("transpose", "t", "T"):
        i, j = (_dim(a, ndim) for a in args) if args else (0, 1)
        order = list(range(ndim))
        order[i], order[j] = order[j], order[i]
        return [shape[k] for k in order], [strides[k] for k in order]
    if method == "permute":
        order = [_dim(a, ndim) for a in args]
        return [shape[k] for k in order], [strides[k] for k in order]
    if method == "squeeze":
        if args:
            d = _dim(args[0], ndim)
            drop = {d} if shape[d] == 1 else set()
        else:
            drop = {i for i, n in enumerate(shape) if n == 1}
        return ([n for i, n in enumerate(shape) if i not in drop], [s for i, s in enumerate(strides) if i not in drop])
    if method == "unsqueeze":
        d = _dim(args[0], ndim + 1)
        return shape[:d] + [1] + shape[d:], strides[:d] + [1] + strides[d:]
    if method == "flatten":
        start = args[0] if args else kwargs.get("start_dim", 0)
        end = args[1] if len(args) > 1 else kwargs.get("end_dim", -1)
        start, end = _dim(start, ndim), _dim(end, ndim)
        new = shape[:start] + [math.prod(shape[start : end + 1])] + shape[end + 1 :]
        return new, _strides(new)
    raise AssertionError(method)


def _evaluate(node, env):
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.Attribute):  # y = x.T
        return _apply(_evaluate(node.value, env), node.attr, [], {})
    assert isinstance(node, ast.Call), ast.unparse(node)
    func = node.func
    args = [ast.literal_eval(a) for a in node.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    if ast.unparse(func) == "torch.zeros":
        shape = list(args)
        return shape, _strides(shape)
    if ast.unparse(func) == "torch.arange":
        return [args[0]], [1]
    return _apply(_evaluate(func.value, env), func.attr, args, kwargs)


def _expected(code: str) -> str:
    env = {}
    *statements, last = ast.parse(code).body
    try:
        for statement in statements:
            env[statement.targets[0].id] = _evaluate(statement.value, env)
        assert isinstance(last.value, ast.Attribute) and last.value.attr == "shape"
        shape, _ = _evaluate(last.value.value, env)
    except Failure as failure:
        return failure.args[0]
    return format_shape(shape)


def test_answers_follow_our_model(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code)


def test_every_case_is_asked(questions):
    questions = list(questions.values())
    codes = "\n".join(q.code for q in questions)
    for piece in (
        "view(",
        "reshape(",
        "-1",
        "permute(",
        "transpose(",
        "squeeze(",
        "unsqueeze(-",
        "flatten(start_dim=1)",
        ".contiguous().view(",
    ):
        assert piece in codes, piece
    answers = {q.answer for q in questions}
    assert {"RuntimeError", "IndexError"} <= answers
    # A view after transpose sometimes fails and sometimes (splitting an untouched dim) works.
    after_transpose = [q.answer for q in questions if "y.view(" in q.code]
    assert "RuntimeError" in after_transpose and any(a != "RuntimeError" for a in after_transpose)
    # squeeze of a dim that isn't 1 leaves the shape unchanged.
    assert any(re.search(r"squeeze\(-?\d\)", q.code) and q.answer == _source_shape(q.code) for q in questions)


def _source_shape(code: str) -> str:
    numbers = re.search(r"(?:zeros|reshape)\(([\d, ]+)\)", code).group(1)
    return format_shape([int(n) for n in numbers.split(", ")])
