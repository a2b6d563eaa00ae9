"""The dataloader family: number of batches, last batch shape and samples seen, with drop_last."""

from __future__ import annotations

import math
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.kernel.validator import validate
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, QuestionError, assemble
from quizapp.questions.families import dataloader as module

FAMILY = module.FAMILY
SEEDS = range(200)
ROOT = Path(__file__).resolve().parents[2]
SHAPE_RE = re.compile(r"^\((\d+,|\d+(, \d+)+)?\)$")
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, tuple] = {}


def _well_formed(text: str, kind: str) -> bool:
    if kind == AnswerKind.SHAPE:
        return bool(SHAPE_RE.match(text))
    return bool(re.fullmatch(r"0|[1-9]\d*", text))


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
    assert module.ORDER == 14
    assert FAMILY.name == "dataloader"
    assert FAMILY.answer_kind == AnswerKind.INT
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
            assert _well_formed(fallback, draft.answer_kind), fallback


def test_answers_are_canonical(built):
    for _, q, _ in built.values():
        assert q.answer_kind in (AnswerKind.INT, AnswerKind.SHAPE)
        assert not ERROR_RE.match(q.answer), (q.code, q.answer)  # these snippets never raise
        for choice in q.choices:
            assert _well_formed(choice, q.answer_kind), choice


def test_family_module_does_not_import_torch():
    code = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"




LOADER_RE = re.compile(
    r"x = torch\.zeros\((\d+), (\d+)\)\ny = torch\.zeros\(\1\)\n"
    r"ds = torch\.utils\.data\.TensorDataset\(x, y\)\n"
    r"loader = torch\.utils\.data\.DataLoader\(ds, batch_size=(\d+), shuffle=False(, drop_last=(True|False))?\)\n"
    r"(.*)",
    re.S,
)


def _parse(code: str):
    m = LOADER_RE.fullmatch(code)
    assert m, code
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(5) == "True", m.group(6)


def test_answers_follow_ceil_and_floor(built):
    tails = set()
    for seed, (draft, q, _) in built.items():
        n, features, b, drop, tail = _parse(draft.code)
        batches = n // b if drop else math.ceil(n / b)
        if tail == "len(loader)":
            expected = str(batches)
        elif tail == "sum(len(batch[0]) for batch in loader)":
            expected = str(n - n % b if drop else n)
        else:
            assert tail == "for batch in loader:\n    last = batch\nlast[0].shape"
            assert batches >= 1  # the loop always runs at least once
            last = b if drop or n % b == 0 else n % b
            expected = f"({last}, {features})"
        assert q.answer == expected, (seed, draft.code, q.answer)
        tails.add((tail.splitlines()[-1], drop, b > n))
    assert {("len(loader)", True, True), ("len(loader)", False, True), ("len(loader)", True, False),
            ("len(loader)", False, False), ("last[0].shape", False, True), ("last[0].shape", True, False),
            ("last[0].shape", False, False)} <= tails


def test_drop_last_is_the_main_distractor(built):
    for draft, q, _ in built.values():
        n, features, b, drop, tail = _parse(draft.code)
        if n % b == 0:
            continue  # drop_last changes nothing
        if tail == "len(loader)":
            wrong = math.ceil(n / b) if drop else n // b
            assert str(wrong) in q.choices, (draft.code, q.choices)
        if tail.endswith("last[0].shape"):
            wrong = n % b if drop else b
            assert f"({wrong}, {features})" in q.choices, (draft.code, q.choices)


def test_loaders_never_shuffle(built):
    for draft, _, _ in built.values():
        assert "shuffle=False" in draft.code
        for variant in draft.variants:
            assert "shuffle=True" not in variant.code


def test_each_misconception_shows_up(built):
    mistakes = set()
    for _, q, _ in built.values():
        mistakes.update(q.mistakes.values())
    assert set(module._LABELS) <= mistakes, set(module._LABELS) - mistakes
