"""The seeded_random family: which draws repeat, checked against a model of the stream."""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from quizapp.kernel.validator import validate  # noqa: E402
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, assemble, canonical  # noqa: E402
from quizapp.questions.families import seeded_random as module  # noqa: E402

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
    if kind == AnswerKind.BOOL:
        return text in ("True", "False")
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
    assert module.ORDER == 6
    assert FAMILY.name == "seeded_random"
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


def _stream_ids(code: str) -> dict[str, list[tuple[int, int]]]:
    """Our model of the generator: each element is (seed, position in that seed's stream)."""
    ids: dict[str, list[tuple[int, int]]] = {}
    seed = position = None
    for line in code.splitlines()[:-1]:
        if match := re.fullmatch(r"torch\.manual_seed\((\d+)\)", line):
            seed, position = int(match.group(1)), 0
            continue
        match = re.fullmatch(r"(?:(\w+) = )?torch\.(rand|randn|randint)\((?:\d+, \d+, \()?(\d+),?\)?\)", line)
        assert match and seed is not None, line
        name, n = match.group(1), int(match.group(3))
        if name:
            ids[name] = [(seed, position + i) for i in range(n)]
        position += n
    return ids


def _select(ids, expr: str):
    match = re.fullmatch(r"(\w+)(?:\[(-?\d*):(\d*)\])?", expr)
    items = ids[match.group(1)]
    if match.group(2) is not None or match.group(3) is not None:
        start = int(match.group(2)) if match.group(2) else None
        stop = int(match.group(3)) if match.group(3) else None
        items = items[start:stop]
    return items


def test_answers_follow_the_stream_model(runner):
    for seed in SEEDS:
        q = build(seed, runner)
        ids = _stream_ids(q.code)
        last = q.code.splitlines()[-1]
        if last.startswith("torch.stack(") or last == "a, b":
            names = re.findall(r"\b[abc]\b", last)
            rows = json.loads(q.answer)
            values = {}
            for name, row in zip(names, rows):
                assert len(row) == len(ids[name])
                for key, value in zip(ids[name], row):
                    # The same place in the same seed's stream always gives the same value.
                    assert values.setdefault(key, value) == value, (seed, q.code)
        else:
            pairs = re.findall(r"torch\.equal\(([^,]+), (\w+)\)", last)
            expected = [_select(ids, left) == _select(ids, right) for left, right in pairs]
            answer = json.loads(q.answer.lower()) if q.answer_kind == AnswerKind.VALUES else [q.answer == "True"]
            assert answer == expected, (seed, q.code)


def test_snippets_seed_themselves(runner):
    """Each snippet gives the same answer whatever ran before it."""
    for seed in range(30):
        q = build(seed, runner)
        torch.manual_seed(12345)
        torch.rand(7)
        assert canonical(runner([q.code])[0], q.answer_kind) == q.answer, (seed, q.code)
        assert q.code.startswith("torch.manual_seed(")


def test_every_case_is_asked(runner):
    questions = [build(seed, runner) for seed in SEEDS]
    kinds = {q.answer_kind for q in questions}
    assert kinds == {AnswerKind.VALUES, AnswerKind.BOOL}
    answers = {q.answer for q in questions}
    assert {"True", "False", "[false, true]", "[true, false]"} <= answers
    codes = "\n".join(q.code for q in questions)
    for fn in ("torch.rand(", "torch.randn(", "torch.randint("):
        assert fn in codes


def test_misconceptions_give_distractors(runner):
    keys = {key for seed in SEEDS for key in build(seed, runner).mistakes.values()}
    assert {"no_reseed", "seed_fixes_every_draw", "reseed_skips_used", "other_seed"} <= keys


def test_no_distractor_is_graded_right(runner):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    from quizapp.answers import check_answer

    for seed in SEEDS:
        q = build(seed, runner)
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
