"""The autograd family: x.grad values, accumulation, leaves, requires_grad and no_grad."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.kernel.validator import validate
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, QuestionError, assemble
from quizapp.questions.families import autograd as module

FAMILY = module.FAMILY
# y.grad of a non-leaf is part of a question: torch warns about reading it.
pytestmark = pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
SEEDS = range(200)
ROOT = Path(__file__).resolve().parents[2]
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, tuple] = {}


def _well_formed(text: str, kind: str) -> bool:
    if ERROR_RE.match(text):
        return True
    if kind == AnswerKind.BOOL:
        return text in ("True", "False")
    value = json.loads(text)  # JSON of a number or a list of numbers, floats rounded to 4 places
    numbers = value if isinstance(value, list) else [value]
    return all(isinstance(v, float) and round(v, 4) == v for v in numbers) and json.dumps(value) == text


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
    assert module.ORDER == 13
    assert FAMILY.name == "autograd"
    assert FAMILY.answer_kind == AnswerKind.VALUES
    assert set(FAMILY.title) == {"es", "en"} and all(FAMILY.title.values())


def test_main_snippet_never_fails_in_the_kernel(built):
    for seed, (draft, question, main) in built.items():
        assert main.error_type not in KERNEL_FAILURES, (seed, draft.code, main.error_message)
        assert not isinstance(question, QuestionError), (seed, question)


def test_choices_hold_the_answer_once(built):
    three = values = 0
    for seed, (draft, q, _) in built.items():
        assert q.choices.count(q.answer) == 1, (seed, q.code, q.choices)
        assert len(set(q.choices)) == len(q.choices), (seed, q.choices)
        if q.answer_kind == AnswerKind.BOOL:
            assert sorted(q.choices) == ["False", "True"], (seed, q.choices)
        else:
            values += 1
            three += len(q.choices) >= 3
    assert three >= 0.9 * values and values >= 0.6 * len(built)


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
        assert 1 <= len(draft.variants) <= 3
        assert draft.answer_kind in (AnswerKind.VALUES, AnswerKind.BOOL)
        assert len(draft.variants) >= (1 if draft.answer_kind == AnswerKind.BOOL else 2)
        for variant in draft.variants:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", variant.mistake)
            assert set(variant.label) == {"es", "en"} and all(variant.label.values())
            assert variant.code != draft.code
        for fallback in draft.fallbacks:
            assert _well_formed(fallback, draft.answer_kind), fallback


def test_answers_are_canonical(built):
    for _, q, _ in built.values():
        assert _well_formed(q.answer, q.answer_kind), q.answer
        for choice in q.choices:
            assert _well_formed(choice, q.answer_kind), choice


def test_family_module_does_not_import_torch():
    code = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"




def _grad_at(expr: str, x: float) -> float:
    """Central difference of a Python expression in x (independent of autograd)."""
    h = 1e-5
    return (eval(expr, {"x": x + h}) - eval(expr, {"x": x - h})) / (2 * h)


def test_scalar_gradients_match_finite_differences(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        m = re.fullmatch(r"x = torch\.tensor\((-?[\d.]+), requires_grad=True\)\ny = (.*)\ny\.backward\(\)\nx\.grad",
                         draft.code)
        if m and "torch" not in m.group(2) and ".sum" not in m.group(2):
            expected = _grad_at(m.group(2), float(m.group(1)))
            assert abs(json.loads(q.answer) - expected) < 1e-3, (seed, draft.code, q.answer, expected)
            seen += 1
    assert seen >= 30


def test_vector_gradients(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        m = re.search(r"x = torch\.tensor\((\[.*\]), requires_grad=True\)\ny = (.*)\ny\.backward\(\)\nx\.grad$",
                      draft.code)
        if not m:
            continue
        if m.group(2) not in ("(x ** 2).sum()", "(x ** 2).mean()", "(x * w).sum()"):
            continue  # a non-scalar output: see test_graph_is_freed_after_backward
        xs = json.loads(m.group(1))
        w = re.match(r"w = torch\.tensor\((\[.*\])\)", draft.code)
        expected = {
            "(x ** 2).sum()": [2 * x for x in xs],
            "(x ** 2).mean()": [round(2 * x / len(xs), 4) for x in xs],
            "(x * w).sum()": json.loads(w.group(1)) if w else None,
        }[m.group(2)]
        assert json.loads(q.answer) == pytest.approx(expected, abs=1e-4), (seed, draft.code)
        assert len(json.loads(q.answer)) == len(xs)  # x.grad has the shape of x
        seen += 1
    assert seen >= 10


def test_gradients_accumulate(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        x = re.match(r"x = torch\.tensor\((-?[\d.]+), requires_grad=True\)", draft.code)
        loop = re.search(r"for i in range\((\d)\):\n    y = x \*\* 2\n    y\.backward\(\)\nx\.grad$", draft.code)
        two = re.search(r"\(x \*\* 2\)\.backward\(\)\n(x\.grad\.zero_\(\)\n)?\((\d) \* x\)\.backward\(\)\nx\.grad$",
                        draft.code)
        if loop:
            assert json.loads(q.answer) == int(loop.group(1)) * 2 * float(x.group(1))
            assert "grad_not_accumulated" in q.mistakes.values()
        elif two:
            c, xv = int(two.group(2)), float(x.group(1))
            expected = c if two.group(1) else 2 * xv + c
            assert json.loads(q.answer) == pytest.approx(expected), (seed, draft.code)
        else:
            continue
        seen += 1
    assert seen >= 15


def test_graph_is_freed_after_backward(built):
    seen = 0
    for draft, q, _ in built.values():
        lines = draft.code.splitlines()
        if lines[-3:-1] == ["y.backward()", "y.backward()"]:
            assert q.answer == "RuntimeError"
            assert "graph_kept" in q.mistakes.values()
            seen += 1
        if lines[-3:-1] == ["y.backward(retain_graph=True)", "y.backward()"]:
            assert q.answer != "RuntimeError" and "RuntimeError" in q.choices
            seen += 1
        if re.match(r"y = \d \* x$", lines[1]) and lines[2] == "y.backward()":  # non-scalar output
            assert q.answer == "RuntimeError"
            seen += 1
    assert seen >= 15


FLAGS = {
    "y.is_leaf": "False", "x.is_leaf": "True", "v.is_leaf": "True", "y.grad is None": "True",
}


def test_leaves_and_requires_grad(built):
    seen = set()
    for draft, q, _ in built.values():
        if q.answer_kind != AnswerKind.BOOL:
            continue
        last = draft.code.splitlines()[-1]
        if last in FLAGS:
            expected = FLAGS[last]
        elif "torch.no_grad()" in draft.code or ".detach()" in draft.code:
            expected = "False"
        else:
            assert last == "y.requires_grad", draft.code
            expected = "True"
        assert q.answer == expected, draft.code
        seen.add(last if last in FLAGS else draft.code.splitlines()[1])
    assert {"y.is_leaf", "x.is_leaf", "v.is_leaf", "y.grad is None", "with torch.no_grad():"} <= seen


def test_each_misconception_shows_up(built):
    mistakes = set()
    for _, q, _ in built.values():
        mistakes.update(q.mistakes.values())
    assert set(module._LABELS) <= mistakes, set(module._LABELS) - mistakes
