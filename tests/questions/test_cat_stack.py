"""The cat_stack family: shapes of torch.cat and torch.stack, and their errors.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import re

from quizapp.questions.families import cat_stack as module

FAMILY = module.FAMILY


LAST_RE = re.compile(r"torch\.(cat|stack)\(\[([abc, ]+)\](?:, dim=(-?\d+))?\)\.shape")


def _parse(code: str):
    *setup, last = code.splitlines()
    shapes = {}
    for line in setup:
        name, shape = re.fullmatch(r"([abc]) = torch\.ones\((.*)\)", line).groups()
        shapes[name] = [int(d) for d in shape.split(",") if d.strip()]
    op, names, dim = LAST_RE.fullmatch(last).groups()
    return op, [shapes[n.strip()] for n in names.split(",")], int(dim or 0), dim is not None


def _fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _cat_oracle(shapes, dim) -> str:
    n = len(shapes[0])
    if any(len(s) != n for s in shapes):
        return "RuntimeError"
    if not -n <= dim < n:
        return "IndexError"
    d = dim % n
    if any(s[:d] + s[d + 1 :] != shapes[0][:d] + shapes[0][d + 1 :] for s in shapes):
        return "RuntimeError"
    out = list(shapes[0])
    out[d] = sum(s[d] for s in shapes)
    return _fmt(out)


def _stack_oracle(shapes, dim) -> str:
    if any(s != shapes[0] for s in shapes):
        return "RuntimeError"
    n = len(shapes[0])
    pos = dim if dim >= 0 else dim + n + 1
    return _fmt(shapes[0][:pos] + [len(shapes)] + shapes[0][pos:])


def test_shapes_match_the_documented_rules(built):
    kinds = set()
    for seed, (draft, q, _) in built.items():
        op, shapes, dim, explicit = _parse(draft.code)
        oracle = _cat_oracle if op == "cat" else _stack_oracle
        assert q.answer == oracle(shapes, dim), (seed, draft.code, q.answer)
        kinds.add((op, dim < 0, q.answer == "RuntimeError"))
    assert kinds == {(op, neg, err) for op in ("cat", "stack") for neg in (True, False) for err in (True, False)}


def test_stack_negative_dims_count_over_the_result(built):
    seen = 0
    for draft, q, _ in built.values():
        op, shapes, dim, _ = _parse(draft.code)
        if op == "stack" and dim == -1 and q.answer != "RuntimeError":
            assert q.answer == _fmt(shapes[0] + [len(shapes)])  # dim=-1: the new dimension goes last
            seen += 1
    assert seen >= 3


def test_cat_and_stack_are_offered_for_each_other(built):
    for draft, q, _ in built.values():
        op, shapes, dim, _ = _parse(draft.code)
        if q.answer == "RuntimeError":
            continue
        keys = set(q.mistakes.values())
        assert ("cat_as_stack" if op == "cat" else "stack_as_cat") in keys, (draft.code, q.mistakes)


def test_default_dim_is_zero(built):
    seen = 0
    for draft, q, _ in built.values():
        op, shapes, dim, explicit = _parse(draft.code)
        if op == "cat" and not explicit and q.answer != "RuntimeError":
            assert q.answer == _fmt([sum(s[0] for s in shapes)] + shapes[0][1:])
            seen += 1
    assert seen >= 5
