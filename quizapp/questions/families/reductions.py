"""Reductions: the shape left by sum/mean/max/argmax/prod/amax with dim and keepdim."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 7

#: Method -> whether it takes a tuple of dims.
_METHODS = {"sum": True, "mean": True, "amax": True, "prod": False, "argmax": False, "max": False}

_LABELS = {
    "keepdim_flipped": {"es": "confundir el efecto de keepdim", "en": "getting keepdim backwards"},
    "dim_kept": {
        "es": "creer que dim es la dimensión que se conserva",
        "en": "thinking dim is the dimension that is kept",
    },
    "negative_from_left": {
        "es": "contar las dimensiones negativas desde la izquierda",
        "en": "counting negative dims from the left",
    },
    "one_based": {"es": "contar las dimensiones desde 1", "en": "counting dims from 1"},
    "reduces_all": {"es": "creer que se reduce todo el tensor", "en": "thinking the whole tensor is reduced"},
    "only_first_dim": {
        "es": "reducir solo la primera dimensión de la tupla",
        "en": "reducing only the first dim of the tuple",
    },
    "default_dim_zero": {
        "es": "creer que sin dim se reduce la dimensión 0",
        "en": "thinking that without dim, dim 0 is reduced",
    },
    "scalar_is_1d": {
        "es": "creer que un resultado escalar tiene forma (1,)",
        "en": "thinking a scalar result has shape (1,)",
    },
    "dim_wraps": {
        "es": "creer que un dim fuera de rango da la vuelta",
        "en": "thinking an out-of-range dim wraps around",
    },
}

_PROMPT = {
    "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
    "en": "What is the shape of the result? (or which error does it raise?)",
}
_RULE = {
    "es": "Reducir sobre dim elimina esa dimensión (con keepdim=True se queda con tamaño 1); los dims "
    "negativos cuentan desde el final (-1 es la última) y una tupla reduce todas las que nombra. Sin dim se "
    "reduce todo a forma (); un dim fuera de [-ndim, ndim-1] lanza IndexError.",
    "en": "Reducing over dim removes that dimension (keepdim=True keeps it with size 1); negative dims "
    "count from the end (-1 is the last) and a tuple reduces every dim it names. Without dim the whole "
    "tensor reduces to shape (); a dim outside [-ndim, ndim-1] raises IndexError.",
}


_v = labelled(_LABELS)


def _dims(dims: tuple[int, ...]) -> str:
    return f"({dims[0]},)" if len(dims) == 1 else "(" + ", ".join(map(str, dims)) + ")"


@dataclass(frozen=True)
class Reductions:
    name: str = "reductions"
    title = {"es": "Reducciones: dim y keepdim", "en": "Reductions: dim and keepdim"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        ndim = rng.choice([2, 3, 3, 4])
        shape = rng.sample(range(2, 7), ndim)
        method = rng.choice(list(_METHODS))
        setup = f"x = torch.{rng.choice(['ones', 'ones', 'zeros'])}({shape_args(shape)})"
        style = rng.choices(
            ["int", "tuple", "none", "out_of_range"], weights=[6, 2 if _METHODS[method] else 0, 1, 1.2]
        )[0]
        keepdim = rng.random() < 0.35
        function = rng.random() < 0.25 and method != "max"
        positional = rng.random() < 0.3

        if style == "none":
            dim: int | tuple[int, ...] | None = None
            keepdim = False
        elif style == "tuple":
            picked = sorted(rng.sample(range(ndim), 2))
            dim = tuple(d - ndim if rng.random() < 0.3 else d for d in picked)
        elif style == "out_of_range":
            dim = rng.choice([ndim, -ndim - 1, ndim + 1])
        else:
            d = rng.randrange(ndim)
            dim = d - ndim if rng.random() < 0.4 else d

        def call(dim_value, keep: bool) -> str:
            parts = []
            if dim_value is not None:
                text = _dims(dim_value) if isinstance(dim_value, tuple) else str(dim_value)
                parts.append(text if positional and not keep else f"dim={text}")
            if keep:
                parts.append("keepdim=True")
            args = ", ".join(parts)
            if function:
                expr = f"torch.{method}(x{', ' + args if args else ''})"
            else:
                expr = f"x.{method}({args})"
            if method == "max" and dim_value is not None:
                expr += ".values"
            return f"{setup}\n{expr}.shape"

        code = call(dim, keepdim)
        variants = [_v(call(dim, not keepdim), "keepdim_flipped")] if dim is not None else []
        if isinstance(dim, int) and style == "int":
            d = dim % ndim
            others = tuple(i for i in range(ndim) if i != d)
            if _METHODS[method]:
                variants.append(_v(call(others, keepdim), "dim_kept"))
            else:
                variants.append(_v(f"torch.ones({shape[d]}).shape", "dim_kept"))
            if dim < 0:
                variants.append(_v(call(-dim - 1, keepdim), "negative_from_left"))
            elif dim >= 1:
                variants.append(_v(call(dim - 1, keepdim), "one_based"))
            else:
                variants.append(_v(call(None, False), "reduces_all"))
        elif isinstance(dim, tuple):
            variants.append(_v(call(dim[0], keepdim), "only_first_dim"))
            variants.append(_v(call(None, False), "reduces_all"))
        elif style == "out_of_range":
            assert dim is not None
            variants.append(_v(call(dim % ndim, keepdim), "dim_wraps"))
            variants.append(_v(call(None, False), "reduces_all"))
        else:  # no dim: the whole tensor
            variants.append(_v(call(0, False), "default_dim_zero"))
            variants.append(_v("torch.ones(1).shape", "scalar_is_1d"))

        fallbacks = [
            "IndexError",
            format_shape(shape),
            format_shape([1] * ndim),
            format_shape(shape[1:]),
            format_shape(shape[:-1]),
        ]
        return Draft(
            code=code,
            answer_kind=AnswerKind.SHAPE,
            prompt=_PROMPT,
            error_choice="IndexError",
            explanation=_RULE,
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
        )


FAMILY = Reductions()
