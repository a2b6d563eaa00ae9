"""The dataloader family: number of batches, last batch shape and samples seen, with drop_last.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import math
import re

from quizapp.questions.families import dataloader as module

FAMILY = module.FAMILY


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
    assert {
        ("len(loader)", True, True),
        ("len(loader)", False, True),
        ("len(loader)", True, False),
        ("len(loader)", False, False),
        ("last[0].shape", False, True),
        ("last[0].shape", True, False),
        ("last[0].shape", False, False),
    } <= tails


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
