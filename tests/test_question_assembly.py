"""assemble(): how a built draft becomes choices, without torch (a fake
runner answers). Covers the rules against tells: an error is offered whether
or not it is the answer, and an answer that rests on a chance tie is rebuilt."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, QuestionError, Variant, assemble


@dataclass(frozen=True)
class Reply:
    ok: bool
    value: dict | None = None
    error_type: str | None = None
    error_message: str | None = None


def shape(*dims: int) -> Reply:
    return Reply(True, {"type": "size", "shape": list(dims)})


def raises(name: str) -> Reply:
    return Reply(False, None, name, "boom")


@dataclass(frozen=True)
class Fake:
    """A family whose drafts are made by ``make(rng)``."""

    make: object
    name: str = "fake"
    title = {"en": "fake", "es": "falso"}
    answer_kind: str = AnswerKind.SHAPE
    mistakes = {"m1": {"en": "one", "es": "uno"}, "m2": {"en": "two", "es": "dos"}}

    def build(self, rng: random.Random) -> Draft:
        return self.make(rng)  # type: ignore[operator]


def _draft(code: str = "main", *, error_choice: str = "", control: str = "") -> Draft:
    return Draft(
        code=code,
        answer_kind=AnswerKind.SHAPE,
        prompt={"en": "shape?"},
        explanation={"en": "rule"},
        variants=(Variant("v1", "m1"), Variant("v2", "m2")),
        fallbacks=("(9,)", "(8,)"),
        error_choice=error_choice,
        control=control,
    )


def runner_from(table: dict[str, Reply]):
    return lambda codes: [table[code] for code in codes]


def test_an_error_is_offered_when_the_answer_is_not_one():
    table = {
        "main": shape(2, 3),
        "v1": shape(3, 2),
        "v2": shape(
            6,
        ),
    }
    question = assemble(Fake(lambda rng: _draft(error_choice="RuntimeError")), 1, runner_from(table), lang="en")
    assert question.answer == "(2, 3)"
    assert "RuntimeError" in question.choices
    assert len(set(question.choices)) == 4
    assert {"(3, 2)", "(6,)"} <= set(question.choices)  # the misconceptions stay


def test_no_error_is_added_when_one_is_offered_or_is_the_answer():
    table = {
        "main": raises("RuntimeError"),
        "v1": shape(3, 2),
        "v2": shape(
            6,
        ),
    }
    question = assemble(Fake(lambda rng: _draft(error_choice="RuntimeError")), 1, runner_from(table))
    assert question.answer == "RuntimeError"
    assert question.choices.count("RuntimeError") == 1
    table = {
        "main": shape(2, 3),
        "v1": raises("IndexError"),
        "v2": shape(
            6,
        ),
    }
    question = assemble(Fake(lambda rng: _draft(error_choice="RuntimeError")), 1, runner_from(table))
    assert "IndexError" in question.choices and "RuntimeError" not in question.choices


def test_a_draft_whose_control_disagrees_is_built_again_deterministically():
    def make(rng: random.Random) -> Draft:
        tie = rng.random() < 0.5
        return _draft("tie" if tie else "main", control="control")

    table = {
        "tie": shape(
            7,
        ),
        "main": shape(2, 3),
        "control": shape(2, 3),
        "v1": shape(3, 2),
        "v2": shape(
            6,
        ),
    }
    family = Fake(make)
    seeds_with_a_tie_first = [s for s in range(50) if random.Random(s).random() < 0.5]
    assert seeds_with_a_tie_first
    for seed in seeds_with_a_tie_first[:5]:
        first = assemble(family, seed, runner_from(table))
        assert first.answer == "(2, 3)" and first.code == "main"
        assert assemble(family, seed, runner_from(table)) == first  # the same seed, the same question


def test_a_seed_that_always_ties_is_refused():
    table = {
        "tie": shape(
            7,
        ),
        "control": shape(2, 3),
        "v1": shape(3, 2),
        "v2": shape(
            6,
        ),
    }
    with pytest.raises(QuestionError, match="coincidence"):
        assemble(Fake(lambda rng: _draft("tie", control="control")), 3, runner_from(table))
