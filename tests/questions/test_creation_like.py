"""The creation_like family: creation functions and *_like, checked against our own rules."""

from __future__ import annotations

import ast
import json
import math
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from quizapp.kernel.validator import validate  # noqa: E402
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, assemble, format_shape  # noqa: E402
from quizapp.questions.families import creation_like as module  # noqa: E402

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
    if kind == AnswerKind.VALUES:
        return isinstance(json.loads(text), list)
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
    assert module.ORDER == 4
    assert FAMILY.name == "creation_like"
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


def test_answers_follow_our_rules(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        assert q.answer == _expected(q.code, q.answer_kind), (seed, q.code)


def test_every_case_is_asked(runner):
    questions = [build(seed, runner) for seed in SEEDS]
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


def test_misconceptions_give_distractors(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"inclusive_end", "steps_as_step", "eye_square", "randint_like_rand", "always_float32",
            "like_default_dtype", "like_ignores_dtype", "like_copies_values", "rand_like_keeps_int",
            "new_takes_shape", "full_like_keeps_fill"} <= keys


def test_rand_like_never_offers_runtime_error(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        if q.answer == "NotImplementedError":
            assert "RuntimeError" not in q.choices


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
