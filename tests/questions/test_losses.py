"""The losses family, checked against the contracts computed here in plain
Python from what the snippet writes (the target's dtype and shape, the
reduction, the values); and the rules its explanations state, run on their
edge cases.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from quizapp.questions.base import format_shape
from quizapp.questions.families import losses as module

torch = pytest.importorskip("torch")

FAMILY = module.FAMILY


def _literal(code: str, name: str):
    return ast.literal_eval(re.search(rf"^{name} = torch\.tensor\((\[.*\])(, dtype=torch\.int32)?\)$", code, re.M)[1])


def _reduce(per_item: list, reduction: str):
    if reduction == "none":
        return per_item
    total = sum(per_item)
    return total if reduction == "sum" else total / len(per_item)


def _expected(code: str) -> str:
    last = code.splitlines()[-1]
    reduction = m[1] if (m := re.search(r"reduction='(\w+)'", code)) else "mean"
    if "CrossEntropyLoss" in code:
        logits, target = _literal(code, "logits"), _literal(code, "target")
        int32 = "dtype=torch.int32" in code
        floats = isinstance((target[0][0] if isinstance(target[0], list) else target[0]), float)
        if isinstance(target[0], list):  # probabilities: float, shaped like the logits
            ok = floats and len(target[0]) == len(logits[0])
        else:  # class indices: int64, one per sample
            ok = not floats and not int32
        return (format_shape([len(logits)]) if reduction == "none" else "()") if ok else "RuntimeError"
    if "MSELoss" in code:
        pred, target = _literal(code, "pred"), _literal(code, "target")
        return json.dumps(_reduce([(p - t) ** 2 for p, t in zip(pred, target, strict=True)], reduction))
    if "softmax" in code:
        dim = int(re.search(r"softmax\(x, dim=(-?\d)\)", code)[1]) % 2
        return json.dumps([dim == 1, dim == 0])
    assert "BCE" in last, code
    z, y = _literal(code, "z"), _literal(code, "y")
    ok = isinstance(y[0], float) and ("BCEWithLogitsLoss" in last or all(0 <= v <= 1 for v in z))
    return (format_shape([len(z)]) if reduction == "none" else "()") if ok else "RuntimeError"


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    by_answer = {(q.code.splitlines()[-1], q.answer) for q in questions.values()}
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("CrossEntropyLoss(reduction='none')", "CrossEntropyLoss()", "dtype=torch.int32", "MSELoss(",
                  "softmax(x, dim=-1)", "softmax(x, dim=0)", "BCELoss(", "BCEWithLogitsLoss("):  # fmt: skip
        assert piece in codes, piece
    assert ("loss.shape", "RuntimeError") in by_answer and ("loss.shape", "()") in by_answer
    assert all(len(set(q.choices)) >= 4 for q in questions.values())


def test_stated_rules_on_their_edge_cases():
    logits = torch.tensor([[2.0, 0.5, 1.0], [0.1, 1.5, 0.2]])
    ce = torch.nn.CrossEntropyLoss
    assert ce(reduction="none")(logits, torch.tensor([0, 2])).shape == (2,)
    assert ce()(logits, torch.tensor([0, 2])).shape == () == ce(reduction="sum")(logits, torch.tensor([0, 2])).shape
    assert ce()(logits, torch.tensor([0, 2], dtype=torch.uint8)).shape == ()  # uint8 indices are accepted
    for bad in (
        torch.tensor([0.0, 2.0]),
        torch.tensor([0, 2], dtype=torch.int32),
        torch.tensor([[1, 0, 0], [0, 0, 1]]),
    ):
        with pytest.raises(RuntimeError):
            ce()(logits, bad)
    probabilities = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert torch.allclose(ce()(logits, probabilities), ce()(logits, torch.tensor([0, 2])))
    assert ce(reduction="none")(logits, probabilities).shape == (2,)
    # MSELoss: default mean of the squares.
    pred, target = torch.tensor([1.0, 4.0]), torch.tensor([1.0, 1.0])
    assert torch.nn.MSELoss()(pred, target).item() == 4.5
    assert torch.nn.MSELoss(reduction="sum")(pred, target).item() == 9.0
    assert torch.nn.MSELoss(reduction="none")(pred, target).tolist() == [0.0, 9.0]
    # softmax: along dim, negative dims from the right.
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]])
    assert torch.allclose(torch.softmax(x, dim=-1).sum(dim=1), torch.ones(2))
    assert torch.allclose(torch.softmax(x, dim=-2).sum(dim=0), torch.ones(3))
    # BCELoss wants probabilities in [0, 1] (both ends included); BCEWithLogitsLoss any real; both a float target.
    y = torch.tensor([1.0, 0.0])
    assert torch.nn.BCELoss()(torch.tensor([1.0, 0.0]), y).item() == 0.0
    with pytest.raises(RuntimeError):
        torch.nn.BCELoss()(torch.tensor([1.5, 0.2]), y)
    assert torch.nn.BCEWithLogitsLoss(reduction="none")(torch.tensor([1.5, -3.0]), y).shape == (2,)
    for loss in (torch.nn.BCELoss(), torch.nn.BCEWithLogitsLoss()):
        with pytest.raises(RuntimeError):
            loss(torch.tensor([0.5, 0.2]), torch.tensor([1, 0]))
    rules = " ".join(r["en"] for r in module._RULES.values())
    assert "uint8 is accepted too" in rules and "outside [0, 1] raises RuntimeError" in rules
