"""Indexing and slicing: the shape of ``x[...]``, or the IndexError it raises.

Basic indexing (integers, slices, ``...``, ``None``) and advanced indexing
(lists, index tensors, boolean masks whose result depends on the values).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import shape_call

ORDER = 9

_PROMPT = {
    "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
    "en": "What is the shape of the result? (or which error does it raise?)",
}

_LABELS = {
    "int_keeps_dim": {
        "es": "creer que un índice entero conserva la dimensión (como un slice i:i+1)",
        "en": "thinking an integer index keeps the dimension (like a slice i:i+1)",
    },
    "index_last_dim": {
        "es": "aplicar el índice a la última dimensión",
        "en": "applying the index to the last dimension",
    },
    "index_first_dim": {
        "es": "aplicar el índice a la primera dimensión",
        "en": "applying the index to the first dimension",
    },
    "step_ignored": {"es": "ignorar el paso del slice", "en": "ignoring the slice step"},
    "end_inclusive": {
        "es": "creer que el final del slice está incluido",
        "en": "thinking the slice end is included",
    },
    "step_rounded_down": {
        "es": "redondear hacia abajo al dividir por el paso",
        "en": "rounding down when dividing by the step",
    },
    "start_ignored": {"es": "ignorar el inicio del slice", "en": "ignoring the slice start"},
    "ellipsis_one_dim": {
        "es": "creer que ... ocupa una sola dimensión",
        "en": "thinking ... stands for exactly one dimension",
    },
    "none_at_end": {
        "es": "creer que None añade la dimensión al final",
        "en": "thinking None adds the dimension at the end",
    },
    "none_noop": {"es": "creer que None no cambia nada", "en": "thinking None changes nothing"},
    "none_at_front": {
        "es": "creer que None siempre añade la dimensión delante",
        "en": "thinking None always adds the dimension in front",
    },
    "none_as_index": {
        "es": "creer que None selecciona como un índice entero",
        "en": "thinking None selects like an integer index",
    },
    "only_first_index": {
        "es": "aplicar solo el primer índice",
        "en": "applying only the first index",
    },
    "scalar_from_ints": {
        "es": "creer que dos enteros siempre dan un escalar",
        "en": "thinking two integers always give a scalar",
    },
    "negative_stop_as_count": {
        "es": "leer :-k como «los k últimos»",
        "en": "reading :-k as 'the last k'",
    },
    "list_as_tuple": {
        "es": "leer la lista como un índice por dimensión (x[i, j])",
        "en": "reading the list as one index per dimension (x[i, j])",
    },
    "list_as_int": {
        "es": "creer que una lista de índices elimina la dimensión como un entero",
        "en": "thinking a list of indices removes the dimension like an integer",
    },
    "duplicates_removed": {
        "es": "creer que los índices repetidos se cuentan una vez",
        "en": "thinking repeated indices count once",
    },
    "advanced_outer": {
        "es": "combinar dos listas como producto cartesiano en vez de por parejas",
        "en": "combining two lists as a cartesian product instead of pairwise",
    },
    "mask_keeps_shape": {
        "es": "creer que la máscara conserva la forma (como torch.where)",
        "en": "thinking the mask keeps the shape (like torch.where)",
    },
    "mask_inverted": {
        "es": "contar los elementos que NO cumplen la condición",
        "en": "counting the elements that do NOT satisfy the condition",
    },
    "mask_selects_rows": {
        "es": "creer que una máscara 2-D selecciona filas enteras",
        "en": "thinking a 2-D mask selects whole rows",
    },
    "mask_flattens": {
        "es": "creer que una máscara siempre aplana el resultado",
        "en": "thinking a mask always flattens the result",
    },
    "last_index_is_size": {
        "es": "creer que el índice n es válido en una dimensión de tamaño n",
        "en": "thinking index n is valid in a dimension of size n",
    },
    "index_as_empty_slice": {
        "es": "creer que un índice fuera de rango da un resultado vacío, como un slice",
        "en": "thinking an out-of-range index gives an empty result, like a slice",
    },
    "negative_off_by_one": {
        "es": "creer que -(n+1) sigue siendo válido",
        "en": "thinking -(n+1) is still valid",
    },
    "slice_raises": {
        "es": "creer que un slice fuera de rango lanza un error",
        "en": "thinking an out-of-range slice raises an error",
    },
    "slice_not_clipped": {
        "es": "creer que el slice tiene longitud fin - inicio aunque se salga",
        "en": "thinking the slice has length stop - start even past the end",
    },
}

_BASIC_RULE = {
    "es": "Un índice entero elimina su dimensión; un slice la conserva con longitud "
    "ceil((fin - inicio) / paso); ... ocupa todas las dimensiones que falten y None "
    "inserta una dimensión de tamaño 1 en su posición.",
    "en": "An integer index removes its dimension; a slice keeps it with length "
    "ceil((stop - start) / step); ... stands for all the missing dimensions and None "
    "inserts a size-1 dimension at its position.",
}
_ADVANCED_RULE = {
    "es": "Una lista o tensor de índices conserva la dimensión con tantos elementos como "
    "índices (repetidos incluidos); varias listas se combinan por parejas, no como "
    "producto cartesiano.",
    "en": "A list or tensor of indices keeps the dimension with as many entries as indices "
    "(repeats included); several lists are combined pairwise, not as a cartesian product.",
}
_MASK_RULE = {
    "es": "Indexar con una máscara booleana de la misma forma que x devuelve un tensor 1-D "
    "con los elementos donde es True: su longitud depende de los valores. Una máscara 1-D "
    "sobre la primera dimensión selecciona filas enteras.",
    "en": "Indexing with a boolean mask shaped like x returns a 1-D tensor of the elements "
    "where it is True: its length depends on the values. A 1-D mask over the first "
    "dimension selects whole rows.",
}
_RANGE_RULE = {
    "es": "Un índice entero fuera de rango (válidos: -n .. n-1) lanza IndexError; un slice "
    "fuera de rango no lanza nada: se recorta al tamaño de la dimensión.",
    "en": "An integer index out of range (valid: -n .. n-1) raises IndexError; a slice out "
    "of range raises nothing: it is clipped to the size of the dimension.",
}


@dataclass(frozen=True)
class Indexing:
    name: str = "indexing"
    title = {"es": "Indexación y slicing: forma del resultado", "en": "Indexing and slicing: result shape"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["basic", "advanced", "mask", "out_of_range"], weights=[5, 3, 3, 2])[0]
        return {"basic": _basic, "advanced": _advanced, "mask": _mask, "out_of_range": _out_of_range}[style](rng)


def _draft(setup: str, expr: str, variants: list[tuple[str, str]], rule: dict, fallbacks: list) -> Draft:
    """The snippet ``setup`` + ``expr``.shape; each variant swaps the indexing expression."""
    return Draft(
        code=f"{setup}\n{expr}.shape",
        answer_kind=AnswerKind.SHAPE,
        prompt=_PROMPT,
        error_choice="IndexError",
        explanation=rule,
        variants=tuple(Variant(f"{setup}\n{code}.shape", key, _LABELS[key]) for code, key in variants),
        fallbacks=tuple(f if isinstance(f, str) else format_shape(f) for f in fallbacks),
    )


def _basic(rng: random.Random) -> Draft:
    a, b, c = rng.sample(range(3, 8), 3)
    setup = f"x = torch.zeros{shape_call([a, b, c])}"
    form = rng.choice(["int", "col", "slice_step", "ellipsis", "none_front", "none_mid", "two_ints", "neg_stop"])
    if form == "int":
        i = rng.choice([0, 1, 2, -1])
        keep = f"x[{i}:{i + 1}]" if i != -1 else "x[-1:]"
        variants = [(keep, "int_keeps_dim"), (f"x[..., {i}]", "index_last_dim")]
        return _draft(setup, f"x[{i}]", variants, _BASIC_RULE, [(a, c), (a, b)])
    if form == "col":
        j = rng.randrange(min(a, b))
        variants = [(f"x[:, {j}:{j + 1}]", "int_keeps_dim"), (f"x[{j}]", "index_first_dim")]
        return _draft(setup, f"x[:, {j}]", variants, _BASIC_RULE, [(a, b), (b, c)])
    if form == "slice_step":
        i = rng.randint(1, a - 2)
        j = rng.randint(i + 1, a - 1)
        step = rng.choice([2, 2, 3])
        variants = [
            (f"x[{i}:{j}, :]", "step_ignored"),
            (f"x[{i}:{j + 1}, ::{step}]", "end_inclusive"),
            (f"x[{i}:{j}, {step - 1}::{step}]", "step_rounded_down"),
            (f"x[:{j}, ::{step}]", "start_ignored"),
        ]
        fallbacks = [(j - i, b // step, c), (j - i + 1, math.ceil(b / step), c), (j - i, c)]
        return _draft(setup, f"x[{i}:{j}, ::{step}]", variants, _BASIC_RULE, fallbacks)
    if form == "ellipsis":
        k = rng.randrange(3)
        variants = [
            (f"x[:, {k}]", "ellipsis_one_dim"),
            (f"x[..., {k}:{k + 1}]", "int_keeps_dim"),
            (f"x[{k}]", "index_first_dim"),
        ]
        return _draft(setup, f"x[..., {k}]", variants, _BASIC_RULE, [(a, c), (b, c)])
    if form == "none_front":
        variants = [("x[..., None]", "none_at_end"), ("x[:]", "none_noop")]
        return _draft(setup, "x[None]", variants, _BASIC_RULE, [(a, 1, b, c), (a, b, 1, c)])
    if form == "none_mid":
        variants = [("x[..., None]", "none_at_end"), ("x[None]", "none_at_front"), ("x[:, 0]", "none_as_index")]
        return _draft(setup, "x[:, None]", variants, _BASIC_RULE, [(a, b, 1, c), (a, b, c)])
    if form == "two_ints":
        i, j = rng.randrange(a), rng.randrange(b)
        variants = [
            (f"x[{i}:{i + 1}, {j}:{j + 1}]", "int_keeps_dim"),
            (f"x[{i}]", "only_first_index"),
            (f"x[{i}, {j}, 0]", "scalar_from_ints"),
        ]
        return _draft(setup, f"x[{i}, {j}]", variants, _BASIC_RULE, [(a,), (b, c)])
    # neg_stop: x[:, :-k] keeps b - k entries
    k = rng.randint(1, b - 1)
    variants = [
        (f"x[:, -{k}:]", "negative_stop_as_count"),
        (f"x[:, :-{k - 1}]" if k > 1 else "x[:, :]", "end_inclusive"),
    ]
    return _draft(setup, f"x[:, :-{k}]", variants, _BASIC_RULE, [(a, k, c), (a, b - k + 1, c), (a, b, c)])


def _advanced(rng: random.Random) -> Draft:
    a, b, c = rng.sample(range(3, 8), 3)
    setup = f"x = torch.zeros{shape_call([a, b, c])}"
    form = rng.choice(["list", "tensor", "pairs", "list_dim1"])
    if form == "list":
        n = rng.randint(2, 4)
        idx = [rng.randrange(min(a, b)) for _ in range(n)]
        if n == 2 and idx[0] == idx[1]:
            idx[1] = (idx[0] + 1) % min(a, b)
        variants = [(f"x[{idx[0]}, {idx[1]}]", "list_as_tuple"), (f"x[{idx[0]}]", "list_as_int")]
        if len(set(idx)) < len(idx):
            variants.append((f"x[{sorted(set(idx))}]", "duplicates_removed"))
        return _draft(setup, f"x[{idx}]", variants, _ADVANCED_RULE, [(b, c), (a, b, c), (n, c)])
    if form == "tensor":
        idx = rng.sample(range(min(a, c)), rng.randint(2, 3))
        variants = [(f"x[{idx[0]}, :]", "list_as_int"), (f"x[..., torch.tensor({idx})]", "index_last_dim")]
        if all(i < d for i, d in zip(idx, (a, b, c))):
            variants.append((f"x[{', '.join(str(i) for i in idx)}]", "list_as_tuple"))
        return _draft(
            setup, f"x[torch.tensor({idx}), :]", variants, _ADVANCED_RULE, [(a, b, c), (len(idx), c), (a, b, len(idx))]
        )
    if form == "pairs":
        rows = rng.sample(range(a), 2)
        cols = rng.sample(range(b), 2)
        variants = [(f"x[{rows}][:, {cols}]", "advanced_outer"), (f"x[{rows[0]}, {cols[0]}]", "list_as_int")]
        return _draft(setup, f"x[{rows}, {cols}]", variants, _ADVANCED_RULE, [(2, 2), (4, c)])
    # list_dim1: x[:, [..]] with a repeated index
    n = rng.randint(3, 4)
    idx = [rng.randrange(b) for _ in range(n)]
    if len(set(idx)) == n:
        idx[-1] = idx[0]
    variants = [(f"x[:, {sorted(set(idx))}]", "duplicates_removed"), (f"x[:, {idx[0]}]", "list_as_int")]
    if max(idx) < a:
        variants.append((f"x[{idx}]", "index_first_dim"))
    return _draft(setup, f"x[:, {idx}]", variants, _ADVANCED_RULE, [(a, b, c), (n, b, c), (a, n)])


def _mask(rng: random.Random) -> Draft:
    n, m = rng.sample(range(2, 6), 2)
    form = rng.choice(["arange", "signed", "rows"])
    if form == "signed":  # values in sight: a mask over unseen random values can't be answered
        values = [[rng.randint(-3, 3) for _ in range(m)] for _ in range(n)]
        setup = f"x = torch.tensor({values})"
        cond, inverse = "x > 0", "x <= 0"
    else:
        setup = f"x = torch.arange({n * m}).reshape({n}, {m})"
        t = rng.randint(1, n * m - 2)
        op = rng.choice([">", ">=", "<"])
        inverse = {">": "<=", ">=": "<", "<": ">="}[op]
        if form == "rows":
            t = rng.randint(0, (n - 1) * m)
            cond = f"x[:, 0] {op} {t}"
            variants = [
                (f"x[{cond}, 0]", "mask_flattens"),
                ("x", "mask_keeps_shape"),
                (f"x[x[:, 0] {inverse} {t}]", "mask_inverted"),
            ]
            return _draft(setup, f"x[{cond}]", variants, _MASK_RULE, [(n, m), (m,), (n,)])
        cond = f"x {op} {t}"
        inverse = f"x {inverse} {t}"
    variants = [
        (f"torch.where({cond}, x, 0)", "mask_keeps_shape"),
        (f"x[{inverse}]", "mask_inverted"),
        (f"x[({cond}).any(dim=1)]", "mask_selects_rows"),
    ]
    return _draft(setup, f"x[{cond}]", variants, _MASK_RULE, [(n, m), (n * m,), (m,)])


def _out_of_range(rng: random.Random) -> Draft:
    a, b = rng.sample(range(2, 7), 2)
    setup = f"x = torch.zeros({a}, {b})"
    form = rng.choice(["row", "col", "negative", "slice"])
    if form == "row":
        variants = [(f"x[{a - 1}]", "last_index_is_size"), (f"x[{a}:]", "index_as_empty_slice")]
        return _draft(setup, f"x[{a}]", variants, _RANGE_RULE, ["RuntimeError", (b,), (a,)])
    if form == "col":
        variants = [(f"x[:, {b - 1}]", "last_index_is_size"), (f"x[:, {b}:]", "index_as_empty_slice")]
        return _draft(setup, f"x[:, {b}]", variants, _RANGE_RULE, ["RuntimeError", (a,), (b,)])
    if form == "negative":
        variants = [(f"x[-{a}]", "negative_off_by_one"), (f"x[:-{a + 1}]", "index_as_empty_slice")]
        return _draft(setup, f"x[-{a + 1}]", variants, _RANGE_RULE, ["RuntimeError", (b,), (a,)])
    i = rng.randint(0, a - 1)
    stop = a + rng.randint(2, 5)
    variants = [(f"x[{stop}]", "slice_raises"), (f"torch.zeros({stop - i}, {b})", "slice_not_clipped")]
    return _draft(setup, f"x[{i}:{stop}]", variants, _RANGE_RULE, [(stop - i, b), (a, b), (b,)])


FAMILY = Indexing()
