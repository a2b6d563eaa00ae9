"""The to_casts family: values after .to() casts, checked against our own rules."""

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
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, assemble  # noqa: E402
from quizapp.questions.families import to_casts as module  # noqa: E402

FAMILY = module.FAMILY
SEEDS = range(300)
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, object] = {}


def build(seed, runner):
    if seed not in _built:
        _built[seed] = assemble(FAMILY, seed, runner)
    return _built[seed]


def well_formed(text: str, kind: str) -> bool:
    if ERROR_RE.match(text):
        return True
    assert kind == AnswerKind.VALUES, kind
    return isinstance(json.loads(text), list)


def test_module_does_not_import_torch():
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "torch" not in imported
    probe = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_family_metadata():
    assert module.ORDER == 5
    assert FAMILY.name == "to_casts"
    assert set(FAMILY.title) == {"es", "en"}
    assert FAMILY.answer_kind == AnswerKind.VALUES


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
    """The values by our own reading of the cast rules."""
    first, *_, last = code.splitlines()
    call = ast.parse(first).body[0].value
    data = ast.literal_eval(call.args[0])
    if last == "x":  # .to() returned a new tensor; x is unchanged
        out = data
    elif match := re.fullmatch(r"\(x / (\d)\)(\.\w+\(.*\))?", last):
        out = [math.trunc(v / int(match.group(1))) for v in data]
    elif last.startswith("m"):
        match = re.fullmatch(r"m\.(\w+)\((torch\.\w+)?\)(?: ([*+]) (\d))?", last)
        method, target, op, k = match.groups()
        to_float = method == "float" or target == "torch.float32"
        out = [(1.0 if f else 0.0) if to_float else int(f) for f in data]
        if op == "*":
            out = [v * int(k) for v in out]
        elif op == "+":
            out = [v + int(k) for v in out]
    elif "uint8" in last or ".byte()" in last:
        out = [v % 256 for v in data]
    elif "bool" in last:
        out = [v != 0 for v in data]
    else:
        assert re.fullmatch(r"x\.(int|long|to)\((torch\.int\d+)?\)", last), last
        out = [math.trunc(v) for v in data]
    return json.dumps(out)


def test_answers_follow_our_rules(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        assert q.answer == _expected(q.code), (seed, q.code)


def test_every_case_is_asked(runner):
    questions = [build(seed, runner) for seed in SEEDS]
    codes = "\n".join(q.code for q in questions)
    for cast in ("torch.uint8", ".bool()", ".float()", ".long()", ".int()", "/ 2"):
        assert cast in codes, cast
    # Negative floats truncate toward zero: some answer shows it.
    assert any(re.search(r"-\d\.[6-9]", q.code) and q.code.count("\n") == 1 and "bool" not in q.code
               for q in questions)
    # Float -> uint8 is never asked (out of range it is undefined).
    for q in questions:
        if "uint8" in q.code or ".byte()" in q.code:
            assert "." not in q.code.splitlines()[0].split("tensor(")[1].split("]")[0], q.code


def test_misconceptions_give_distractors(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"rounds", "floors", "ceils", "floor_division", "saturates", "unchanged", "sign_dropped",
            "only_one_is_true", "negative_false", "true_is_minus_one", "keeps_float",
            "imprecise_float", "to_in_place"} <= keys


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
