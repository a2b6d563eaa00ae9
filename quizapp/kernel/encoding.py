"""Encode a snippet's value as JSON-safe data (worker side only: imports torch).

Shapes of the encoded values (``type`` is always present):

* tensor: ``{"type": "tensor", "shape": [..], "dtype": "torch.float32",
  "values": nested list or None, "requires_grad": bool, "grad": tensor or None}``
  (``values`` only when numel <= :data:`MAX_TENSOR_VALUES`; floats rounded to
  :data:`DIGITS` places; nan/inf as the strings "nan", "inf", "-inf")
* ``{"type": "size", "shape": [..]}``, ``{"type": "dtype", "value": "torch.float32"}``
* ``{"type": "bool"|"int"|"float"|"str"|"none", "value": ...}``
* ``{"type": "tuple"|"list", "items": [..], "truncated": bool}``
* ``{"type": "module", "repr": str, "parameters": int}`` (number of scalars)
* ``{"type": "other", "repr": str}`` for anything else

The per-item caps keep each piece small; :data:`MAX_VALUE_BYTES` bounds the
whole: the JSON size is counted as the value is encoded, and encoding stops
with :class:`ValueTooLarge` as soon as the total passes the budget (so a list
of lists of long strings costs the budget's worth of work, not its size).
"""

from __future__ import annotations

import json
import math
from typing import Any

import torch

from quizapp.kernel.protocol import MAX_VALUE_BYTES

DIGITS = 4
"""Decimal places kept for floats."""
MAX_TENSOR_VALUES = 64
"""Largest tensor (in elements) whose values are sent."""
MAX_ITEMS = 64
"""Most items of a tuple/list sent."""
MAX_DEPTH = 8
"""Deepest nesting of tuples/lists encoded."""
MAX_STR = 2000
"""Longest str value sent, in characters."""
MAX_REPR = 200
"""Longest repr sent for "other" values, in characters."""
MAX_MODULE_REPR = 2000
"""Longest repr sent for nn.Module values, in characters."""


class ValueTooLarge(ValueError):
    """The encoded value would pass :data:`MAX_VALUE_BYTES`."""

    def __init__(self, budget: int) -> None:
        super().__init__(f"the value is too large to show (more than {budget // 1024} KB encoded)")
        self.budget = budget


class _Budget:
    """JSON bytes left for one value; ``spend`` raises ValueTooLarge past zero."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise ValueTooLarge(self.limit)


#: Bytes counted for an encoded node besides its leaves (keys, braces, "type").
_NODE_BYTES = 24


def _json_size(x: Any) -> int:
    """Bytes of ``x`` as JSON (x is small: a capped str or a short list)."""
    return len(json.dumps(x))


def encode_float(x: float) -> float | str:
    """Round to DIGITS places; nan/inf become strings (JSON has no such numbers)."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return round(x, DIGITS)


def _scalar(x: Any) -> Any:
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        return encode_float(x)
    if isinstance(x, complex):
        return [encode_float(x.real), encode_float(x.imag)]
    return repr(x)


def _nested(values: Any) -> Any:
    if isinstance(values, list):
        return [_nested(v) for v in values]
    return _scalar(values)


def encode_tensor(t: torch.Tensor, with_grad: bool = True) -> dict[str, Any]:
    """Encode a tensor; values only when small and materialised (not meta)."""
    values = None
    if t.numel() <= MAX_TENSOR_VALUES and t.device.type != "meta" and t.layout == torch.strided:
        try:
            values = _nested(t.detach().tolist())
        except (RuntimeError, TypeError, ValueError):
            values = None
    grad = None
    if with_grad and t.grad is not None:
        grad = encode_tensor(t.grad, with_grad=False)
    return {
        "type": "tensor",
        "shape": list(t.shape),
        "dtype": str(t.dtype),
        "values": values,
        "requires_grad": bool(t.requires_grad),
        "grad": grad,
    }


def _safe_repr(x: Any, limit: int) -> str:
    try:
        return repr(x)[:limit]
    except Exception as e:  # repr of a half-built object can fail
        return f"<unrepresentable {type(x).__name__}: {type(e).__name__}>"


def encode(value: Any, depth: int = 0, *, budget: int = MAX_VALUE_BYTES) -> dict[str, Any]:
    """Encode any value the snippet produced (see the module docstring).

    Raises ValueTooLarge when the encoded value would pass ``budget`` bytes."""
    return _encode(value, depth, _Budget(budget))


def _encode(value: Any, depth: int, budget: _Budget) -> dict[str, Any]:
    budget.spend(_NODE_BYTES)
    encoded = _encode_node(value, depth, budget)
    if encoded["type"] in ("str", "other", "module"):
        budget.spend(_json_size(encoded.get("value", encoded.get("repr"))))
    elif encoded["type"] == "tensor":
        budget.spend(_json_size(encoded))
    return encoded


def _encode_node(value: Any, depth: int, budget: _Budget) -> dict[str, Any]:
    if isinstance(value, torch.Tensor):
        return encode_tensor(value)
    if isinstance(value, torch.Size):  # before tuple: Size is a tuple
        return {"type": "size", "shape": list(value)}
    if isinstance(value, torch.dtype):
        return {"type": "dtype", "value": str(value)}
    if value is None:
        return {"type": "none", "value": None}
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, int):
        if value.bit_length() > 1000:  # str() of huge ints is slow and capped
            return {"type": "other", "repr": f"<int of {value.bit_length()} bits>"}
        return {"type": "int", "value": value}
    if isinstance(value, float):
        return {"type": "float", "value": encode_float(value)}
    if isinstance(value, str):
        return {"type": "str", "value": value[:MAX_STR]}
    if isinstance(value, (tuple, list)) and depth < MAX_DEPTH:
        items = [_encode(v, depth + 1, budget) for v in value[:MAX_ITEMS]]
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {"type": kind, "items": items, "truncated": len(value) > MAX_ITEMS}
    if isinstance(value, torch.nn.Module):
        count = sum(p.numel() for p in value.parameters())
        return {"type": "module", "repr": _safe_repr(value, MAX_MODULE_REPR), "parameters": count}
    return {"type": "other", "repr": _safe_repr(value, MAX_REPR)}
