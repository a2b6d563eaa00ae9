"""Shape operations: view, reshape, permute, transpose, squeeze, unsqueeze, flatten."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 8

_LABELS = {
    "minus_one_is_one": {"es": "leer -1 como un tamaño 1", "en": "reading -1 as a size of 1"},
    "minus_one_keeps_dim": {
        "es": "creer que -1 deja el tamaño que había en esa posición",
        "en": "thinking -1 keeps the size that was at that position",
    },
    "ignores_numel": {"es": "creer que view acepta cualquier forma", "en": "thinking view accepts any shape"},
    "minus_one_rounds_down": {
        "es": "creer que -1 redondea si no divide exacto",
        "en": "thinking -1 rounds down when it doesn't divide evenly",
    },
    "permute_inverse": {
        "es": "leer permute al revés (a dónde va cada dim, no de dónde viene)",
        "en": "reading permute backwards (where each dim goes, not where it comes from)",
    },
    "reverses_all": {
        "es": "creer que transpose invierte todas las dimensiones",
        "en": "thinking transpose reverses every dimension",
    },
    "transpose_last_two": {
        "es": "creer que transpose siempre cambia las dos últimas",
        "en": "thinking transpose always swaps the last two",
    },
    "view_copies": {"es": "creer que view copia como reshape", "en": "thinking view copies like reshape"},
    "contiguous_ignored": {
        "es": "creer que contiguous() no arregla el view",
        "en": "thinking contiguous() doesn't fix the view",
    },
    "reshape_fails_too": {
        "es": "creer que reshape también falla tras transpose",
        "en": "thinking reshape fails after transpose too",
    },
    "squeeze_all": {
        "es": "creer que squeeze(dim) quita todas las dimensiones 1",
        "en": "thinking squeeze(dim) removes every size-1 dim",
    },
    "squeeze_removes_any": {
        "es": "creer que squeeze(dim) quita esa dimensión aunque no sea 1",
        "en": "thinking squeeze(dim) removes that dim even when it isn't 1",
    },
    "squeeze_first_only": {
        "es": "creer que squeeze() quita solo la primera dimensión 1",
        "en": "thinking squeeze() removes only the first size-1 dim",
    },
    "negative_like_insert": {
        "es": "leer el dim negativo como list.insert (antes de la última)",
        "en": "reading the negative dim like list.insert (before the last)",
    },
    "negative_from_left": {
        "es": "contar el dim negativo desde la izquierda",
        "en": "counting the negative dim from the left",
    },
    "unsqueeze_appends": {
        "es": "creer que unsqueeze siempre añade al final",
        "en": "thinking unsqueeze always appends at the end",
    },
    "off_by_one": {"es": "contar la posición nueva una de más", "en": "counting the new position one too far"},
    "flatten_all": {
        "es": "creer que flatten ignora start_dim/end_dim",
        "en": "thinking flatten ignores start_dim/end_dim",
    },
    "flatten_keeps_batch": {
        "es": "creer que flatten() conserva la primera dimensión, como nn.Flatten",
        "en": "thinking flatten() keeps the first dim, like nn.Flatten",
    },
    "end_dim_exclusive": {
        "es": "creer que end_dim queda fuera, como en un slice",
        "en": "thinking end_dim is excluded, like in a slice",
    },
}

_PROMPT = {
    "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
    "en": "What is the shape of the result? (or which error does it raise?)",
}

_RULES = {
    "view": {
        "es": "view y reshape conservan el número de elementos: -1 se deduce dividiendo, y si no cuadra "
        "lanzan RuntimeError.",
        "en": "view and reshape keep the number of elements: -1 is worked out by division, and when it "
        "doesn't fit they raise RuntimeError.",
    },
    "permute": {
        "es": "permute(*dims) pone en la posición i la dimensión dims[i] del original; transpose(i, j) "
        "solo intercambia esas dos.",
        "en": "permute(*dims) puts the original's dimension dims[i] at position i; transpose(i, j) only "
        "swaps those two.",
    },
    "contiguous": {
        "es": "transpose y permute no mueven datos, solo cambian los strides. view nunca copia: funciona si "
        "cada dimensión nueva sale de partir una dimensión o de juntar dimensiones que siguen seguidas en "
        "memoria; juntar las que transpose desordenó lanza RuntimeError, partir una que no tocó funciona. "
        "reshape (o .contiguous().view) copia cuando hace falta.",
        "en": "transpose and permute move no data, they only change strides. view never copies: it works when "
        "each new dimension comes from splitting one dimension or merging dimensions that are still in order "
        "in memory; merging the ones transpose put out of order raises RuntimeError, splitting one it left "
        "alone works. reshape (or .contiguous().view) copies when needed.",
    },
    "squeeze": {
        "es": "squeeze() quita todas las dimensiones de tamaño 1; squeeze(d) solo quita d, y si d no es 1 "
        "deja la forma igual, sin error.",
        "en": "squeeze() removes every size-1 dimension; squeeze(d) only removes d, and if d isn't 1 it "
        "leaves the shape unchanged, without an error.",
    },
    "unsqueeze": {
        "es": "unsqueeze(d) inserta un 1 para que quede en la posición d del resultado; un d negativo cuenta "
        "sobre el resultado (ndim + 1 dims), así que -1 lo añade al final.",
        "en": "unsqueeze(d) inserts a 1 so that it ends up at position d of the result; a negative d counts "
        "on the result (ndim + 1 dims), so -1 appends it at the end.",
    },
    "flatten": {
        "es": "flatten(start_dim=0, end_dim=-1) junta las dimensiones de start_dim a end_dim, ambas "
        "incluidas; torch.flatten empieza en 0 (nn.Flatten, en 1).",
        "en": "flatten(start_dim=0, end_dim=-1) merges the dimensions from start_dim to end_dim, both "
        "included; torch.flatten starts at 0 (nn.Flatten, at 1).",
    },
}


_v = labelled(_LABELS)


def _prod(shape: list[int]) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


def _pictured(shape: list[int]) -> str:
    """A snippet whose value is ``shape``: how a misconception pictures the result."""
    return f"torch.Size([{shape_args(shape)}])"


def _source(rng: random.Random, shape: list[int]) -> str:
    if rng.random() < 0.3:
        return f"x = torch.arange({_prod(shape)}).reshape({shape_args(shape)})"
    return f"x = torch.zeros({shape_args(shape)})"


@dataclass(frozen=True)
class ShapeOps:
    name: str = "shape_ops"
    title = {"es": "Cambiar la forma: view, permute, squeeze...", "en": "Changing shape: view, permute, squeeze..."}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(
            ["view", "permute", "contiguous", "squeeze", "unsqueeze", "flatten"], weights=[3, 2, 2.5, 2, 2, 2]
        )[0]
        code, variants, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=AnswerKind.SHAPE,
            prompt=_PROMPT,
            error_choice="RuntimeError",
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
        )

    # -- styles --------------------------------------------------------------
    def _view(self, rng: random.Random):
        shape = rng.sample([2, 3, 4, 5, 6], rng.choice([2, 3]))
        numel = _prod(shape)
        setup = _source(rng, shape)
        method = rng.choice(["view", "reshape"])
        divisors = [d for d in range(2, numel) if numel % d == 0]
        roll = rng.random()
        if roll < 0.6:
            # One size given, -1 for the other(s).
            k = rng.choice([d for d in divisors if d not in shape] or divisors)
            target = [k, -1] if rng.random() < 0.5 else [-1, k]
            if rng.random() < 0.3 and numel // k in divisors:
                rest = numel // k
                sub = next((d for d in range(2, rest) if rest % d == 0), None)
                if sub:
                    target = [k, sub, -1]
            code = f"{setup}\nx.{method}({shape_args(target)}).shape"
            i = target.index(-1)
            as_one = [1 if d == -1 else d for d in target]
            keeps = list(target)
            keeps[i] = shape[i] if i < len(shape) else shape[-1]
            variants = [_v(_pictured(as_one), "minus_one_is_one"), _v(_pictured(keeps), "minus_one_keeps_dim")]
            fallbacks = ["RuntimeError", format_shape(shape), format_shape([numel])]
        elif roll < 0.8:
            # -1 can't make the numbers fit.
            k = rng.choice([d for d in range(3, 8) if numel % d])
            target = [k, -1] if rng.random() < 0.5 else [-1, k]
            code = f"{setup}\nx.{method}({shape_args(target)}).shape"
            variants = [
                _v(_pictured([numel // k if d == -1 else d for d in target]), "minus_one_rounds_down"),
                _v(_pictured([1 if d == -1 else d for d in target]), "minus_one_is_one"),
            ]
            fallbacks = [
                format_shape([-(-numel // k) if d == -1 else d for d in target]),
                format_shape(shape),
                format_shape([numel]),
            ]
        else:
            # A fixed shape with the wrong number of elements.
            wrong = [shape[0] + 1] + shape[1:] if rng.random() < 0.5 else shape[::-1][:-1] + [shape[0] + 1]
            code = f"{setup}\nx.{method}({shape_args(wrong)}).shape"
            variants = [_v(_pictured(wrong), "ignores_numel")]
            fallbacks = [format_shape(shape), format_shape([numel]), "IndexError"]
        return code, variants, fallbacks

    def _permute(self, rng: random.Random):
        ndim = rng.choice([3, 3, 4])
        shape = rng.sample([2, 3, 4, 5, 6, 7], ndim)
        setup = _source(rng, shape)
        if rng.random() < 0.55:
            # Any order but the identity; mostly ones that differ from their inverse.
            perms = [list(p) for p in itertools.permutations(range(ndim)) if list(p) != list(range(ndim))]
            tricky = [p for p in perms if [p.index(i) for i in range(ndim)] != p]
            perm = rng.choice(tricky if rng.random() < 0.8 else perms)
            code = f"{setup}\nx.permute({shape_args(perm)}).shape"
            inverse = [perm.index(i) for i in range(ndim)]
            variants = [
                _v(f"{setup}\nx.permute({shape_args(inverse)}).shape", "permute_inverse"),
                _v(_pictured(shape[::-1]), "reverses_all"),
            ]
            fallbacks = [format_shape([shape[p] for p in perm[::-1]]), format_shape(shape), "RuntimeError"]
        else:
            i, j = sorted(rng.sample(range(ndim), 2))
            if rng.random() < 0.3:
                i, j = i - ndim, j - ndim if rng.random() < 0.5 else j
            code = f"{setup}\nx.transpose({i}, {j}).shape"
            variants = [
                _v(f"{setup}\nx.transpose(-2, -1).shape", "transpose_last_two"),
                _v(_pictured(shape[::-1]), "reverses_all"),
            ]
            fallbacks = [format_shape(shape), format_shape(shape[1:] + shape[:1]), "RuntimeError"]
        return code, variants, fallbacks

    def _contiguous(self, rng: random.Random):
        if rng.random() < 0.4:
            a, b = rng.sample([2, 3, 4, 5], 2)
            shape, swap = [a, b], rng.choice(["transpose(0, 1)", "t()", "T"])
            target = rng.choice([[-1], [a * b], [b, a], [-1, a]])
        else:
            shape = rng.sample([2, 3, 4, 5], 3)
            swap = rng.choice(["transpose(1, 2)", "transpose(-1, -2)", "permute(0, 2, 1)"])
            target = rng.choice([[shape[0], -1], [-1], [-1, shape[1]]])
            if rng.random() < 0.25 and shape[0] in (4, 2):
                # Splitting an untouched dim: this view works even on the transposed tensor.
                target = [2, shape[0] // 2, shape[2], shape[1]] if shape[0] == 4 else [1, 2, shape[2], shape[1]]
        swapped = f"y = x.{swap}" if swap != "T" else "y = x.T"
        setup = f"{_source(rng, shape)}\n{swapped}"
        case = rng.choices(["view", "contiguous", "reshape"], weights=[3, 1, 1])[0]
        t = shape_args(target)
        if case == "view":
            code = f"{setup}\ny.view({t}).shape"
            variants = [_v(f"{setup}\ny.reshape({t}).shape", "view_copies")]
        elif case == "contiguous":
            code = f"{setup}\ny.contiguous().view({t}).shape"
            variants = [_v(f"{setup}\ny.view({t}).shape", "contiguous_ignored")]
        else:
            code = f"{setup}\ny.reshape({t}).shape"
            variants = [_v(f"{setup}\ny.view({t}).shape", "reshape_fails_too")]
        numel = _prod(shape)
        fallbacks = ["RuntimeError", format_shape([numel]), format_shape(shape), format_shape(shape[::-1])]
        return code, variants, fallbacks

    def _squeeze(self, rng: random.Random):
        ndim = rng.choice([3, 4, 4])
        shape = [rng.randint(2, 5) for _ in range(ndim)]
        for i in rng.sample(range(ndim), rng.randint(1, 2)):
            shape[i] = 1
        setup = _source(rng, shape)
        ones = [i for i, d in enumerate(shape) if d == 1]
        others = [i for i, d in enumerate(shape) if d != 1]
        roll = rng.random()
        if roll < 0.3:
            code = f"{setup}\nx.squeeze().shape"
            first_only = shape[: ones[0]] + shape[ones[0] + 1 :]
            variants = [_v(_pictured(first_only), "squeeze_first_only")]
            fallbacks = [format_shape(shape), format_shape([_prod(shape)]), "RuntimeError"]
        else:
            d = rng.choice(ones if roll < 0.6 else others)
            dim = d - ndim if rng.random() < 0.35 else d
            code = f"{setup}\nx.squeeze({dim}).shape"
            removed = shape[:d] + shape[d + 1 :]
            variants = [_v(f"{setup}\nx.squeeze().shape", "squeeze_all"), _v(_pictured(removed), "squeeze_removes_any")]
            fallbacks = ["RuntimeError", format_shape(shape), format_shape([s for s in shape if s != 1] + [1])]
        return code, variants, fallbacks

    def _unsqueeze(self, rng: random.Random):
        ndim = rng.choice([1, 2, 2, 3])
        shape = rng.sample([2, 3, 4, 5, 6], ndim)
        setup = _source(rng, shape)
        roll = rng.random()
        if roll < 0.1:
            d = rng.choice([ndim + 1, -ndim - 2])
        elif roll < 0.6:
            d = rng.randint(-ndim - 1, -1)
        else:
            d = rng.randint(0, ndim)
        code = f"{setup}\nx.unsqueeze({d}).shape"
        variants = []
        if d < 0 and d - 1 >= -ndim - 1:
            variants.append(_v(f"{setup}\nx.unsqueeze({d - 1}).shape", "negative_like_insert"))
        if -ndim - 1 <= d < 0:
            variants.append(_v(f"{setup}\nx.unsqueeze({-d - 1}).shape", "negative_from_left"))
        if 0 <= d < ndim:
            variants.append(_v(f"{setup}\nx.unsqueeze({d + 1}).shape", "off_by_one"))
        if not -ndim - 1 <= d <= ndim:
            variants.append(_v(f"{setup}\nx.unsqueeze({ndim}).shape", "unsqueeze_appends"))
        else:
            variants.append(_v(f"{setup}\nx.unsqueeze(-1).shape", "unsqueeze_appends"))
        fallbacks = [format_shape([1] + shape), format_shape(shape + [1]), format_shape(shape), "IndexError"]
        return code, variants, fallbacks

    def _flatten(self, rng: random.Random):
        ndim = rng.choice([3, 4, 4])
        shape = rng.sample([2, 3, 4, 5, 6], ndim)
        setup = _source(rng, shape)
        roll = rng.random()
        variants = []
        if roll < 0.25:
            code = f"{setup}\nx.flatten().shape"
            variants.append(_v(f"{setup}\nx.flatten(1).shape", "flatten_keeps_batch"))
        elif roll < 0.6:
            start = rng.choice([1, 1, 2, -2])
            arg = rng.choice([f"start_dim={start}", str(start)])
            code = f"{setup}\nx.flatten({arg}).shape"
            variants.append(_v(f"{setup}\nx.flatten().shape", "flatten_all"))
            if start >= 0 and start + 1 < ndim:
                variants.append(_v(f"{setup}\nx.flatten({start + 1}).shape", "off_by_one"))
        else:
            start = rng.randint(0, ndim - 2)
            end = rng.randint(start + 1, ndim - 1)
            end_arg = end - ndim if rng.random() < 0.3 else end
            code = f"{setup}\nx.flatten({start}, {end_arg}).shape"
            variants.append(_v(f"{setup}\nx.flatten({start}, {end - 1}).shape", "end_dim_exclusive"))
            variants.append(_v(f"{setup}\nx.flatten().shape", "flatten_all"))
        fallbacks = [
            format_shape(shape),
            format_shape([shape[0], _prod(shape[1:])]),
            format_shape([_prod(shape[:-1]), shape[-1]]),
            "RuntimeError",
        ]
        return code, variants, fallbacks


FAMILY = ShapeOps()
