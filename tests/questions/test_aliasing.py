"""The aliasing family: does an in-place change show through a view, a copy, the same tensor?

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import re

import pytest

from quizapp.questions.families import aliasing as module

FAMILY = module.FAMILY

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
    "a.clone()": "False",
    "a.detach()": "True",
    "a.t()": "True",
    "a.T": "True",
    "a.unsqueeze(0)": "True",
    "a.contiguous()": "True",
    "a.flatten()": "True",
    "a.t().flatten()": "False",
    "a.t().reshape(-1)": "False",
    "a.t().contiguous()": "False",
    "a[a >= 0]": "False",
    "a + 0": "False",
    "a.to(torch.float64)": "False",
    "a.view(-1)": "True",
    "a.reshape(-1)": "True",
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
