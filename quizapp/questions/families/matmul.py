"""Matrix products: the shape of ``a @ b``, torch.mm and torch.bmm, or the error."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, format_shape
from quizapp.questions.snippets import shape_call, shape_draft

ORDER = 10

_PROMPT = {
    "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
    "en": "What is the shape of the result? (or which error does it raise?)",
}

_LABELS = {
    "outer_swapped": {
        "es": "intercambiar las dimensiones exteriores: (m, n) en vez de (n, m)",
        "en": "swapping the outer dimensions: (m, n) instead of (n, m)",
    },
    "inner_ignored": {
        "es": "no comprobar que las dimensiones interiores coincidan",
        "en": "not checking that the inner dimensions match",
    },
    "wrong_dims_matched": {
        "es": "emparejar la primera dimensión de a con la primera de b",
        "en": "matching a's first dimension with b's first dimension",
    },
    "left_shape": {"es": "quedarse con la forma de un operando", "en": "keeping the shape of one operand"},
    "elementwise": {
        "es": "tomar @ por un producto elemento a elemento",
        "en": "taking @ for an elementwise product",
    },
    "outer_product": {
        "es": "tomar el producto de dos vectores por el producto exterior",
        "en": "taking the product of two vectors for the outer product",
    },
    "vector_dim_kept": {
        "es": "creer que la dimensión añadida al vector se conserva en el resultado",
        "en": "thinking the dimension added to the vector stays in the result",
    },
    "batch_not_broadcast": {
        "es": "no hacer broadcasting de las dimensiones de lote: quedarse con las de un operando",
        "en": "not broadcasting the batch dimensions: keeping one operand's",
    },
    "batch_must_match": {
        "es": "creer que las dimensiones de lote deben ser iguales (como en bmm)",
        "en": "thinking the batch dimensions must be equal (as in bmm)",
    },
    "batch_dropped": {
        "es": "creer que la dimensión de lote desaparece",
        "en": "thinking the batch dimension disappears",
    },
    "mm_broadcasts": {
        "es": "creer que torch.mm acepta lotes y hace broadcasting como @",
        "en": "thinking torch.mm takes batches and broadcasts like @",
    },
    "bmm_broadcasts": {
        "es": "creer que torch.bmm hace broadcasting como @",
        "en": "thinking torch.bmm broadcasts like @",
    },
}

_MATMUL_RULE = {
    "es": "a @ b multiplica las dos últimas dimensiones: (n, k) @ (k, m) da (n, m) y la k "
    "interior debe coincidir (si no, RuntimeError). Un vector 1-D se trata como fila o columna "
    "y esa dimensión se quita del resultado; las dimensiones de lote hacen broadcasting.",
    "en": "a @ b multiplies the last two dimensions: (n, k) @ (k, m) gives (n, m) and the inner "
    "k must match (otherwise RuntimeError). A 1-D vector is treated as a row or a column and that "
    "dimension is removed from the result; batch dimensions broadcast.",
}
_MM_RULE = {
    "es": "torch.mm solo acepta dos matrices 2-D (n, k) y (k, m) y no hace broadcasting; para lotes usa torch.bmm o @.",
    "en": "torch.mm only takes two 2-D matrices (n, k) and (k, m) and does not broadcast; for "
    "batches use torch.bmm or @.",
}
_BMM_RULE = {
    "es": "torch.bmm exige dos tensores 3-D (B, n, k) y (B, k, m) con el mismo B: da (B, n, m) "
    "y no hace broadcasting (RuntimeError en otro caso).",
    "en": "torch.bmm needs two 3-D tensors (B, n, k) and (B, k, m) with the same B: it gives "
    "(B, n, m) and does not broadcast (RuntimeError otherwise).",
}


@dataclass(frozen=True)
class Matmul:
    name: str = "matmul"
    title = {"es": "Producto matricial: forma del resultado", "en": "Matrix product: result shape"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        styles = {
            "vec_vec": (_vec_vec, 2),
            "vec_mat": (_vec_mat, 2),
            "mat_mat": (_mat_mat, 3),
            "mismatch": (_mismatch, 3),
            "batched": (_batched, 4),
            "batched_2d": (_batched_2d, 2),
            "mm": (_mm, 2),
            "bmm": (_bmm, 3),
        }
        names = list(styles)
        style = rng.choices(names, weights=[styles[n][1] for n in names])[0]
        return styles[style][0](rng)


def _draft(
    a: list[int], b: list[int], expr: str, variants: list[tuple[str, str]], rule: dict, fallbacks: list
) -> Draft:
    """``a`` and ``b`` of the given shapes, then ``expr``.shape.

    A variant is (expression, mistake) or (full code, mistake) when it starts
    with "a = ".
    """
    setup = f"a = torch.ones{shape_call(a)}\nb = torch.ones{shape_call(b)}"
    return shape_draft(setup, expr, variants, labels=_LABELS, prompt=_PROMPT, explanation=rule, fallbacks=fallbacks)


def _with_b(a: list[int], b: list[int], expr: str) -> str:
    """The snippet with another shape for b (what the learner pictures)."""
    return f"a = torch.ones{shape_call(a)}\nb = torch.ones{shape_call(b)}\n{expr}.shape"


def _dims(rng: random.Random, count: int) -> list[int]:
    return rng.sample(range(2, 7), count)


def _vec_vec(rng: random.Random) -> Draft:
    (n,) = _dims(rng, 1)
    expr = rng.choice(["(a @ b)", "torch.matmul(a, b)"])
    variants = [
        ("(a * b)", "elementwise"),
        ("torch.outer(a, b)", "outer_product"),
        ("(a[None] @ b[:, None])", "vector_dim_kept"),
    ]
    return _draft([n], [n], expr, variants, _MATMUL_RULE, [(1,), (n,), "RuntimeError"])


def _vec_mat(rng: random.Random) -> Draft:
    n, m = _dims(rng, 2)
    if rng.random() < 0.5:  # vector @ matrix: (n,) @ (n, m) -> (m,)
        variants = [("(a[None] @ b)", "vector_dim_kept"), ("a", "left_shape"), ("(a[:, None] * b)", "elementwise")]
        return _draft([n], [n, m], "(a @ b)", variants, _MATMUL_RULE, [(1, m), (m, n), (n,)])
    # matrix @ vector: (n, m) @ (m,) -> (n,)
    variants = [("(a @ b[:, None])", "vector_dim_kept"), ("b", "left_shape"), ("(a * b)", "elementwise")]
    return _draft([n, m], [m], "(a @ b)", variants, _MATMUL_RULE, [(n, 1), (m,), (1, n)])


def _mat_mat(rng: random.Random) -> Draft:
    n, k, m = _dims(rng, 3)
    expr = rng.choice(["(a @ b)", "torch.matmul(a, b)"])
    variants = [("(b.T @ a.T)", "outer_swapped"), ("a", "left_shape"), ("(a * a)", "elementwise")]
    return _draft([n, k], [k, m], expr, variants, _MATMUL_RULE, [(m, n), (n, k, m), (k, k), "RuntimeError"])


def _mismatch(rng: random.Random) -> Draft:
    n, k, m = _dims(rng, 3)
    if rng.random() < 0.5:
        # b's first dimension matches a's first one, not its last one.
        variants = [
            (_with_b([n, k], [k, m], "(a @ b)"), "inner_ignored"),
            ("(a.T @ b)", "wrong_dims_matched"),
            (_with_b([n, k], [k, m], "(b.T @ a.T)"), "outer_swapped"),
        ]
        return _draft([n, k], [n, m], "(a @ b)", variants, _MATMUL_RULE, [(n, m), (k, m), (m, n)])
    j = rng.choice([d for d in range(2, 7) if d not in (n, k, m)])
    variants = [
        (_with_b([n, k], [k, m], "(a @ b)"), "inner_ignored"),
        (_with_b([n, k], [k, m], "(b.T @ a.T)"), "outer_swapped"),
    ]
    return _draft([n, k], [j, m], "(a @ b)", variants, _MATMUL_RULE, [(n, m), (n, j), (m, n)])


def _batched(rng: random.Random) -> Draft:
    n, k, m = _dims(rng, 3)
    big = rng.randint(2, 4)
    other = rng.choice([d for d in range(2, 5) if d != big])
    form = rng.choice(["one_vs_big", "shorter", "both", "incompatible"])
    if form == "one_vs_big":  # (B, n, k) @ (1, k, m) or the other way round
        ba, bb = ([big], [1]) if rng.random() < 0.5 else ([1], [big])
    elif form == "shorter":  # (B, C, n, k) @ (C, k, m)
        ba, bb = [big, other], [other]
    elif form == "both":  # (B, 1, n, k) @ (C, k, m)
        ba, bb = [big, 1], [other]
    else:  # (B, n, k) @ (C, k, m), B != C
        ba, bb = [big], [other]
    a, b = ba + [n, k], bb + [k, m]
    if 1 in ba or len(ba) < len(bb) or form == "incompatible":
        kept = _with_b(a, ba + [k, m], "(a @ b)")  # a's batch dims
    else:
        kept = _with_b(bb + [n, k], b, "(a @ b)")  # b's batch dims
    variants = [
        (kept, "batch_not_broadcast"),
        ("torch.bmm(a, b)", "batch_must_match"),
        ("(b.mT @ a.mT)", "outer_swapped"),
    ]
    return _draft(
        a,
        b,
        "(a @ b)",
        variants,
        _MATMUL_RULE,
        [format_shape(ba + [n, m]), format_shape(bb + [n, m]), "RuntimeError", (n, m)],
    )


def _batched_2d(rng: random.Random) -> Draft:
    n, k, m = _dims(rng, 3)
    bt = rng.randint(2, 8)
    if rng.random() < 0.5:  # (B, n, k) @ (k, m)
        a, b, wrong = [bt, n, k], [k, m], [n, m]
        variants = [
            ("torch.bmm(a, b)", "batch_must_match"),
            ("(a[0] @ b)", "batch_dropped"),
            ("(b.mT @ a.mT)", "outer_swapped"),
        ]
    else:  # (n, k) @ (B, k, m)
        a, b, wrong = [n, k], [bt, k, m], [n, m]
        variants = [
            ("torch.bmm(a, b)", "batch_must_match"),
            ("(a @ b[0])", "batch_dropped"),
            ("(b.mT @ a.mT)", "outer_swapped"),
        ]
    return _draft(a, b, "(a @ b)", variants, _MATMUL_RULE, [wrong, (bt, m, n), "RuntimeError"])


def _mm(rng: random.Random) -> Draft:
    n, k, m = _dims(rng, 3)
    if rng.random() < 0.4:
        variants = [("torch.mm(b.T, a.T)", "outer_swapped"), ("a", "left_shape")]
        return _draft([n, k], [k, m], "torch.mm(a, b)", variants, _MM_RULE, [(m, n), (n, k, m), "RuntimeError"])
    bt = rng.randint(2, 5)
    variants = [
        ("(a @ b)", "mm_broadcasts"),
        ("torch.mm(a[0], b)", "batch_dropped"),
        ("(b.mT @ a.mT)", "outer_swapped"),
    ]
    return _draft([bt, n, k], [k, m], "torch.mm(a, b)", variants, _MM_RULE, [(bt, n, m), (n, m), (bt, m, n)])


def _bmm(rng: random.Random) -> Draft:
    n, k, m = _dims(rng, 3)
    bt = rng.randint(2, 5)
    form = rng.choice(["valid", "valid", "batch_one", "two_d"])
    if form == "valid":
        variants = [("torch.bmm(b.mT, a.mT)", "outer_swapped"), ("torch.mm(a[0], b[0])", "batch_dropped")]
        return _draft(
            [bt, n, k],
            [bt, k, m],
            "torch.bmm(a, b)",
            variants,
            _BMM_RULE,
            [(bt, m, n), (n, m), (bt, n, k), "RuntimeError"],
        )
    if form == "batch_one":
        variants = [("(a @ b)", "bmm_broadcasts"), ("(b.mT @ a.mT)", "outer_swapped")]
        return _draft([bt, n, k], [1, k, m], "torch.bmm(a, b)", variants, _BMM_RULE, [(bt, n, m), (1, n, m), (n, m)])
    variants = [
        ("(a @ b)", "bmm_broadcasts"),
        ("torch.mm(a[0], b)", "batch_dropped"),
        ("(b.mT @ a.mT)", "outer_swapped"),
    ]
    return _draft([bt, n, k], [k, m], "torch.bmm(a, b)", variants, _BMM_RULE, [(bt, n, m), (n, m), (bt, m, n)])


FAMILY = Matmul()
