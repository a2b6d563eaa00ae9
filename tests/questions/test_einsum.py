"""The einsum family, checked against an einsum written here in plain Python
(every assignment of the indices, multiplied and summed), on the sizes and
values written in the snippet; and the rules its explanations state, run on
their edge cases.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import itertools
import json
import re

import pytest

from quizapp.questions.base import format_shape
from quizapp.questions.families import einsum as module

torch = pytest.importorskip("torch")

FAMILY = module.FAMILY


def _alphabetical_output(inputs: str) -> str:
    letters = inputs.replace(",", "")
    return "".join(sorted(c for c in set(letters) if letters.count(c) == 1))


def _sizes(inputs: str, shapes: list[list[int]]) -> dict[str, int] | None:
    """Each index's size, or None when two operands disagree."""
    size: dict[str, int] = {}
    for op, shape in zip(inputs.split(","), shapes, strict=True):
        for c, d in zip(op, shape, strict=True):
            if size.setdefault(c, d) != d:
                return None
    return size


def _shape(values) -> list[int]:
    shape = []
    while isinstance(values, list):
        shape.append(len(values))
        values = values[0]
    return shape


def _at(values, index: tuple[int, ...]):
    for i in index:
        values = values[i]
    return values


def plain_einsum(equation: str, operands: list) -> object:
    inputs, _, output = equation.partition("->")
    if "->" not in equation:
        output = _alphabetical_output(inputs)
    size = _sizes(inputs, [_shape(op) for op in operands])
    assert size is not None
    summed = [c for c in sorted(size) if c not in output]

    def cell(kept: dict[str, int]) -> int:
        total = 0
        for combo in itertools.product(*(range(size[c]) for c in summed)):
            where = {**kept, **dict(zip(summed, combo, strict=True))}
            product = 1
            for op, values in zip(inputs.split(","), operands, strict=True):
                product *= _at(values, tuple(where[c] for c in op))
            total += product
        return total

    def build(depth: int, kept: dict[str, int]):
        if depth == len(output):
            return cell(kept)
        return [build(depth + 1, {**kept, output[depth]: i}) for i in range(size[output[depth]])]

    return build(0, {})


def _operand(code: str, name: str) -> list:
    if m := re.search(rf"^{name} = torch\.arange\((\d+), (\d+)\)\.reshape\((\d+), (\d+)\)$", code, re.M):
        start, stop, n, k = (int(g) for g in m.groups())
        assert stop - start == n * k
        return [list(range(start + i * k, start + (i + 1) * k)) for i in range(n)]
    return ast.literal_eval(re.search(rf"^{name} = torch\.tensor\((.*)\)$", code, re.M)[1])


def _expected(code: str) -> str:
    last = code.splitlines()[-1]
    m = re.fullmatch(r"torch\.einsum\('([a-z,\->]+)', \[?([ab]|x|a, b)\]?\)(\.shape)?", last)
    assert m, code
    equation, names, shape_only = m[1], m[2].split(", "), m[3]
    inputs = equation.split("->")[0]
    if shape_only:
        shapes = [
            [int(d) for d in re.search(rf"^{n} = torch\.(?:ones|zeros)\(([\d, ]+)\)$", code, re.M)[1].split(", ")]
            for n in names
        ]
        size = _sizes(inputs, shapes)
        if size is None:
            return "RuntimeError"
        output = equation.split("->")[1] if "->" in equation else _alphabetical_output(inputs)
        return format_shape([size[c] for c in output])
    operands = [_operand(code, n) for n in names]
    return json.dumps(plain_einsum(equation, operands))


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("'ij,jk->ik'", "'bij,bjk->bik'", "'ii->'", "'ii->i'", "'ij->ji'", "'i,i->'", "'i,j->ij'",
                  "'bi,bi->b'", "'ji'", "'ii'", "'i,i'", "'jk,ki'"):  # fmt: skip
        assert piece in codes, piece
    assert any(q.answer == "RuntimeError" for q in questions.values())
    assert "torch.arange(" in codes and "torch.zeros(" in codes and ", [a, b])" in codes
    assert all(len(set(q.choices)) >= 4 for q in questions.values())


def test_the_oracle_agrees_with_torch_on_its_own_cases():
    x = [[1, 2, 3], [4, 5, 6]]
    for equation in ("ij->ji", "ij->i", "ij->j", "ij->", "ji", "ij"):
        assert plain_einsum(equation, [x]) == torch.einsum(equation, torch.tensor(x)).tolist(), equation


def test_stated_rules_on_their_edge_cases():
    x = torch.tensor([[1, 2, 3], [4, 5, 6]])
    # Implicit output: indices seen once, alphabetical, so 'ji' transposes and 'ij' does not.
    assert torch.equal(torch.einsum("ji", x), x.T)
    assert torch.equal(torch.einsum("ij", x), x)
    assert torch.einsum("jk,ki", torch.ones(2, 3), torch.ones(3, 4)).shape == (4, 2)
    # Repeated indices in one operand: kept -> the diagonal, summed -> the trace; implicit 'ii' sums.
    s = torch.tensor([[1, 2], [3, 4]])
    assert torch.einsum("ii->i", s).tolist() == [1, 4]
    assert torch.einsum("ii->", s).item() == 5 == torch.einsum("ii", s).item()
    assert torch.einsum("i,i", torch.tensor([1, 2]), torch.tensor([3, 4])).item() == 11
    # A shared index must agree, or be 1 (it broadcasts).
    with pytest.raises(RuntimeError):
        torch.einsum("ij,jk->ik", torch.ones(2, 3), torch.ones(4, 5))
    assert torch.einsum("ij,jk->ik", torch.ones(2, 1), torch.ones(3, 5)).shape == (2, 5)
    rules = " ".join(r["en"] for r in module._RULES.values())
    assert "(or 1, which broadcasts)" in rules and "alphabetical order" in rules
