"""The aliasing family: does an in-place change show through a view, a copy, the same tensor?"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.kernel.validator import validate
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, QuestionError, assemble
from quizapp.questions.families import aliasing as module

FAMILY = module.FAMILY
SEEDS = range(200)
ROOT = Path(__file__).resolve().parents[2]

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
    assert module.ORDER == 12
    assert FAMILY.name == "aliasing"
    assert FAMILY.answer_kind == AnswerKind.BOOL
    assert set(FAMILY.title) == {"es", "en"} and all(FAMILY.title.values())


def test_main_snippet_never_fails_in_the_kernel(built):
    for seed, (draft, question, main) in built.items():
        assert main.error_type not in KERNEL_FAILURES, (seed, draft.code, main.error_message)
        assert not isinstance(question, QuestionError), (seed, question)


def test_choices_are_true_and_false(built):
    for seed, (draft, q, _) in built.items():
        assert q.choices.count(q.answer) == 1, (seed, q.code, q.choices)
        assert sorted(q.choices) == ["False", "True"], (seed, q.choices)


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
        assert len(draft.variants) == 2
        for variant in draft.variants:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", variant.mistake)
            assert set(variant.label) == {"es", "en"} and all(variant.label.values())
            assert variant.code != draft.code
        for fallback in draft.fallbacks:
            assert fallback in ("True", "False")


def test_answers_are_canonical(built):
    for _, q, _ in built.values():
        assert q.answer in ("True", "False"), q.answer  # never an error


def test_family_module_does_not_import_torch():
    code = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"




torch = pytest.importorskip("torch")


def _shares_memory(code: str) -> bool:
    """Run the first two lines (a and b) and compare their storages directly."""
    setup = "\n".join(code.splitlines()[:2])
    namespace = {"torch": torch}
    exec(setup, namespace)
    a, b = namespace["a"], namespace["b"]
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def test_answer_is_whether_b_shares_memory_with_a(built):
    for seed, (draft, q, _) in built.items():
        assert q.answer == str(_shares_memory(draft.code)), (seed, draft.code)


KNOWN = {
    "a.clone()": "False", "a.detach()": "True", "a.t()": "True", "a.T": "True", "a.unsqueeze(0)": "True",
    "a.contiguous()": "True", "a.flatten()": "True", "a.t().flatten()": "False", "a.t().reshape(-1)": "False",
    "a.t().contiguous()": "False", "a[a >= 0]": "False", "a + 0": "False", "a.to(torch.float64)": "False",
    "a.view(-1)": "True", "a.reshape(-1)": "True",
}


def test_known_views_and_copies(built):
    seen = set()
    for draft, q, _ in built.values():
        derivation = draft.code.splitlines()[1].removeprefix("b = ")
        if derivation in KNOWN:
            assert q.answer == KNOWN[derivation], draft.code
            seen.add(derivation)
        if re.fullmatch(r"a\[\d\]", derivation):  # a basic index: a view
            assert q.answer == "True", draft.code
        if re.fullmatch(r"a\[\[\d, \d\]\]", derivation):  # advanced indexing: a copy
            assert q.answer == "False", draft.code
        if derivation == "a.to(torch.float32)":  # the same tensor only when a is already float32
            assert q.answer == str("int64" not in draft.code), draft.code
    assert len(seen) >= 10


def test_the_distractor_names_the_opposite_belief(built):
    for draft, q, _ in built.values():
        expected = {"False": "view_taken_for_copy"} if q.answer == "True" else {"True": "copy_taken_for_view"}
        assert q.mistakes == expected, (draft.code, q.mistakes)


def test_both_answers_are_common(built):
    answers = [q.answer for _, q, _ in built.values()]
    assert 0.3 < answers.count("True") / len(answers) < 0.7


def test_the_change_always_touches_what_b_covers(built):
    """If b were a(n alias of) a, the last line would be True: the check never misses the change."""
    for draft, _, _ in built.values():
        lines = draft.code.splitlines()
        lines[1] = "b = a"
        namespace = {"torch": torch}
        exec("\n".join(lines[:-1]), namespace)
        assert eval(lines[-1], namespace) is True, draft.code
