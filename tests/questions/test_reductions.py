"""The reductions family: shapes after reducing, checked against our own rule."""

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
from quizapp.questions.families import reductions as module  # noqa: E402

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
    assert module.ORDER == 7
    assert FAMILY.name == "reductions"
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


def test_answers_follow_our_rule(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        assert q.answer == _expected(q.code), (seed, q.code)


def test_every_case_is_asked(runner):
    questions = [build(seed, runner) for seed in SEEDS]
    codes = "\n".join(q.code for q in questions)
    for piece in ("keepdim=True", "dim=-", "dim=(", ".values", "torch.sum(x", "argmax", "prod", "amax", "mean"):
        assert piece in codes, piece
    answers = {q.answer for q in questions}
    assert "IndexError" in answers and "()" in answers


def test_misconceptions_give_distractors(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"keepdim_flipped", "dim_kept", "negative_from_left", "one_based", "reduces_all",
            "only_first_dim", "dim_wraps", "default_dim_zero", "scalar_is_1d"} <= keys


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
