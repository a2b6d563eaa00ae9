"""The broadcasting family: answers from torch, distractors from misconceptions."""

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
from quizapp.questions.families import broadcasting as module  # noqa: E402

FAMILY = module.FAMILY
SEEDS = range(300)
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
    raise AssertionError(kind)


def test_module_does_not_import_torch():
    source = Path(module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "torch" not in imported
    probe = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_family_metadata():
    assert module.ORDER == 1
    assert FAMILY.name == "broadcasting"
    assert set(FAMILY.title) == {"es", "en"}
    assert FAMILY.answer_kind == AnswerKind.SHAPE


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


def _shapes(code: str) -> tuple[list[int], list[int]]:
    a, b = re.findall(r"^[ab] = torch\.ones\(([\d, ]+)\)$", code, re.M)
    return [int(d) for d in a.split(",") if d.strip()], [int(d) for d in b.split(",") if d.strip()]


def test_answers_follow_broadcast_shapes(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        a, b = _shapes(q.code)
        try:
            expected = tuple(torch.broadcast_shapes(tuple(a), tuple(b)))
        except RuntimeError:
            expected = None
        inplace = "_(b)" in q.code
        if expected is None or (inplace and list(expected) != a):
            assert q.answer == "RuntimeError", (seed, q.code)
        else:
            assert q.answer == format_shape(expected), (seed, q.code)


def test_no_trivial_questions(runner):
    """b is never just a copy of a, and in-place questions both fail and succeed."""
    inplace_ok = inplace_error = 0
    for seed in SEEDS:
        q = build(seed, runner)
        a, b = _shapes(q.code)
        assert a != b, (seed, q.code)
        if "_(b)" in q.code:
            if q.answer == "RuntimeError":
                inplace_error += 1
            else:
                inplace_ok += 1
                assert q.answer == format_shape(a), (seed, q.code)
    assert inplace_ok >= 10 and inplace_error >= 10


def test_aligned_left_is_a_distractor(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"left_shape", "aligned_left", "right_shape", "inplace_grows"} <= keys


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
