"""Memory layout: strides, which views are contiguous, and expand (a view)
against repeat (a copy)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 18

_LABELS = {
    "strides_left_to_right": {
        "es": "contar los strides desde la izquierda (como columnas primero)",
        "en": "counting strides from the left (column-major)",
    },
    "shape_as_strides": {
        "es": "confundir los strides con la forma",
        "en": "confusing the strides with the shape",
    },
    "strides_in_bytes": {
        "es": "creer que los strides cuentan bytes (cuentan elementos)",
        "en": "thinking strides count bytes (they count elements)",
    },
    "transpose_recomputes": {
        "es": "creer que transpose reordena la memoria y recalcula los strides",
        "en": "thinking transpose rearranges memory and recomputes the strides",
    },
    "assumed_contiguous": {
        "es": "creer que este tensor sigue contiguo en memoria",
        "en": "thinking this tensor is still contiguous in memory",
    },
    "assumed_not_contiguous": {
        "es": "creer que cualquier vista o slice deja de ser contigua",
        "en": "thinking any view or slice stops being contiguous",
    },
    "expand_copies": {
        "es": "creer que expand copia los datos (es una vista: comparte memoria)",
        "en": "thinking expand copies the data (it is a view: it shares memory)",
    },
    "repeat_views": {
        "es": "creer que repeat es una vista (copia los datos)",
        "en": "thinking repeat is a view (it copies the data)",
    },
    "repeat_as_expand": {
        "es": "creer que repeat(n) añade una dimensión como expand (repite a lo largo de las existentes)",
        "en": "thinking repeat(n) adds a dimension like expand (it tiles along the existing ones)",
    },
    "expand_tiles": {
        "es": "creer que expand puede estirar una dimensión que no vale 1",
        "en": "thinking expand can stretch a dimension that isn't 1",
    },
}

_RULES = {
    "strides": {
        "es": "stride(d) es cuántos elementos hay que saltar en memoria para avanzar uno en la dimensión d. "
        "Un tensor contiguo de forma (a, b, c) tiene strides (b·c, c, 1); transpose y permute solo "
        "reordenan los strides, sin mover datos.",
        "en": "stride(d) is how many elements to skip in memory to move one step along dimension d. A "
        "contiguous tensor of shape (a, b, c) has strides (b·c, c, 1); transpose and permute only reorder "
        "the strides, moving no data.",
    },
    "contiguous": {
        "es": "Un tensor es contiguo si sus elementos están en memoria en el orden de sus índices. "
        "Quitar filas enteras (x[1:]) o añadir dimensiones de tamaño 1 lo conserva; transpose, permute, "
        "saltar columnas (x[:, 1:], x[:, ::2]) y expand no; .contiguous() copia a un orden contiguo.",
        "en": "A tensor is contiguous when its elements sit in memory in the order of its indices. Dropping "
        "whole rows (x[1:]) or adding size-1 dimensions keeps that; transpose, permute, skipping columns "
        "(x[:, 1:], x[:, ::2]) and expand don't; .contiguous() copies into contiguous order.",
    },
    "expand": {
        "es": "expand es una vista: estira dimensiones de tamaño 1 con stride 0, sin copiar, así que un "
        "cambio en el original se ve en todas las copias aparentes; solo puede estirar dimensiones que "
        "valen 1. repeat copia: repeat(n) repite n veces a lo largo de la dimensión existente.",
        "en": "expand is a view: it stretches size-1 dimensions with stride 0, without copying, so a change "
        "to the original shows in every apparent copy; it can only stretch dimensions of size 1. repeat "
        "copies: repeat(n) tiles n times along the existing dimension.",
    },
}

_PROMPTS = {
    "strides": {"es": "¿Qué devuelve stride()?", "en": "What does stride() return?"},
    "contiguous": {
        "es": "¿Qué devuelve la última línea? (¿b es contiguo?, ¿c es contiguo?)",
        "en": "What does the last line return: (is b contiguous, is c contiguous)?",
    },
    "expand": {
        "es": "¿Qué da la última línea? (o ¿qué error lanza?)",
        "en": "What does the last line give? (or which error does it raise?)",
    },
}

_v = labelled(_LABELS)


@dataclass(frozen=True)
class Strides:
    name: str = "strides"
    title = {
        "es": "Memoria: strides, contigüidad, expand frente a repeat",
        "en": "Memory: strides, contiguity, expand vs repeat",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["strides", "contiguous", "expand"], weights=[1, 1, 1])[0]
        kind, code, variants, fallbacks, error = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=_PROMPTS[style],
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice=error,
        )

    # -- styles --------------------------------------------------------------
    def _strides(self, rng: random.Random):
        shape = rng.sample([2, 3, 4, 5], rng.choice([2, 3]))
        setup = f"x = torch.zeros({shape_args(shape)})"
        n = len(shape)
        contiguous = [1] * n
        for d in range(n - 2, -1, -1):
            contiguous[d] = contiguous[d + 1] * shape[d + 1]  # only for distractors
        form = rng.choice(["plain", "plain", "transposed"])
        if form == "plain":
            code = f"{setup}\nx.stride()"
            # What column-major strides would be: the reversed shape's contiguous strides, reversed.
            column_major = f"x.permute({shape_args(range(n - 1, -1, -1))}).contiguous().stride()[::-1]"
            variants = [
                _v(f"{setup}\n{column_major}", "strides_left_to_right"),
                _v(f"{setup}\nx.shape", "shape_as_strides"),
                _v(f"{setup}\ntuple(s * x.element_size() for s in x.stride())", "strides_in_bytes"),
            ]
            fallbacks = [format_shape(contiguous[::-1]), format_shape([1] * n)]
        else:
            i, j = (0, 1) if n == 2 else rng.choice([(0, 1), (1, 2), (0, 2)])
            code = f"{setup}\nx.transpose({i}, {j}).stride()"
            variants = [
                _v(f"{setup}\nx.transpose({i}, {j}).contiguous().stride()", "transpose_recomputes"),
                _v(f"{setup}\nx.transpose({i}, {j}).shape", "shape_as_strides"),
                _v(f"{setup}\nx.stride()", "transpose_recomputes"),
            ]
            fallbacks = [format_shape(contiguous[::-1]), format_shape([1] * n)]
        return AnswerKind.SHAPE, code, variants, fallbacks, ""

    def _contiguous(self, rng: random.Random):
        n, m = rng.sample([2, 3, 4, 5], 2)
        pool = [
            "x.t()",
            "x.T",
            "x[1:]",
            f"x[:{n - 1}]",
            "x[:, 1:]",
            "x[:, ::2]",
            "x.unsqueeze(0)",
            "x.t().contiguous()",
            "x.view(-1)",
            f"x[:1].expand({n}, {m})",
            "x[0]",
            "x[:, 0]",
        ]
        b, c = rng.sample(pool, 2)
        setup = f"x = torch.zeros({n}, {m})\nb = {b}\nc = {c}"
        code = f"{setup}\n(b.is_contiguous(), c.is_contiguous())"
        variants = [
            _v(f"{setup}\n(True, c.is_contiguous())", "assumed_contiguous"),
            _v(f"{setup}\n(False, c.is_contiguous())", "assumed_not_contiguous"),
            _v(f"{setup}\n(b.is_contiguous(), True)", "assumed_contiguous"),
            _v(f"{setup}\n(b.is_contiguous(), False)", "assumed_not_contiguous"),
        ]
        fallbacks = [json.dumps([x, y]) for x in (True, False) for y in (True, False)]
        return AnswerKind.VALUES, code, variants, fallbacks, ""

    def _expand(self, rng: random.Random):
        n = rng.choice([2, 3, 4])
        values = rng.sample(range(1, 9), 2)
        form = rng.choice(["shared", "shared", "repeat_shape", "expand_error"])
        if form == "shared":
            method = rng.choice(["expand", "repeat"])
            call = f"x.expand(2, {n})" if method == "expand" else f"x.repeat(1, {n})"
            other = f"x.repeat(1, {n})" if method == "expand" else f"x.expand(2, {n})"
            setup = f"x = torch.tensor([[{values[0]}], [{values[1]}]])"
            code = f"{setup}\ny = {call}\nx[0, 0] = 9\ny"
            variants = [
                _v(f"{setup}\ny = {other}\nx[0, 0] = 9\ny", "expand_copies" if method == "expand" else "repeat_views")
            ]
            fallbacks = [
                json.dumps([[9] + [values[0]] * (n - 1), [values[1]] * n]),
                json.dumps([[9] * n, [9] * n]),
            ]
            return AnswerKind.VALUES, code, variants, fallbacks, ""
        if form == "repeat_shape":
            k = rng.choice([2, 3])
            code = f"x = torch.ones({n})\nx.repeat({k}).shape"
            variants = [
                _v(f"x = torch.ones({n})\nx.expand({k}, {n}).shape", "repeat_as_expand"),
                _v(f"x = torch.ones({n})\nx.shape", "expand_tiles"),
            ]
            fallbacks = [format_shape([n, k]), format_shape([k])]
            return AnswerKind.SHAPE, code, variants, fallbacks, "RuntimeError"
        k = rng.choice([2, 3])
        code = f"x = torch.ones({n}, 2)\nx.expand({n}, {2 * k}).shape"
        variants = [_v(f"x = torch.ones({n}, 2)\nx.repeat(1, {k}).shape", "expand_tiles")]
        fallbacks = [format_shape([n, 2, k]), format_shape([n * k, 2])]
        return AnswerKind.SHAPE, code, variants, fallbacks, "RuntimeError"


FAMILY = Strides()
