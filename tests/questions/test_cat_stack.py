"""The cat_stack family: shapes of torch.cat and torch.stack, and their errors."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.kernel.validator import validate
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, QuestionError, assemble
from quizapp.questions.families import cat_stack as module

FAMILY = module.FAMILY
SEEDS = range(200)
ROOT = Path(__file__).resolve().parents[2]
SHAPE_RE = re.compile(r"^\((\d+,|\d+(, \d+)+)?\)$")
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, tuple] = {}


@pytest.fixture
def built(runner):
    """seed -> (draft, question or QuestionError, main reply); built once per module."""
    if not _built:
        for seed in SEEDS:
            mains = []

            def recording(codes, mains=mains):
                replies = runner(codes)
                mains.append(replies[0])
                return replies

            try:
                question = assemble(FAMILY, seed, recording)
            except QuestionError as exc:
                question = exc
            _built[seed] = (FAMILY.build(random.Random(seed)), question, mains[0])
    return _built


# -- what every family must do -------------------------------------------------


def test_metadata():
    assert module.ORDER == 11
    assert FAMILY.name == "cat_stack"
    assert FAMILY.answer_kind == AnswerKind.SHAPE
    assert set(FAMILY.title) == {"es", "en"} and all(FAMILY.title.values())


def test_main_snippet_never_fails_in_the_kernel(built):
    for seed, (draft, question, main) in built.items():
        assert main.error_type not in KERNEL_FAILURES, (seed, draft.code, main.error_message)
        assert not isinstance(question, QuestionError), (seed, question)


def test_choices_hold_the_answer_once(built):
    three = 0
    for seed, (draft, q, _) in built.items():
        assert q.choices.count(q.answer) == 1, (seed, q.code, q.choices)
        assert len(set(q.choices)) == len(q.choices), (seed, q.choices)
        three += len(q.choices) >= 3
    assert three >= 0.9 * len(built)


def test_deterministic(built, runner):
    for seed in range(0, 200, 4):
        again = assemble(FAMILY, seed, runner)
        first = built[seed][1]
        assert (again.code, again.choices, again.answer) == (first.code, first.choices, first.answer)
        assert FAMILY.build(random.Random(seed)) == FAMILY.build(random.Random(seed))


def test_every_snippet_and_variant_passes_the_validator(built):
    for draft, _, _ in built.values():
        validate(draft.code)
        for variant in draft.variants:
            validate(variant.code)


def test_drafts_are_complete(built):
    for draft, _, _ in built.values():
        assert set(draft.prompt) >= {"es", "en"} and set(draft.explanation) >= {"es", "en"}
        assert all(draft.prompt.values()) and all(draft.explanation.values())
        assert 2 <= len(draft.variants) <= 4
        for variant in draft.variants:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", variant.mistake)
            assert set(variant.label) == {"es", "en"} and all(variant.label.values())
            assert variant.code != draft.code
        for fallback in draft.fallbacks:
            assert SHAPE_RE.match(fallback) or ERROR_RE.match(fallback), fallback


def test_answers_are_canonical(built):
    for _, q, _ in built.values():
        assert SHAPE_RE.match(q.answer) or ERROR_RE.match(q.answer), q.answer
        for choice in q.choices:
            assert SHAPE_RE.match(choice) or ERROR_RE.match(choice), choice


def test_family_module_does_not_import_torch():
    code = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"




LAST_RE = re.compile(r"torch\.(cat|stack)\(\[([abc, ]+)\](?:, dim=(-?\d+))?\)\.shape")


def _parse(code: str):
    *setup, last = code.splitlines()
    shapes = {}
    for line in setup:
        name, shape = re.fullmatch(r"([abc]) = torch\.ones\((.*)\)", line).groups()
        shapes[name] = [int(d) for d in shape.split(",") if d.strip()]
    op, names, dim = LAST_RE.fullmatch(last).groups()
    return op, [shapes[n.strip()] for n in names.split(",")], int(dim or 0), dim is not None


def _fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _cat_oracle(shapes, dim) -> str:
    n = len(shapes[0])
    if any(len(s) != n for s in shapes):
        return "RuntimeError"
    if not -n <= dim < n:
        return "IndexError"
    d = dim % n
    if any(s[:d] + s[d + 1 :] != shapes[0][:d] + shapes[0][d + 1 :] for s in shapes):
        return "RuntimeError"
    out = list(shapes[0])
    out[d] = sum(s[d] for s in shapes)
    return _fmt(out)


def _stack_oracle(shapes, dim) -> str:
    if any(s != shapes[0] for s in shapes):
        return "RuntimeError"
    n = len(shapes[0])
    pos = dim if dim >= 0 else dim + n + 1
    return _fmt(shapes[0][:pos] + [len(shapes)] + shapes[0][pos:])


def test_shapes_match_the_documented_rules(built):
    kinds = set()
    for seed, (draft, q, _) in built.items():
        op, shapes, dim, explicit = _parse(draft.code)
        oracle = _cat_oracle if op == "cat" else _stack_oracle
        assert q.answer == oracle(shapes, dim), (seed, draft.code, q.answer)
        kinds.add((op, dim < 0, q.answer == "RuntimeError"))
    assert kinds == {(op, neg, err) for op in ("cat", "stack") for neg in (True, False) for err in (True, False)}


def test_stack_negative_dims_count_over_the_result(built):
    seen = 0
    for draft, q, _ in built.values():
        op, shapes, dim, _ = _parse(draft.code)
        if op == "stack" and dim == -1 and q.answer != "RuntimeError":
            assert q.answer == _fmt(shapes[0] + [len(shapes)])  # dim=-1: the new dimension goes last
            seen += 1
    assert seen >= 3


def test_cat_and_stack_are_offered_for_each_other(built):
    for draft, q, _ in built.values():
        op, shapes, dim, _ = _parse(draft.code)
        if q.answer == "RuntimeError":
            continue
        keys = set(q.mistakes.values())
        assert ("cat_as_stack" if op == "cat" else "stack_as_cat") in keys, (draft.code, q.mistakes)


def test_default_dim_is_zero(built):
    seen = 0
    for draft, q, _ in built.values():
        op, shapes, dim, explicit = _parse(draft.code)
        if op == "cat" and not explicit and q.answer != "RuntimeError":
            assert q.answer == _fmt([sum(s[0] for s in shapes)] + shapes[0][1:])
            seen += 1
    assert seen >= 5


def test_each_misconception_shows_up(built):
    mistakes = set()
    for _, q, _ in built.values():
        mistakes.update(q.mistakes.values())
    assert set(module._LABELS) <= mistakes
