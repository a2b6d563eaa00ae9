"""The seeded_random family: which draws repeat, checked against a model of the stream.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import json
import re

import pytest

torch = pytest.importorskip("torch")

from quizapp.domain import AnswerKind  # noqa: E402
from quizapp.questions.base import canonical  # noqa: E402
from quizapp.questions.families import seeded_random as module  # noqa: E402

FAMILY = module.FAMILY


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


def test_answers_follow_the_stream_model(questions):
    for seed, q in questions.items():
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


def test_snippets_seed_themselves(questions, runner):
    """Each snippet gives the same answer whatever ran before it."""
    for seed in range(30):
        q = questions[seed]
        torch.manual_seed(12345)
        torch.rand(7)
        assert canonical(runner([q.code])[0], q.answer_kind) == q.answer, (seed, q.code)
        assert q.code.startswith("torch.manual_seed(")


def test_every_case_is_asked(questions):
    questions = list(questions.values())
    kinds = {q.answer_kind for q in questions}
    assert kinds == {AnswerKind.VALUES}
    answers = {q.answer for q in questions}
    assert {"[false, true]", "[true, false]", "[false, false]"} <= answers
    assert all(len(set(q.choices)) >= 4 for q in questions)
    codes = "\n".join(q.code for q in questions)
    for fn in ("torch.rand(", "torch.randn(", "torch.randint("):
        assert fn in codes


def test_equalities_are_checked_against_draws_that_cannot_tie(built):
    """Small-int draws can repeat a value by chance (randint giving [7, 7, 7]),
    which would make torch.equal True against the rule. Each equality question
    carries the same program with float draws as its control, and assemble()
    rebuilds the question when the two disagree (tests/test_question_assembly.py)."""
    checked = 0
    for seed, (draft, _q, _) in built.items():
        if "torch.equal" not in draft.code:
            assert draft.control == "", seed
            continue
        assert draft.control == re.sub(
            r"torch\.(randint\(\d+, \d+, \((\d+),\)\)|randn?\((\d+)\))",
            lambda m: f"torch.rand({m.group(2) or m.group(3)})",
            draft.code,
        ), seed
        checked += 1
    assert checked >= 20
