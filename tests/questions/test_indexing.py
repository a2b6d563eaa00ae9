"""The indexing family: shapes of basic and advanced indexing, masks, IndexError.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import operator
import re
from types import SimpleNamespace

from quizapp.questions.families import indexing as module

FAMILY = module.FAMILY


class _Key:
    def __getitem__(self, key):
        return key


def _oracle(shape: list[int], key) -> str:
    """numpy-style shape of basic indexing plus one group of (paired) lists."""
    key = key if isinstance(key, tuple) else (key,)
    real = [k for k in key if k is not None and k is not Ellipsis]
    if any(k is Ellipsis for k in key):
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:at] + (slice(None),) * (len(shape) - len(real)) + key[at + 1 :]
    else:
        key = key + (slice(None),) * (len(shape) - len(real))
    out: list = []
    lists: list[int] = []
    dim = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        size = shape[dim]
        dim += 1
        if isinstance(k, int):
            if not -size <= k < size:
                return "IndexError"
        elif isinstance(k, slice):
            out.append(len(range(*k.indices(size))))
        else:
            if any(not -size <= i < size for i in k):
                return "IndexError"
            if not lists:
                out.append("lists")
            lists.append(len(k))
    if lists:
        assert len(set(lists)) == 1
        out[out.index("lists")] = lists[0]
    return "(" + ", ".join(str(d) for d in out) + ("," if len(out) == 1 else "") + ")"


def test_shapes_match_an_independent_oracle(built):
    checked = 0
    for seed, (draft, q, _) in built.items():
        m = re.fullmatch(r"x = torch\.zeros\((.*)\)\nx\[(.*)\]\.shape", draft.code)
        if not m:
            continue
        shape = [int(d) for d in m.group(1).split(",")]
        key = eval("k[" + m.group(2) + "]", {"k": _Key(), "torch": SimpleNamespace(tensor=list)})
        assert q.answer == _oracle(shape, key), (seed, draft.code, q.answer)
        checked += 1
    assert checked >= 120


_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def test_boolean_masks_depend_on_the_values(built):
    checked = 0
    for seed, (draft, q, _) in built.items():
        m = re.fullmatch(
            r"x = torch\.arange\((\d+)\)\.reshape\((\d+), (\d+)\)\nx\[(x|x\[:, 0\]) (>|>=|<) (\d+)\]\.shape",
            draft.code,
        )
        if not m:
            continue
        n, cols = int(m.group(2)), int(m.group(3))
        op, t = _OPS[m.group(5)], int(m.group(6))
        if m.group(4) == "x":
            expected = f"({sum(op(v, t) for v in range(n * cols))},)"
        else:
            rows = sum(op(r * cols, t) for r in range(n))
            expected = f"({rows}, {cols})"
        assert q.answer == expected, (seed, draft.code)
        checked += 1
    assert checked >= 15


def test_masks_are_over_values_in_sight(built):
    """A mask over random values the learner never sees can't be answered
    (issue 12): masked tensors are written out or made with arange."""
    seen = 0
    for draft, q, _ in built.values():
        if "x > 0]" in draft.code:
            assert "manual_seed" not in draft.code and "randn" not in draft.code
            assert re.fullmatch(r"\(\d+,\)", q.answer), q.answer
            seen += 1
    assert seen >= 5
    assert not any("randn" in draft.code for draft, _q, _ in built.values())


def test_out_of_range_integers_raise_and_slices_clip(built):
    errors = clipped = 0
    for draft, q, _ in built.values():
        last = draft.code.splitlines()[-1]
        m = re.fullmatch(r"x\[(\d+):(\d+)\]\.shape", last)
        if m and draft.code.startswith("x = torch.zeros("):
            a, b = re.match(r"x = torch\.zeros\((\d+), (\d+)\)", draft.code).groups()
            assert q.answer == f"({min(int(m.group(2)), int(a)) - int(m.group(1))}, {b})"
            assert "IndexError" in q.choices  # the "slices raise too" misconception
            clipped += 1
        if q.answer == "IndexError":
            errors += 1
    assert errors >= 10 and clipped >= 3
