"""The matmul family: shapes of @, torch.matmul, torch.mm and torch.bmm, and their errors."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.kernel.validator import validate
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, QuestionError, assemble
from quizapp.questions.families import matmul as module

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
    assert module.ORDER == 10
    assert FAMILY.name == "matmul"
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




torch = pytest.importorskip("torch")

SNIPPET_RE = re.compile(r"a = torch\.ones\((.*)\)\nb = torch\.ones\((.*)\)\n(.*)\.shape")


def _shape(text: str) -> list[int]:
    return [int(d) for d in text.split(",") if d.strip()]


def _fmt(shape) -> str:
    shape = list(shape)
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _matmul_oracle(a: list[int], b: list[int]) -> str:
    """torch.matmul's shape rule, written from its documentation."""
    if len(a) == 1 and len(b) == 1:
        return "()" if a == b else "RuntimeError"
    inner_b = b[0] if len(b) == 1 else b[-2]
    if a[-1] != inner_b:
        return "RuntimeError"
    if len(b) == 1:
        return _fmt(a[:-1])
    if len(a) == 1:
        return _fmt(b[:-2] + b[-1:])
    try:
        batch = list(torch.broadcast_shapes(torch.Size(a[:-2]), torch.Size(b[:-2])))
    except RuntimeError:
        return "RuntimeError"
    return _fmt(batch + [a[-2], b[-1]])


def _mm_oracle(a: list[int], b: list[int]) -> str:
    if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
        return "RuntimeError"
    return _fmt([a[0], b[1]])


def _bmm_oracle(a: list[int], b: list[int]) -> str:
    if len(a) != 3 or len(b) != 3 or a[0] != b[0] or a[2] != b[1]:
        return "RuntimeError"
    return _fmt([a[0], a[1], b[2]])


def test_shapes_match_the_documented_rules(built):
    seen = set()
    for seed, (draft, q, _) in built.items():
        m = SNIPPET_RE.fullmatch(draft.code)
        assert m, draft.code
        a, b, expr = _shape(m.group(1)), _shape(m.group(2)), m.group(3)
        oracle = {"(a @ b)": _matmul_oracle, "torch.matmul(a, b)": _matmul_oracle,
                  "torch.mm(a, b)": _mm_oracle, "torch.bmm(a, b)": _bmm_oracle}[expr]
        assert q.answer == oracle(a, b), (seed, draft.code, q.answer)
        seen.add((expr, len(a), len(b), q.answer == "RuntimeError"))
    # 1-D @ 1-D, vector/matrix, batched with broadcasting, mm and bmm errors all come up.
    assert {("(a @ b)", 1, 2, False), ("(a @ b)", 2, 1, False), ("(a @ b)", 2, 2, True),
            ("(a @ b)", 3, 3, True), ("(a @ b)", 3, 2, False), ("torch.mm(a, b)", 3, 2, True),
            ("torch.bmm(a, b)", 3, 3, True), ("torch.bmm(a, b)", 3, 2, True),
            ("torch.bmm(a, b)", 3, 3, False)} <= seen


def test_vector_dot_vector_is_zero_dim(built):
    dots = [q for draft, q, _ in built.values() if re.match(r"a = torch\.ones\(\d+\)\nb = torch\.ones\(\d+\)\n", draft.code)]
    assert dots and all(q.answer == "()" for q in dots)
    assert all("(1,)" in q.choices or len(q.mistakes) == 3 for q in dots)


def test_batch_dims_broadcast(built):
    broadcast = 0
    for draft, q, _ in built.values():
        m = SNIPPET_RE.fullmatch(draft.code)
        a, b = _shape(m.group(1)), _shape(m.group(2))
        if m.group(3) == "(a @ b)" and len(a) >= 3 and len(b) >= 3 and a[:-2] != b[:-2] and q.answer != "RuntimeError":
            expected = list(torch.broadcast_shapes(torch.Size(a[:-2]), torch.Size(b[:-2])))
            assert _shape(q.answer.strip("()"))[:-2] == expected
            assert "batch_not_broadcast" in q.mistakes.values()
            broadcast += 1
    assert broadcast >= 10


def test_mismatched_inner_dims_offer_the_shape_the_learner_expects(built):
    for draft, q, _ in built.values():
        m = SNIPPET_RE.fullmatch(draft.code)
        a, b = _shape(m.group(1)), _shape(m.group(2))
        if m.group(3) == "(a @ b)" and len(a) == len(b) == 2 and a[1] != b[0]:
            assert q.answer == "RuntimeError"
            assert _fmt([a[0], b[1]]) in q.choices  # inner dims ignored


def test_each_misconception_shows_up(built):
    mistakes = set()
    for _, q, _ in built.values():
        mistakes.update(q.mistakes.values())
    assert {"inner_ignored", "outer_swapped", "batch_not_broadcast", "batch_must_match", "mm_broadcasts",
            "bmm_broadcasts", "vector_dim_kept", "outer_product"} <= mistakes
