"""Views and copies: after changing ``a`` in place, does ``b`` see the change?

The family never decides which operations give views: each question carries
two variants, one where ``b`` is forced to be a copy (``.clone()``) and one
where it is forced to be ``a`` itself. Whichever differs from what torch
answers is the distractor, named after the learner's mistake.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant

ORDER = 12

_LABELS = {
    "view_taken_for_copy": {
        "es": "creer que b es una copia cuando comparte memoria con a (una vista)",
        "en": "thinking b is a copy when it shares memory with a (a view)",
    },
    "copy_taken_for_view": {
        "es": "creer que b comparte memoria con a cuando es una copia",
        "en": "thinking b shares memory with a when it is a copy",
    },
}

_RULES = {
    "view": {
        "es": "view, t/T/transpose, unsqueeze, detach, los enteros y los slices devuelven vistas: "
        "comparten memoria con el original, así que un cambio in-place en uno se ve en el otro.",
        "en": "view, t/T/transpose, unsqueeze, detach, integers and slices return views: they "
        "share memory with the original, so an in-place change to one shows in the other.",
    },
    "reshape": {
        "es": "reshape y flatten devuelven una vista cuando el tensor es contiguo y una copia "
        "cuando no puede ser (por ejemplo tras t()); contiguous() de un tensor no contiguo "
        "también copia.",
        "en": "reshape and flatten return a view when the tensor is contiguous and a copy when "
        "they can't (for instance after t()); contiguous() of a non-contiguous tensor copies too.",
    },
    "copy": {
        "es": "clone(), la indexación avanzada (listas, máscaras) y las operaciones aritméticas "
        "(a + 0) crean tensores nuevos: los cambios in-place posteriores no se comparten.",
        "en": "clone(), advanced indexing (lists, masks) and arithmetic (a + 0) create new "
        "tensors: later in-place changes are not shared.",
    },
    "same": {
        "es": "to() / float() / long() con el dtype que ya tiene, y contiguous() de un tensor ya "
        "contiguo, devuelven el mismo tensor; con otro dtype, to() crea una copia.",
        "en": "to() / float() / long() with the dtype it already has, and contiguous() of an "
        "already contiguous tensor, return the very same tensor; with another dtype, to() "
        "makes a copy.",
    },
}


@dataclass(frozen=True)
class Aliasing:
    name: str = "aliasing"
    title = {"es": "Vistas y copias: ¿comparten memoria?", "en": "Views and copies: do they share memory?"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.BOOL

    def build(self, rng: random.Random) -> Draft:
        n, m = rng.sample(range(2, 5), 2)
        integer = rng.random() < 0.25
        derivation, rule, region = _derivation(rng, n, m, integer)
        form = rng.choice(["setitem", "setitem", "fill", "add", "zero", "via_b"])
        start = "ones" if form == "zero" else "zeros"
        dtype = ", dtype=torch.int64" if integer else ""
        setup = f"a = torch.{start}({n}, {m}{dtype})"
        if form == "setitem":
            i, j = region
            change, check = f"a[{i}, {j}] = 100", "bool((b == 100).any())"
        elif form == "fill":
            change, check = "a.fill_(7)", "bool((b == 7).all())"
        elif form == "add":
            change, check = "a.add_(1)", "bool((b == 1).all())"
        elif form == "zero":
            change, check = "a.zero_()", "bool((b == 0).all())"
        else:
            change, check = "b.add_(1)", "bool((a == 1).any())"

        def snippet(b: str) -> str:
            return f"{setup}\nb = {b}\n{change}\n{check}"

        if form == "via_b":
            prompt = {
                "es": "Se modifica b in-place. ¿Qué devuelve la última línea? ¿Refleja el cambio?",
                "en": "b is changed in place. What does the last line return: does a see the change?",
            }
        else:
            prompt = {
                "es": "Se modifica a in-place. ¿Qué devuelve la última línea: ve b el cambio?",
                "en": "a is changed in place. What does the last line return: does b see the change?",
            }
        variants = (
            Variant(
                snippet(f"({derivation}).clone()" if " " in derivation else f"{derivation}.clone()"),
                "view_taken_for_copy",
                _LABELS["view_taken_for_copy"],
            ),
            Variant(snippet("a"), "copy_taken_for_view", _LABELS["copy_taken_for_view"]),
        )
        return Draft(
            code=snippet(derivation),
            answer_kind=AnswerKind.BOOL,
            prompt=prompt,
            explanation=_RULES[rule],
            variants=variants,
            fallbacks=("True", "False"),
        )


def _derivation(rng: random.Random, n: int, m: int, integer: bool) -> tuple[str, str, tuple[int, int]]:
    """How b is made from a, the rule it illustrates, and a cell (i, j) of a that b covers."""
    anywhere = (rng.randrange(n), rng.randrange(m))
    kind = rng.choice(["view", "reshape", "copy", "same"])
    if kind == "view":
        choice = rng.randrange(7)
        if choice == 0:
            return rng.choice([f"a.view({m}, {n})", f"a.view({n * m})", "a.view(-1)"]), kind, anywhere
        if choice == 1:
            return rng.choice(["a.t()", "a.T", "a.transpose(0, 1)"]), kind, anywhere
        if choice == 2:
            return "a.unsqueeze(0)", kind, anywhere
        if choice == 3:
            return "a.detach()", kind, anywhere
        if choice == 4:
            i = rng.randrange(n)
            return f"a[{i}]", kind, (i, rng.randrange(m))
        if choice == 5:
            k = rng.randint(1, m - 1)
            return f"a[:, {k}:]", kind, (rng.randrange(n), rng.randint(k, m - 1))
        j = rng.randrange(m)
        return f"a[:, {j}]", kind, (rng.randrange(n), j)
    if kind == "reshape":
        choice = rng.randrange(5)
        if choice == 0:
            return rng.choice([f"a.reshape({m}, {n})", "a.reshape(-1)", f"a.reshape({n * m})"]), kind, anywhere
        if choice == 1:
            return "a.flatten()", kind, anywhere
        if choice == 2:
            return (
                rng.choice(["a.t().reshape(-1)", f"a.T.reshape({n * m})", f"a.t().reshape({n}, {m})"]),
                kind,
                anywhere,
            )
        if choice == 3:
            return "a.t().flatten()", kind, anywhere
        return rng.choice(["a.t().contiguous()", "a.T.contiguous()"]), kind, anywhere
    if kind == "copy":
        choice = rng.randrange(4)
        if choice == 0:
            return "a.clone()", kind, anywhere
        if choice == 1:
            rows = sorted(rng.sample(range(n), 2))
            return f"a[{rows}]", kind, (rows[0], rng.randrange(m))
        if choice == 2:
            return "a[a >= 0]", kind, anywhere
        return rng.choice(["a + 0", "a * 1"]), kind, anywhere
    # "same": contiguous() and dtype conversions, to the same dtype or another one
    choice = rng.randrange(3)
    if choice == 0:
        return "a.contiguous()", kind, anywhere
    if integer:
        same = ["a.to(torch.int64)", "a.long()"]
        other = ["a.to(torch.float32)", "a.float()", "a.to(torch.int32)"]
    else:
        same = ["a.to(torch.float32)", "a.float()"]
        other = ["a.to(torch.float64)", "a.double()", "a.long()"]
    return rng.choice(same if choice == 1 else other), kind, anywhere


FAMILY = Aliasing()
