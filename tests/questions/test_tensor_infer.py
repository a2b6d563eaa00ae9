"""The tensor_infer family: dtype and shape that torch.tensor infers, checked by our own rule."""

from __future__ import annotations

import ast
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from quizapp.kernel.validator import validate  # noqa: E402
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, assemble, format_shape  # noqa: E402
from quizapp.questions.families import tensor_infer as module  # noqa: E402

FAMILY = module.FAMILY
SEEDS = range(300)
DTYPE_RE = re.compile(r"^torch\.(float|int|uint|bfloat|complex|bool)\d*$")
SHAPE_RE = re.compile(r"^\((\d+(, \d+)*,?)?\)$")
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, object] = {}


def build(seed, runner):
    if seed not in _built:
        _built[seed] = assemble(FAMILY, seed, runner)
    return _built[seed]


def well_formed(text: str, kind: str) -> bool:
    if ERROR_RE.match(text):
        return True
    if kind == AnswerKind.SHAPE:
        return bool(SHAPE_RE.match(text))
    assert kind == AnswerKind.DTYPE, kind
    return bool(DTYPE_RE.match(text))


def test_module_does_not_import_torch():
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "torch" not in imported
    probe = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_family_metadata():
    assert module.ORDER == 3
    assert FAMILY.name == "tensor_infer"
    assert set(FAMILY.title) == {"es", "en"}
    assert FAMILY.answer_kind == AnswerKind.DTYPE


def test_questions_are_sound(runner):
    three = 0
    for seed in SEEDS:
        draft = FAMILY.build(random.Random(seed))
        validate(draft.code)
        for variant in draft.variants:
            validate(variant.code)
            assert re.fullmatch(r"[a-z][a-z0-9_]*", variant.mistake)
            assert set(variant.label) == {"es", "en"}
        assert set(draft.prompt) == {"es", "en"} and set(draft.explanation) == {"es", "en"}
        q = build(seed, runner)
        assert q.answer not in KERNEL_FAILURES, (seed, q.code, q.printed)
        assert q.choices.count(q.answer) == 1, (seed, q.choices)
        assert len(set(q.choices)) == len(q.choices), (seed, q.choices)
        assert all(well_formed(c, q.answer_kind) for c in q.choices), (seed, q.choices)
        three += len(q.choices) >= 3
    assert three >= 0.9 * len(SEEDS)


def test_deterministic(runner):
    for seed in range(40):
        first, second = assemble(FAMILY, seed, runner), assemble(FAMILY, seed, runner)
        assert (first.code, first.choices, first.answer) == (second.code, second.choices, second.answer)


def _data(code: str):
    """The literal passed to torch.tensor in the snippet."""
    call = next(n for n in ast.walk(ast.parse(code))
                if isinstance(n, ast.Call) and ast.unparse(n.func) == "torch.tensor")
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


def test_answers_follow_our_rule(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        data = _data(q.code)
        shape = _shape(data)
        if shape is None:
            expected = "ValueError"
        elif q.answer_kind == AnswerKind.SHAPE:
            expected = format_shape(shape)
        else:
            expected = _dtype(data)
        assert q.answer == expected, (seed, q.code)


def test_every_case_is_asked(runner):
    questions = [build(seed, runner) for seed in SEEDS]
    answers = {(q.answer_kind, q.answer) for q in questions}
    for dtype in ("torch.int64", "torch.float32", "torch.bool"):
        assert (AnswerKind.DTYPE, dtype) in answers
    assert (AnswerKind.SHAPE, "ValueError") in answers and (AnswerKind.DTYPE, "ValueError") in answers
    assert (AnswerKind.SHAPE, "()") in answers
    # bools mixed with ints give int64; lists and tuples mix freely.
    assert any("True" in q.code and "." not in str(_leaves(_data(q.code))) and q.answer == "torch.int64"
               for q in questions)
    assert any("[(" in q.code or "([" in q.code for q in questions if q.answer_kind == AnswerKind.SHAPE)


def test_misconceptions_give_distractors(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"outer_only", "flattened", "reversed_shape", "pads_ragged", "int_is_int32",
            "first_element_decides", "float_is_float64", "bool_wins", "tensor_class"} <= keys


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
