"""The aliasing family: does an in-place change show through a view, a copy, the same tensor?

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import json
import re

import pytest

from quizapp.questions.families import aliasing as module

FAMILY = module.FAMILY

torch = pytest.importorskip("torch")


def _made(code: str) -> dict:
    """Run the lines that make a, b and c (before the change)."""
    namespace = {"torch": torch}
    exec("\n".join(code.splitlines()[:3]), namespace)
    return namespace


def _shares_memory(first, second) -> bool:
    return first.untyped_storage().data_ptr() == second.untyped_storage().data_ptr()


def test_answer_is_whether_b_and_c_share_memory_with_a(built):
    for seed, (draft, q, _) in built.items():
        made = _made(draft.code)
        expected = [_shares_memory(made["a"], made["b"]), _shares_memory(made["a"], made["c"])]
        assert json.loads(q.answer) == expected, (seed, draft.code)


KNOWN = {
    "a.clone()": False,
    "a.detach()": True,
    "a.t()": True,
    "a.T": True,
    "a.unsqueeze(0)": True,
    "a.contiguous()": True,
    "a.flatten()": True,
    "a.t().flatten()": False,
    "a.t().reshape(-1)": False,
    "a.t().contiguous()": False,
    "a[a >= 0]": False,
    "a + 0": False,
    "a.to(torch.float64)": False,
    "a.view(-1)": True,
    "a.reshape(-1)": True,
}


def test_known_views_and_copies(built):
    seen = set()
    for draft, q, _ in built.values():
        lines = draft.code.splitlines()
        derivations = [lines[1].removeprefix("b = "), lines[2].removeprefix("c = ")]
        for derivation, sees in zip(derivations, json.loads(q.answer), strict=True):
            if derivation in KNOWN:
                assert sees == KNOWN[derivation], draft.code
                seen.add(derivation)
            if re.fullmatch(r"a\[\d\]", derivation):  # a basic index: a view
                assert sees, draft.code
            if re.fullmatch(r"a\[\[\d, \d\]\]", derivation):  # advanced indexing: a copy
                assert not sees, draft.code
            if derivation == "a.to(torch.float32)":  # the same tensor only when a is already float32
                assert sees == ("int64" not in draft.code), draft.code
    assert len(seen) >= 10


def test_each_distractor_names_the_belief_it_comes_from(built):
    for draft, q, _ in built.values():
        answer = json.loads(q.answer)
        for distractor, mistake in q.mistakes.items():
            flipped = [a for a, d in zip(answer, json.loads(distractor), strict=True) if a != d]
            assert len(flipped) == 1, (draft.code, distractor)
            expected = "view_taken_for_copy" if flipped[0] else "copy_taken_for_view"
            assert mistake == expected, (draft.code, distractor, mistake)


def test_four_choices_and_both_answers_common(built):
    answers = [json.loads(q.answer) for _, q, _ in built.values()]
    for position in (0, 1):
        share = sum(a[position] for a in answers) / len(answers)
        assert 0.3 < share < 0.7
    assert all(len(set(q.choices)) == 4 for _, q, _ in built.values())


def test_the_change_always_touches_what_b_and_c_cover(built):
    """If b and c were (aliases of) a, both would see the change: the check never misses it."""
    for draft, _, _ in built.values():
        lines = draft.code.splitlines()
        lines[1], lines[2] = "b = a", "c = a"
        namespace = {"torch": torch}
        exec("\n".join(lines[:-1]), namespace)
        assert eval(lines[-1], namespace) == (True, True), draft.code
