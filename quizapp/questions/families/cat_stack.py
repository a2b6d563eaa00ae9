"""torch.cat and torch.stack: the shape of the result, or the error they raise."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft
from quizapp.questions.snippets import shape_call, shape_draft

ORDER = 11

_PROMPT = {
    "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
    "en": "What is the shape of the result? (or which error does it raise?)",
}

_LABELS = {
    "cat_as_stack": {
        "es": "confundir cat con stack: creer que cat añade una dimensión nueva",
        "en": "confusing cat with stack: thinking cat adds a new dimension",
    },
    "stack_as_cat": {
        "es": "confundir stack con cat: creer que stack alarga una dimensión existente",
        "en": "confusing stack with cat: thinking stack lengthens an existing dimension",
    },
    "dim_wrong_end": {
        "es": "contar la dimensión desde el extremo equivocado",
        "en": "counting the dimension from the wrong end",
    },
    "negative_dim_input_rank": {
        "es": "contar un dim negativo de stack sobre las dimensiones de entrada, no las de salida",
        "en": "counting a negative stack dim over the input dimensions, not the output ones",
    },
    "new_dim_first": {
        "es": "creer que stack siempre pone la dimensión nueva delante",
        "en": "thinking stack always puts the new dimension first",
    },
    "dim_ignored": {
        "es": "ignorar el argumento dim y unir por la dimensión 0",
        "en": "ignoring the dim argument and joining along dimension 0",
    },
    "default_dim_last": {
        "es": "creer que cat une por la última dimensión si no se indica dim",
        "en": "thinking cat joins along the last dimension when no dim is given",
    },
    "other_dims_ignored": {
        "es": "creer que cat solo exige igualdad en la dimensión de unión",
        "en": "thinking cat only needs the joined dimension to match",
    },
    "broadcast_in_cat": {
        "es": "creer que cat hace broadcasting del tensor 1-D como lo haría una suma",
        "en": "thinking cat broadcasts the 1-D tensor as an addition would",
    },
    "sizes_must_match": {
        "es": "creer que cat exige formas idénticas, como stack",
        "en": "thinking cat needs identical shapes, like stack",
    },
    "sizes_not_checked": {
        "es": "creer que stack acepta tensores de formas distintas",
        "en": "thinking stack accepts tensors of different shapes",
    },
    "vector_promoted": {
        "es": "creer que cat añade la dimensión que le falta al tensor 1-D",
        "en": "thinking cat adds the missing dimension to the 1-D tensor",
    },
}

_CAT_RULE = {
    "es": "torch.cat une tensores a lo largo de una dimensión existente (dim=0 si no se indica): "
    "esa dimensión se suma y todas las demás deben ser iguales, con el mismo número de "
    "dimensiones; si no, RuntimeError.",
    "en": "torch.cat joins tensors along an existing dimension (dim=0 by default): that dimension "
    "adds up and all the others must be equal, with the same number of dimensions; otherwise "
    "RuntimeError.",
}
_STACK_RULE = {
    "es": "torch.stack exige tensores de forma idéntica y añade una dimensión nueva de tamaño "
    "igual al número de tensores; un dim negativo se cuenta sobre el resultado (n + 1 "
    "dimensiones), así que dim=-1 la pone al final.",
    "en": "torch.stack needs tensors of identical shape and adds a new dimension whose size is "
    "the number of tensors; a negative dim counts over the result (n + 1 dimensions), so dim=-1 "
    "puts it last.",
}


@dataclass(frozen=True)
class CatStack:
    name: str = "cat_stack"
    title = {"es": "torch.cat y torch.stack: forma del resultado", "en": "torch.cat and torch.stack: result shape"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        styles = {
            "cat_diff": (_cat_diff, 3),
            "cat_same": (_cat_same, 3),
            "stack": (_stack, 4),
            "cat_error": (_cat_error, 2),
            "cat_ndim": (_cat_ndim, 1),
            "stack_error": (_stack_error, 2),
        }
        names = list(styles)
        style = rng.choices(names, weights=[styles[n][1] for n in names])[0]
        return styles[style][0](rng)


def _setup(shapes: list[list[int]]) -> str:
    return "\n".join(f"{name} = torch.ones{shape_call(s)}" for name, s in zip("abc", shapes))


def _draft(shapes: list[list[int]], expr: str, variants: list[tuple[str, str]], rule: dict, fallbacks: list) -> Draft:
    """Tensors a, b (, c) of the given shapes, then ``expr``.shape.

    A variant is (expression, mistake), or (full code, mistake) when it
    starts with "a = " (the learner pictures other shapes).
    """
    setup = _setup(shapes)
    return shape_draft(setup, expr, variants, labels=_LABELS, prompt=_PROMPT, explanation=rule, fallbacks=fallbacks)


def _shape(rng: random.Random) -> list[int]:
    return rng.sample(range(2, 6), rng.choice([2, 3, 3]))


def _spell(rng: random.Random, d: int, n: int) -> int:
    """dim d of an n-dimensional tensor, sometimes written as a negative number."""
    return d - n if rng.random() < 0.4 else d


def _cat_diff(rng: random.Random) -> Draft:
    s = _shape(rng)
    n = len(s)
    d = rng.randrange(n)
    other = rng.choice([x for x in range(1, 7) if x != s[d]])
    b = list(s)
    b[d] = other
    dim = _spell(rng, d, n)
    expr = f"torch.cat([a, b], dim={dim})"
    variants = [
        (f"torch.stack([a, a], dim={dim})", "cat_as_stack"),
        (f"torch.stack([a, b], dim={dim})", "sizes_must_match"),
    ]
    mirror = n - 1 - d
    if mirror != d:  # joined along the mirrored dimension, as that learner pictures it
        pictured = list(s)
        pictured[mirror] += other
        variants.append((f"a = torch.ones{shape_call(s)}\ntorch.zeros{shape_call(pictured)}.shape", "dim_wrong_end"))
    right = list(s)
    right[d] += other
    return _draft(
        [s, b],
        expr,
        variants,
        _CAT_RULE,
        ["RuntimeError", [*right[:d], 2, *right[d:]], s, [s[i] + b[i] for i in range(n)]],
    )


def _cat_same(rng: random.Random) -> Draft:
    s = _shape(rng)
    n = len(s)
    count = rng.choice([2, 2, 3])
    names = "[a, b, c]" if count == 3 else "[a, b]"
    if rng.random() < 0.35:
        expr = f"torch.cat({names})"
        variants = [(f"torch.stack({names})", "cat_as_stack"), (f"torch.cat({names}, dim=-1)", "default_dim_last")]
        d = 0
    else:
        d = rng.randrange(n)
        dim = _spell(rng, d, n)
        expr = f"torch.cat({names}, dim={dim})"
        variants = [(f"torch.stack({names}, dim={dim})", "cat_as_stack")]
        if n - 1 - d != d:
            variants.append((f"torch.cat({names}, dim={n - 1 - d})", "dim_wrong_end"))
        if d != 0:
            variants.append((f"torch.cat({names})", "dim_ignored"))
    right = list(s)
    right[d] *= count
    return _draft(
        [s] * count, expr, variants, _CAT_RULE, [[count, *s], [*s, count], [*s[:-1], s[-1] * count], s, "RuntimeError"]
    )


def _stack(rng: random.Random) -> Draft:
    s = rng.sample(range(2, 6), rng.choice([1, 2, 2, 3]))
    n = len(s)
    count = rng.choice([2, 3, 3, 4])
    names = ", ".join("abc"[:count]) if count <= 3 else "a, b, a, b"
    pos = rng.randrange(n + 1)  # where the new dimension goes
    dim = pos - (n + 1) if rng.random() < 0.5 else pos
    expr = f"torch.stack([{names}], dim={dim})"
    # cat along the existing dimension nearest to where stack puts the new one
    cat_dim = dim if -n <= dim < n else (n - 1 if dim > 0 else -n)
    variants = [(f"torch.cat([{names}], dim={cat_dim})", "stack_as_cat")]
    if n - pos != pos:
        variants.append((f"torch.stack([{names}], dim={n - pos})", "dim_wrong_end"))
    if dim < 0 and dim + n >= 0:
        variants.append((f"torch.stack([{names}], dim={dim + n})", "negative_dim_input_rank"))
    if pos != 0:
        variants.append((f"torch.stack([{names}])", "new_dim_first"))
    shapes = [s] * min(count, 3)
    return _draft(
        shapes,
        expr,
        variants,
        _STACK_RULE,
        [[count, *s], [*s, count], [*s[:-1], s[-1] * count], [s[0] * count, *s[1:]], "RuntimeError"],
    )


def _cat_error(rng: random.Random) -> Draft:
    s = rng.sample(range(2, 6), rng.choice([2, 3]))
    n = len(s)
    d = rng.choice([i for i in range(n) if n - 1 - i != i])
    e = n - 1 - d  # the mismatch sits where a learner counting from the other end would join
    b = list(s)
    b[e] = rng.choice([x for x in range(2, 7) if x != s[e]])
    dim = _spell(rng, d, n)
    fixed = list(b)
    fixed[e] = s[e]
    variants = [
        (
            f"a = torch.ones{shape_call(s)}\nb = torch.ones{shape_call(fixed)}\ntorch.cat([a, b], dim={dim}).shape",
            "other_dims_ignored",
        ),
        (f"torch.cat([a, b], dim={e})", "dim_wrong_end"),
    ]
    summed = list(s)
    summed[d] += b[d]
    return _draft(
        [s, b],
        f"torch.cat([a, b], dim={dim})",
        variants,
        _CAT_RULE,
        [summed, [2, *s], [max(x, y) for x, y in zip(s, b)]],
    )


def _cat_ndim(rng: random.Random) -> Draft:
    r, c = rng.sample(range(2, 6), 2)
    variants = [
        ("torch.cat([a, b[None]])", "vector_promoted"),
        (f"torch.cat([a, b.expand({r}, {c})])", "broadcast_in_cat"),
    ]
    return _draft([[r, c], [c]], "torch.cat([a, b])", variants, _CAT_RULE, [(r + 1, c), (r * c + c,), (r, c + 1)])


def _stack_error(rng: random.Random) -> Draft:
    s = rng.sample(range(2, 6), rng.choice([1, 2, 3]))
    n = len(s)
    d = rng.randrange(n)
    b = list(s)
    b[d] = rng.choice([x for x in range(1, 7) if x != s[d]])
    dim = _spell(rng, d, n)
    variants = [
        (f"torch.cat([a, b], dim={dim})", "stack_as_cat"),
        (f"torch.stack([a, a], dim={dim})", "sizes_not_checked"),
    ]
    joined = list(s)
    joined[d] += b[d]
    return _draft([s, b], f"torch.stack([a, b], dim={dim})", variants, _STACK_RULE, [[2, *s], [*s, 2], joined])


FAMILY = CatStack()
