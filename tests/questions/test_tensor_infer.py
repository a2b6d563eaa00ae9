"""The tensor_infer family: dtype and shape that torch.tensor infers, checked by our own rule.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast

from quizapp.domain import AnswerKind
from quizapp.questions.base import format_shape
from quizapp.questions.families import tensor_infer as module

FAMILY = module.FAMILY


def _data(code: str):
    """The literal passed to torch.tensor in the snippet."""
    call = next(
        n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call) and ast.unparse(n.func) == "torch.tensor"
    )
    return ast.literal_eval(call.args[0])


def _shape(data) -> tuple[int, ...] | None:
    """Our own rule: one dimension per level; None when ragged."""
    if not isinstance(data, (list, tuple)):
        return ()
    shapes = {_shape(child) for child in data}
    if None in shapes or len(shapes) > 1:
        return None
    return (len(data), *(shapes.pop() if shapes else ()))


def _leaves(data):
    if isinstance(data, (list, tuple)):
        return [leaf for child in data for leaf in _leaves(child)]
    return [data]


def _dtype(data) -> str:
    leaves = _leaves(data)
    if not leaves or any(isinstance(v, float) for v in leaves):
        return "torch.float32"
    if all(isinstance(v, bool) for v in leaves):
        return "torch.bool"
    return "torch.int64"


def test_answers_follow_our_rule(questions):
    for seed, q in questions.items():
        data = _data(q.code)
        shape = _shape(data)
        if shape is None:
            expected = "ValueError"
        elif q.answer_kind == AnswerKind.SHAPE:
            expected = format_shape(shape)
        else:
            expected = _dtype(data)
        assert q.answer == expected, (seed, q.code)


def test_every_case_is_asked(questions):
    questions = list(questions.values())
    answers = {(q.answer_kind, q.answer) for q in questions}
    for dtype in ("torch.int64", "torch.float32", "torch.bool"):
        assert (AnswerKind.DTYPE, dtype) in answers
    assert (AnswerKind.SHAPE, "ValueError") in answers and (AnswerKind.DTYPE, "ValueError") in answers
    assert (AnswerKind.SHAPE, "()") in answers
    # bools mixed with ints give int64; lists and tuples mix freely.
    assert any(
        "True" in q.code and "." not in str(_leaves(_data(q.code))) and q.answer == "torch.int64" for q in questions
    )
    assert any("[(" in q.code or "([" in q.code for q in questions if q.answer_kind == AnswerKind.SHAPE)
