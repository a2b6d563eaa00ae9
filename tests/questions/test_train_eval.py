"""The train_eval family, checked against the modes simulated here in plain
Python from the calls the snippet makes (which mode each module ends in,
Dropout's scale, BatchNorm's momentum); and the rules its explanations
state, run on their edge cases.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from quizapp.questions.base import format_shape
from quizapp.questions.families import train_eval as module

torch = pytest.importorskip("torch")

FAMILY = module.FAMILY


def _training(code: str, name: str) -> bool:
    """The mode a lone module ends in: train unless its last call says eval (no_grad changes nothing)."""
    mode = True
    for line in code.splitlines():
        if m := re.fullmatch(rf"{name}\.(train|eval)\(\)", line):
            mode = m[1] == "train"
    return mode


def _expected(code: str) -> str:
    last = code.splitlines()[-1]
    if last == "y.unique().tolist()":
        p = float(re.search(r"Dropout\(p=([\d.]+)\)", code)[1])
        value = float(re.search(r"torch\.full\(\(64,\), ([\d.]+)\)", code)[1])
        return json.dumps([0.0, value / (1 - p)] if _training(code, "model") else [value])
    if last == "bn.running_mean":
        x = ast.literal_eval(re.search(r"^x = torch\.tensor\((.*)\)$", code, re.M)[1])
        passes = len(re.findall(r"^\s*bn\(x\)$", code, re.M))
        mean = [0.0] * len(x[0])
        if _training(code, "bn"):
            for _ in range(passes):
                batch = [sum(row[c] for row in x) / len(x) for c in range(len(x[0]))]
                mean = [0.9 * m + 0.1 * b for m, b in zip(mean, batch, strict=True)]
        return json.dumps([round(m, 4) for m in mean])
    if last == "bn(x).shape":
        x = ast.literal_eval(re.search(r"^x = torch\.tensor\((.*)\)$", code, re.M)[1])
        if _training(code, "bn") and len(x) == 1:
            return "ValueError"
        return format_shape([len(x), len(x[0])])
    assert last == "(model.training, model[1].training)", code
    parent = child = True
    for line in code.splitlines():
        if m := re.fullmatch(r"model\.(train|eval)\((False)?\)", line):
            parent = child = m[1] == "train" and not m[2]
        elif m := re.fullmatch(r"model\[1\]\.(train|eval)\(\)", line):
            child = m[1] == "train"
    return json.dumps([parent, child])


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    answers = {(q.code.splitlines()[-1], q.answer) for q in questions.values()}
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("model.eval()", "model.train(False)", "model[1].train()", "with torch.no_grad():",
                  "nn.Sequential(nn.Dropout", "bn.eval()", "bn.train()"):  # fmt: skip
        assert piece in codes, piece
    assert ("bn(x).shape", "ValueError") in answers
    assert any(last == "bn(x).shape" and a != "ValueError" for last, a in answers)
    assert all(len(set(q.choices)) >= 4 for q in questions.values())


def test_stated_rules_on_their_edge_cases():
    # A new module is in train mode; Dropout zeroes and rescales by 1/(1-p); eval is the identity; no_grad keeps the mode.
    drop = torch.nn.Dropout(p=0.75)
    assert drop.training
    torch.manual_seed(0)
    with torch.no_grad():
        assert drop(torch.full((64,), 1.0)).unique().tolist() == [0.0, 4.0]
    drop.eval()
    assert drop(torch.full((64,), 1.0)).unique().tolist() == [1.0]
    # BatchNorm1d: momentum 0.1 from 0, in train mode only, inside no_grad too.
    bn = torch.nn.BatchNorm1d(2)
    assert bn.momentum == 0.1 and bn.running_mean.tolist() == [0.0, 0.0]
    x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    with torch.no_grad():
        bn(x)
    assert torch.allclose(bn.running_mean, torch.tensor([0.2, 0.4]))
    bn.eval()
    bn(x)
    assert torch.allclose(bn.running_mean, torch.tensor([0.2, 0.4]))
    # One sample: ValueError in train mode, fine in eval mode.
    assert bn(torch.tensor([[1.0, 2.0]])).shape == (1, 2)
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(2)(torch.tensor([[1.0, 2.0]]))
    # train()/eval() reach every submodule; a submodule's call reaches only it; train(False) is eval().
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sequential(torch.nn.Dropout()))
    model.train(False)
    assert not model.training and not model[1].training and not model[1][0].training
    model[1].train()
    assert not model.training and model[1].training and model[1][0].training
    rules = " ".join(r["en"] for r in module._RULES.values())
    assert "train(False) is eval()" in rules and "inside torch.no_grad() too" in rules
