"""The promotion family: dtypes of mixed operations, checked against torch.result_type."""

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
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, assemble  # noqa: E402
from quizapp.questions.families import promotion as module  # noqa: E402

FAMILY = module.FAMILY
SEEDS = range(300)
DTYPE_RE = re.compile(r"^torch\.(float|int|uint|bfloat|complex|bool)\d*$")
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, object] = {}


def build(seed, runner):
    if seed not in _built:
        _built[seed] = assemble(FAMILY, seed, runner)
    return _built[seed]


def well_formed(text: str, kind: str) -> bool:
    if ERROR_RE.match(text):
        return True
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
    assert module.ORDER == 2
    assert FAMILY.name == "promotion"
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


def test_answers_follow_result_type(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        assert q.answer == _expected(q.code), (seed, q.code)


def test_rules_are_all_asked(runner):
    codes = {seed: build(seed, runner) for seed in SEEDS}
    answers = {q.answer for q in codes.values()}
    assert {"RuntimeError", "torch.float32", "torch.int64", "torch.int16", "torch.float16", "torch.bool"} <= answers
    # A 0-dim float64 with a float32 tensor stays float32.
    assert any("s = torch.tensor(" in q.code and "float64" in q.code and q.answer == "torch.float32"
               for q in codes.values())
    # True division of ints gives float32; floor division keeps the int dtype.
    assert any(" / " in q.code and q.answer == "torch.float32" for q in codes.values())
    assert any(" // " in q.code and q.answer.startswith("torch.int") for q in codes.values())


def test_misconceptions_give_distractors(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"scalar_as_tensor", "left_wins", "zero_dim_counts", "integer_division",
            "sum_keeps_dtype", "mean_gives_float", "bool_stays"} <= keys


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
