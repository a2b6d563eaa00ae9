"""What torch.tensor(...) infers from nested Python lists and tuples: dtype and shape."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 3

_LABELS = {
    "outer_only": {"es": "contar solo la lista exterior", "en": "counting only the outer list"},
    "flattened": {"es": "contar todos los elementos en una dimensión", "en": "counting every element in one dimension"},
    "reversed_shape": {"es": "leer la forma de dentro hacia fuera", "en": "reading the shape inside out"},
    "scalar_is_1d": {"es": "creer que un número da forma (1,)", "en": "thinking a number gives shape (1,)"},
    "pads_ragged": {"es": "creer que las filas cortas se rellenan", "en": "thinking short rows get padded"},
    "first_row_decides": {
        "es": "creer que la primera fila fija la longitud y el resto se ignora",
        "en": "thinking the first row sets the length and the rest is ignored",
    },
    "ragged_flattens": {"es": "creer que una lista irregular se aplana", "en": "thinking a ragged list gets flattened"},
    "int_is_int32": {"es": "tomar los int de Python por int32", "en": "taking Python ints for int32"},
    "tensor_class": {
        "es": "confundir torch.tensor con torch.Tensor (siempre float32)",
        "en": "confusing torch.tensor with torch.Tensor (always float32)",
    },
    "first_element_decides": {
        "es": "creer que el primer elemento decide el dtype",
        "en": "thinking the first element decides the dtype",
    },
    "float_is_float64": {
        "es": "creer que un float de Python da float64",
        "en": "thinking a Python float gives float64",
    },
    "bool_wins": {
        "es": "creer que mezclar bool con números da bool",
        "en": "thinking mixing bools with numbers gives bool",
    },
    "bool_as_uint8": {"es": "creer que los bool se guardan como uint8", "en": "thinking bools are stored as uint8"},
    "empty_is_int": {"es": "creer que una lista vacía da int64", "en": "thinking an empty list gives int64"},
}

_SHAPE_PROMPT = {
    "es": "¿Qué forma tiene el tensor? (o ¿qué error lanza?)",
    "en": "What is the shape of the tensor? (or which error does it raise?)",
}
_DTYPE_PROMPT = {
    "es": "¿Qué dtype infiere torch.tensor? (o ¿qué error lanza?)",
    "en": "Which dtype does torch.tensor infer? (or which error does it raise?)",
}
_SHAPE_RULE = {
    "es": "Cada nivel de anidamiento es una dimensión, sea lista o tupla, y su tamaño es el número de "
    "elementos de ese nivel; un número suelto da forma (). Todas las secuencias de un mismo nivel deben "
    "tener la misma longitud: una entrada irregular lanza ValueError.",
    "en": "Each level of nesting is one dimension, list or tuple alike, and its size is the number of "
    "elements at that level; a bare number gives shape (). All the sequences at one level must have the "
    "same length: ragged input raises ValueError.",
}
_DTYPE_RULE = {
    "es": "torch.tensor mira todos los elementos: solo enteros → int64; algún float → float32 (el dtype "
    "por defecto, no float64); solo bool → bool; bool mezclados con enteros → int64. Una lista vacía da "
    "float32 y una entrada irregular lanza ValueError.",
    "en": "torch.tensor looks at every element: only ints → int64; any float → float32 (the default "
    "dtype, not float64); only bools → bool; bools mixed with ints → int64. An empty list gives float32 "
    "and ragged input raises ValueError.",
}


_v = labelled(_LABELS)


def _nest(shape: list[int], leaf: Callable[[], str]) -> Any:
    if not shape:
        return leaf()
    return [_nest(shape[1:], leaf) for _ in range(shape[0])]


def _make_ragged(rng: random.Random, data: list, shape: list[int]) -> bool:
    """Change the length of one sequence below the top level, never the first of its
    siblings (so the first one sets the length a learner expects). False if impossible."""
    levels = [lv for lv in range(1, len(shape)) if shape[lv - 1] >= 2]
    if not levels:
        return False
    level = rng.choice(levels)
    parents = [data]
    for _ in range(level - 1):
        parents = [child for p in parents for child in p]
    parent, index = rng.choice([(p, i) for p in parents for i in range(1, len(p))])
    target = parent[index]
    if len(target) >= 2 and rng.random() < 0.5:
        target.pop()
    else:
        target.append(_copy(target[-1]))
    return True


def _copy(node):
    return [_copy(c) for c in node] if isinstance(node, list) else node


def _render(rng: random.Random, node, tuples: float) -> str:
    """Python source for ``node``; each sequence is a list or (with probability ``tuples``) a tuple."""
    if not isinstance(node, list):
        return node
    inner = ", ".join(_render(rng, child, tuples) for child in node)
    if rng.random() < tuples:
        return f"({inner},)" if len(node) == 1 else f"({inner})"
    return f"[{inner}]"


def _flat(node) -> list[str]:
    return [leaf for child in node for leaf in _flat(child)] if isinstance(node, list) else [node]


def _depth_shape(node) -> list[int]:
    """The shape read along the first elements (what a learner sees first)."""
    shape = []
    while isinstance(node, list):
        shape.append(len(node))
        node = node[0] if node else None
    return shape


def _padded_shape(node) -> list[int]:
    shape = _depth_shape(node)
    level = [node]
    for i in range(len(shape)):
        shape[i] = max(len(n) for n in level)
        level = [c for n in level for c in n if isinstance(c, list)]
    return shape


@dataclass(frozen=True)
class TensorInfer:
    name: str = "tensor_infer"
    title = {"es": "torch.tensor: dtype y forma inferidos", "en": "torch.tensor: inferred dtype and shape"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.DTYPE

    def build(self, rng: random.Random) -> Draft:
        if rng.random() < 0.5:
            return self._shape(rng)
        return self._dtype(rng)

    # -- shape ---------------------------------------------------------------
    def _shape(self, rng: random.Random) -> Draft:
        roll = rng.random()
        if roll < 0.06:
            value = str(rng.randint(2, 9))
            code = f"torch.tensor({value}).shape"
            variants = [_v(f"torch.tensor([{value}]).shape", "scalar_is_1d")]
            return self._draft_shape(code, variants, ("(1,)", "(0,)", f"({value},)"))
        ndim = rng.choice([1, 2, 2, 3, 3])
        shape = [rng.randint(2 if ndim == 1 else 1, 4) for _ in range(ndim)]
        while _product(shape) > 16 or (ndim > 1 and shape[-1] == 1 and rng.random() < 0.5):
            shape = [rng.randint(1, 4) for _ in range(ndim)]
        if roll < 0.1:
            shape = [rng.randint(1, 3), 0] if rng.random() < 0.5 else [0]
        data = _nest(shape, lambda: str(rng.randint(0, 9)))
        ragged = ndim >= 2 and 0 not in shape and rng.random() < 0.25 and _make_ragged(rng, data, shape)
        source = _render(rng, data, rng.choice([0.0, 0.3, 0.5, 0.8]))
        code = f"x = torch.tensor({source})\nx.shape"
        flat = "[" + ", ".join(_flat(data)) + "]"
        seen = _depth_shape(data)
        variants = [
            _v(f"torch.zeros({len(data)}).shape", "outer_only"),
            _v(f"torch.tensor({flat}).shape", "flattened" if not ragged else "ragged_flattens"),
        ]
        if ragged:
            variants += [
                _v(f"torch.zeros({shape_args(_padded_shape(data))}).shape", "pads_ragged"),
                _v(f"torch.zeros({shape_args(seen)}).shape", "first_row_decides"),
            ]
        else:
            variants.append(_v(f"torch.zeros({shape_args(seen[::-1])}).shape", "reversed_shape"))
        fallbacks = ("ValueError", format_shape(seen + [1]), format_shape([1] + seen), format_shape(seen[1:] or [1]))
        return self._draft_shape(code, variants, fallbacks)

    @staticmethod
    def _draft_shape(code: str, variants: list[Variant], fallbacks: tuple[str, ...]) -> Draft:
        return Draft(
            code=code,
            answer_kind=AnswerKind.SHAPE,
            prompt=_SHAPE_PROMPT,
            error_choice="ValueError",
            explanation=_SHAPE_RULE,
            variants=tuple(variants),
            fallbacks=fallbacks,
        )

    # -- dtype ---------------------------------------------------------------
    def _dtype(self, rng: random.Random) -> Draft:
        palette = rng.choices(
            ["ints", "one_float", "floats", "bools", "bools_ints", "bools_floats", "empty"],
            weights=[2, 3, 1, 1.5, 2.5, 1, 0.5],
        )[0]
        if palette == "empty":
            code = f"torch.tensor({rng.choice(['[]', '()', '[[], []]'])}).dtype"
            variants = [_v("torch.int64", "empty_is_int"), _v("torch.float64", "float_is_float64")]
            return self._draft_dtype(code, variants)
        shape = [rng.randint(2, 4)] if rng.random() < 0.5 else [rng.randint(2, 3), rng.randint(2, 3)]
        leaves = {
            "ints": lambda: str(rng.randint(0, 9)),
            "floats": lambda: rng.choice(["0.5", "1.5", "2.0", "3.25", "1."]),
            "bools": lambda: rng.choice(["True", "False"]),
            "one_float": lambda: str(rng.randint(0, 9)),
            "bools_ints": lambda: rng.choice(["True", "False"]),
            "bools_floats": lambda: rng.choice(["True", "False"]),
        }[palette]
        data = _nest(shape, leaves)
        rows = data if len(shape) == 2 else [data]
        cells = [(r, i) for r in rows for i in range(len(r))]
        if palette in ("one_float", "bools_ints", "bools_floats"):
            mixed = {
                "one_float": ["2.5", "1.0", "3.", "0.5"],
                "bools_ints": ["2", "0", "1", "5"],
                "bools_floats": ["0.5", "1.0", "2.5"],
            }[palette]
            # The odd one out sits after the first element, so the first element misleads.
            for row, i in rng.sample(cells[1:], rng.randint(1, min(2, len(cells) - 1))):
                row[i] = rng.choice(mixed)
        ragged = len(shape) == 2 and rng.random() < 0.15 and _make_ragged(rng, data, shape)
        source = _render(rng, data, rng.choice([0.0, 0.0, 0.4]))
        flat = _flat(data)
        code = f"torch.tensor({source}).dtype"
        floats = any("." in leaf for leaf in flat)
        bools = any(leaf in ("True", "False") for leaf in flat)
        numbers = any(leaf not in ("True", "False") for leaf in flat)
        variants = [_v("torch.bool", "bool_wins")] if bools and numbers else []
        variants.append(_v(f"torch.tensor({flat[0]}).dtype", "first_element_decides"))
        if floats:
            variants.append(_v(f"torch.tensor({source}, dtype=torch.float64).dtype", "float_is_float64"))
        elif numbers:
            variants.append(_v(f"torch.tensor({source}, dtype=torch.int32).dtype", "int_is_int32"))
            variants.append(_v(f"torch.Tensor({source}).dtype", "tensor_class"))
        if bools and not numbers:
            variants.append(_v(f"torch.tensor({source}, dtype=torch.uint8).dtype", "bool_as_uint8"))
        if ragged:
            variants.append(_v(f"torch.tensor([{', '.join(flat)}]).dtype", "ragged_flattens"))
        return self._draft_dtype(code, variants)

    @staticmethod
    def _draft_dtype(code: str, variants: list[Variant]) -> Draft:
        return Draft(
            code=code,
            answer_kind=AnswerKind.DTYPE,
            prompt=_DTYPE_PROMPT,
            error_choice="ValueError",
            explanation=_DTYPE_RULE,
            variants=tuple(variants),
            fallbacks=("torch.float32", "torch.int64", "torch.float64", "torch.int32", "torch.bool"),
        )


def _product(shape: list[int]) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


FAMILY = TensorInfer()
