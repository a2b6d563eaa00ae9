"""What every question family must do, for every family in quizapp.questions.all_families().

The per-family settings are the table in tests/questions/family_checks.py; what is
particular to one family (its independent oracle) is in tests/questions/test_<family>.py.
"""

from __future__ import annotations

import ast
import functools
import random
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.answers import check_answer
from quizapp.domain import AnswerKind
from quizapp.kernel.validator import validate
from quizapp.questions import all_families
from quizapp.questions.base import KERNEL_FAILURES, QuestionError, Variant, assemble
from tests.questions import family_checks
from tests.questions.family_checks import (
    CONTRACTS,
    LANGUAGES,
    MISTAKE_RE,
    like_the_kernel,
    on_a_fresh_thread,
    well_formed,
)

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = all_families()


def test_every_family_has_a_contract():
    assert list(CONTRACTS) == list(FAMILIES)  # the same families, in ORDER


@pytest.fixture(params=list(FAMILIES))
def name(request):
    return request.param


@pytest.fixture
def family(name):
    return FAMILIES[name]


@pytest.fixture
def contract(name):
    return CONTRACTS[name]


@pytest.fixture
def module(family):
    return sys.modules[type(family).__module__]


@pytest.fixture
def built(family, runner):
    """seed -> (draft, question or QuestionError, main reply), over the contract's seeds;
    the same objects the family's own tests (test_<family>.py) check."""
    return family_checks.built(family, runner)


@pytest.fixture
def questions(built):
    return {seed: question for seed, (_, question, _) in built.items()}


@pytest.fixture(scope="module")
def import_probes():
    """For each family module, a fresh interpreter that imports it and says whether torch got
    loaded; all started at once, each read by its own test."""
    probes = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import sys, {type(family).__module__}; print('torch' in sys.modules)"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, family in FAMILIES.items()
    }
    yield probes
    for probe in probes.values():
        if probe.poll() is None:
            probe.kill()
        probe.communicate()


def test_metadata(family, contract, module, name):
    assert module.FAMILY is family
    assert contract.order == module.ORDER
    assert family.name == name
    assert family.answer_kind == contract.kind
    assert set(family.title) == LANGUAGES and all(family.title.values())


def test_family_module_does_not_import_torch(module, name, import_probes):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "torch" not in imported
    out, err = import_probes[name].communicate(timeout=120)
    assert import_probes[name].returncode == 0, err
    assert out.strip() == "False"


def test_main_snippet_never_fails_in_the_kernel(built):
    for seed, (draft, question, main) in built.items():
        assert main.error_type not in KERNEL_FAILURES, (seed, draft.code, main.error_message)
        assert not isinstance(question, QuestionError), (seed, question)
        assert question.answer not in KERNEL_FAILURES, (seed, question.code, question.printed)


def test_every_snippet_and_variant_passes_the_validator(built):
    for draft, _, _ in built.values():
        validate(draft.code)
        for variant in draft.variants:
            validate(variant.code)


def test_drafts_are_complete(built, contract):
    for seed, (draft, _, _) in built.items():
        assert draft.answer_kind in contract.kinds, (seed, draft.answer_kind)
        assert set(draft.prompt) == LANGUAGES and set(draft.explanation) == LANGUAGES, seed
        assert all(draft.prompt.values()) and all(draft.explanation.values()), seed
        bounds = contract.variant_bounds(draft.answer_kind)
        if bounds:
            assert bounds[0] <= len(draft.variants) <= bounds[1], (seed, draft.variants)
        for variant in draft.variants:
            assert MISTAKE_RE.fullmatch(variant.mistake), (seed, variant.mistake)
            assert set(variant.label) == LANGUAGES and all(variant.label.values()), (seed, variant.label)
            assert variant.code != draft.code or not contract.variants_differ, seed
        for fallback in draft.fallbacks:
            assert well_formed(fallback, draft.answer_kind, contract), (seed, fallback)


def test_answers_and_choices_are_canonical(questions, contract):
    for seed, q in questions.items():
        assert q.answer_kind in contract.kinds, (seed, q.answer_kind)
        assert well_formed(q.answer, q.answer_kind, contract), (seed, q.code, q.answer)
        for choice in q.choices:
            assert well_formed(choice, q.answer_kind, contract), (seed, q.choices)


def test_choices_hold_the_answer_once(questions, contract):
    others = three = 0
    for seed, q in questions.items():
        assert q.choices.count(q.answer) == 1, (seed, q.code, q.choices)
        assert len(set(q.choices)) == len(q.choices), (seed, q.choices)
        if contract.true_false and q.answer_kind == AnswerKind.BOOL:
            assert sorted(q.choices) == ["False", "True"], (seed, q.choices)
        else:
            others += 1
            three += len(q.choices) >= 3
    assert three >= contract.three_choices * others
    assert others >= contract.not_true_false * len(questions)


def test_deterministic(family, contract, built, runner):
    with like_the_kernel():
        rebuilt = on_a_fresh_thread(lambda: {seed: assemble(family, seed, runner) for seed in contract.deterministic})
    for seed, again in rebuilt.items():
        first = built[seed].question
        assert (again.code, again.choices, again.answer) == (first.code, first.choices, first.answer), seed
        assert family.build(random.Random(seed)) == family.build(random.Random(seed)), seed


def test_misconceptions_show_up_as_distractors(built, contract, family):
    shown = {key for _, q, _ in built.values() for key in q.mistakes.values()}
    declared = {variant.mistake for draft, _, _ in built.values() for variant in draft.variants}
    labelled = set(family.mistakes) - contract.unseen_mistakes
    assert contract.mistakes <= shown, contract.mistakes - shown
    assert labelled <= shown, labelled - shown
    assert declared - shown <= contract.unseen_mistakes, declared - shown - contract.unseen_mistakes


#: Seeds whose drafts are built (pure Python, no kernel) to compare the variants with the declared mistakes.
DECLARED_SEEDS = range(2000)


@functools.cache
def produced_variants(name: str) -> dict[str, list[tuple[int, Variant]]]:
    """mistake key -> [(seed, variant)] over DECLARED_SEEDS."""
    found: dict[str, list[tuple[int, Variant]]] = {}
    for seed in DECLARED_SEEDS:
        for variant in FAMILIES[name].build(random.Random(seed)).variants:
            found.setdefault(variant.mistake, []).append((seed, variant))
    return found


def test_declared_mistakes_are_complete(family):
    assert family.mistakes, "a family declares its misconceptions"
    for key, label in family.mistakes.items():
        assert MISTAKE_RE.fullmatch(key), key
        assert set(label) == LANGUAGES and all(label.values()), (key, label)


def test_every_variant_mistake_is_declared_with_its_labels(family, name):
    for key, variants in produced_variants(name).items():
        assert key in family.mistakes, (key, variants[0][0])
        for seed, variant in variants:
            assert variant.label == family.mistakes[key], (seed, key, variant.label)


def test_every_declared_mistake_is_produced(family, name):
    missing = set(family.mistakes) - set(produced_variants(name))
    assert not missing, f"declared but no seed in {DECLARED_SEEDS} produces them: {sorted(missing)}"


def test_no_distractor_is_graded_right(questions):
    """Typed answers are graded by quizapp.answers: no wrong choice may pass as the answer there."""
    for seed, q in questions.items():
        for choice in q.choices:
            if choice != q.answer:
                assert not check_answer(q.answer_kind, choice, q.answer).correct, (seed, q.answer, choice)
