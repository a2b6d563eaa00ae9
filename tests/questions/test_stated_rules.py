"""The rules the explanations state, run on their edge cases: an explanation
that says something torch doesn't do fails here (issue 12, "every rule
right"). Each test names the family whose explanation states the rule."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _rule(family: str, key: str | None = None) -> str:
    """The English text of a family's explanations (all of its rule tables)."""
    import importlib

    module = importlib.import_module(f"quizapp.questions.families.{family}")
    texts = []
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, dict):
            tables = value.values() if all(isinstance(v, dict) for v in value.values()) else [value]
            texts += [t.get("en", "") for t in tables if isinstance(t, dict)]
    return " ".join(texts)


def test_promotion_a_float_beats_an_int_whatever_the_sizes():
    assert torch.promote_types(torch.int64, torch.float16) == torch.float16
    assert (torch.tensor([70000]) + torch.zeros(1, dtype=torch.float16)).isinf().all()
    assert torch.promote_types(torch.uint8, torch.int8) == torch.int16
    assert torch.promote_types(torch.float16, torch.bfloat16) == torch.float32
    assert torch.promote_types(torch.int16, torch.int32) == torch.int32
    import inspect

    from quizapp.questions.families import promotion

    source = inspect.getsource(promotion)
    assert "smallest dtype that can hold both" not in source
    assert "70000 becomes inf" in source


def test_autograd_a_second_backward_fails_only_when_tensors_were_saved():
    x = torch.tensor(2.0, requires_grad=True)
    y = x + 1  # saves nothing
    y.backward()
    y.backward()
    assert x.grad.item() == 2.0
    y = x**2  # saves x
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()
    x.grad = None
    y = x**2
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0
    assert "If the graph saved none (y = x + 1)" in _rule("autograd")


def test_full_like_truncates_the_fill_to_the_tensors_dtype():
    x = torch.zeros(2, dtype=torch.int64)
    assert torch.full_like(x, 2.7).tolist() == [2, 2]
    assert torch.full_like(x, -2.7).tolist() == [-2, -2]
    assert "2.7 is truncated to 2 (and -2.7 to -2)" in _rule("creation_like")


def test_view_splits_any_dim_but_merges_only_dims_in_memory_order():
    y = torch.zeros(4, 2, 3).transpose(1, 2)  # (4, 3, 2), dims 1 and 2 out of order
    assert y.view(2, 2, 3, 2).shape == (2, 2, 3, 2)  # splitting the untouched dim 0 works
    with pytest.raises(RuntimeError):
        y.view(4, 6)  # merging the swapped dims
    assert y.reshape(4, 6).shape == (4, 6)
    assert "splitting one it left alone works" in _rule("shape_ops")
