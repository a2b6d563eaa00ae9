"""The layers family, checked against the shape rules computed here in plain
Python from the sizes written in the snippet; and the rules its
explanations state, run on their edge cases.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import ast
import re

import pytest

from quizapp.questions.base import format_shape
from quizapp.questions.families import layers as module

torch = pytest.importorskip("torch")

FAMILY = module.FAMILY


def _zeros(code: str) -> list[int]:
    return [int(d) for d in re.search(r"^x = torch\.zeros\(([\d, ]+)\)$", code, re.M)[1].split(", ")]


def _pool(code: str) -> str:
    m = re.search(r"nn\.(?:Max|Avg)Pool2d\((\d)(?:, stride=(\d))?(?:, padding=(\d))?\)", code)
    kernel, padding = int(m[1]), int(m[3] or 0)
    stride = int(m[2] or kernel)
    shape = _zeros(code)
    if padding > kernel // 2:
        return "RuntimeError"
    out = (shape[-1] + 2 * padding - kernel) // stride + 1
    return "RuntimeError" if out < 1 else format_shape([*shape[:-2], out, out])


def _embedding(code: str) -> str:
    num, dim = (int(v) for v in re.search(r"nn\.Embedding\((\d+), (\d+)\)", code).groups())
    m = re.search(r"^idx = torch\.tensor\((.*?)(, dtype=torch\.(\w+))?\)$", code, re.M)
    idx = ast.literal_eval(m[1])
    flat = [v for row in idx for v in row] if isinstance(idx[0], list) else idx
    if m[3] == "float32" or isinstance(flat[0], float):
        return "RuntimeError"
    if max(flat) >= num:
        return "IndexError"
    shape = [len(idx), len(idx[0])] if isinstance(idx[0], list) else [len(idx)]
    return format_shape([*shape, dim])


def _rnn(code: str) -> str:
    m = re.search(r"nn\.(LSTM|GRU)\((\d+), (\d+)(.*)\)$", code, re.M)
    features, hidden, options = int(m[2]), int(m[3]), m[4]
    layers = int(n[1]) if (n := re.search(r"num_layers=(\d)", options)) else 1
    d = 2 if "bidirectional=True" in options else 1
    x = _zeros(code)
    if x[-1] != features:
        return "RuntimeError"
    batch, time = (x[0], x[1]) if "batch_first=True" in options else (x[1], x[0])
    ask = code.splitlines()[-1].split(".")[0]
    if ask == "out":
        return format_shape([batch, time, d * hidden] if "batch_first=True" in options else [time, batch, d * hidden])
    return format_shape([d * layers, batch, hidden])


def _expected(code: str) -> str:
    if "Pool2d" in code:
        return _pool(code)
    if "Embedding" in code:
        return _embedding(code)
    return _rnn(code)


def test_answers_follow_our_rules(questions):
    for seed, q in questions.items():
        assert q.answer == _expected(q.code), (seed, q.code, q.answer)


def test_every_case_is_asked_with_four_choices(questions):
    codes = "\n".join(q.code for q in questions.values())
    for piece in ("nn.MaxPool2d(", "nn.AvgPool2d(", "stride=", "padding=", "nn.Embedding(", "dtype=torch.int32",
                  "nn.LSTM(", "nn.GRU(", "batch_first=True", "bidirectional=True", "num_layers=", "\nc.shape",
                  "\nh.shape"):  # fmt: skip
        assert piece in codes, piece
    answers = {q.answer for q in questions.values()}
    assert {"RuntimeError", "IndexError"} <= answers
    assert all(len(set(q.choices)) >= 4 for q in questions.values())


def test_stated_rules_on_their_edge_cases():
    # Pooling: default stride = kernel, rounding down, ceil_mode up, padding at most half, size 0 raises.
    x = torch.zeros(1, 3, 7, 7)
    assert torch.nn.MaxPool2d(2)(x).shape == (1, 3, 3, 3)
    assert torch.nn.MaxPool2d(2, ceil_mode=True)(x).shape == (1, 3, 4, 4)
    assert torch.nn.AvgPool2d(3, stride=2, padding=1)(x).shape == (1, 3, 4, 4)
    assert torch.nn.MaxPool2d(2)(torch.zeros(3, 7, 7)).shape == (3, 3, 3)  # unbatched: still the last two
    with pytest.raises(RuntimeError):
        torch.nn.MaxPool2d(3, padding=2)(x)
    with pytest.raises(RuntimeError):
        torch.nn.AvgPool2d(3)(torch.zeros(1, 1, 2, 2))
    # Embedding: a new last dimension, int64 or int32 indices, float32 out; float indices and num_embeddings raise.
    emb = torch.nn.Embedding(5, 4)
    assert emb(torch.tensor([[0, 4, 1]])).shape == (1, 3, 4)
    assert emb(torch.tensor([0, 4], dtype=torch.int32)).dtype == torch.float32
    with pytest.raises(RuntimeError):
        emb(torch.tensor([0.0, 2.0]))
    with pytest.raises(IndexError):
        emb(torch.tensor([5]))
    # LSTM/GRU: batch_first changes out, never h or c; D = 2 when bidirectional.
    lstm = torch.nn.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)
    out, (h, c) = lstm(torch.zeros(4, 6, 3))
    assert out.shape == (4, 6, 10) and h.shape == c.shape == (4, 4, 5)
    out, h = torch.nn.GRU(3, 5)(torch.zeros(6, 4, 3))
    assert out.shape == (6, 4, 5) and h.shape == (1, 4, 5)
    with pytest.raises(RuntimeError):
        lstm(torch.zeros(4, 6, 2))
    rules = " ".join(r["en"] for r in module._RULES.values())
    assert "the default stride is kernel_size" in rules and "with or without batch_first" in rules
