"""Views and copies: after changing ``a`` in place, do ``b`` and ``c`` see the change?

``b`` and ``c`` are made by two different kinds of operation, so the answer
is a pair of flags with four possible values. The family never decides which
operations give views: for each of ``b`` and ``c`` a question carries two
variants, one where it is forced to be a copy (``.clone()``) and one where it
is forced to be ``a`` itself. Whichever differs from what torch answers is a
distractor, named after the learner's mistake.
"""

from __future__ import annotations

import json
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


_PROMPT = {
    "es": "Se modifica a in-place. ¿Qué devuelve la última línea? (¿ve b el cambio?, ¿lo ve c?)",
    "en": "a is changed in place. What does the last line return: (does b see the change, does c)?",
}
_CHANGES = {  # change to a, and the test that a tensor t made from a sees it
    "fill": ("a.fill_(7)", "({} == 7).all()"),
    "add": ("a.add_(1)", "({} == 1).all()"),
    "zero": ("a.zero_()", "({} == 0).all()"),
}


@dataclass(frozen=True)
class Aliasing:
    name: str = "aliasing"
    title = {"es": "Vistas y copias: ¿comparten memoria?", "en": "Views and copies: do they share memory?"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        n, m = rng.sample(range(2, 5), 2)
        integer = rng.random() < 0.25
        # Two tensors made from a, each by a different rule: the pair has four possible answers.
        first_kind, second_kind = rng.sample(["view", "reshape", "copy", "same"], 2)
        b, b_rule = _derivation(rng, n, m, integer, first_kind)
        c, c_rule = _derivation(rng, n, m, integer, second_kind)
        form = rng.choice(list(_CHANGES))
        change, sees = _CHANGES[form]
        start = "ones" if form == "zero" else "zeros"
        dtype = ", dtype=torch.int64" if integer else ""
        setup = f"a = torch.{start}({n}, {m}{dtype})"
        check = f"(bool({sees.format('b')}), bool({sees.format('c')}))"

        def snippet(made_b: str, made_c: str) -> str:
            return f"{setup}\nb = {made_b}\nc = {made_c}\n{change}\n{check}"

        def copied(derivation: str) -> str:
            return f"({derivation}).clone()" if " " in derivation else f"{derivation}.clone()"

        variants = (
            Variant(snippet(copied(b), c), "view_taken_for_copy", _LABELS["view_taken_for_copy"]),
            Variant(snippet("a", c), "copy_taken_for_view", _LABELS["copy_taken_for_view"]),
            Variant(snippet(b, copied(c)), "view_taken_for_copy", _LABELS["view_taken_for_copy"]),
            Variant(snippet(b, "a"), "copy_taken_for_view", _LABELS["copy_taken_for_view"]),
        )
        rules = [_RULES[b_rule], _RULES[c_rule]]
        return Draft(
            code=snippet(b, c),
            answer_kind=AnswerKind.VALUES,
            prompt=_PROMPT,
            explanation={lang: " ".join(rule[lang] for rule in rules) for lang in ("es", "en")},
            variants=variants,
            fallbacks=tuple(json.dumps([x, y]) for x in (True, False) for y in (True, False)),
        )


def _derivation(rng: random.Random, n: int, m: int, integer: bool, kind: str) -> tuple[str, str]:
    """How a tensor is made from a by a ``kind`` of operation, and that kind
    (the rule it illustrates). The change to a covers all of a, so any view
    of it sees the change."""
    if kind == "view":
        choice = rng.randrange(7)
        if choice == 0:
            return rng.choice([f"a.view({m}, {n})", f"a.view({n * m})", "a.view(-1)"]), kind
        if choice == 1:
            return rng.choice(["a.t()", "a.T", "a.transpose(0, 1)"]), kind
        if choice == 2:
            return "a.unsqueeze(0)", kind
        if choice == 3:
            return "a.detach()", kind
        if choice == 4:
            i = rng.randrange(n)
            return f"a[{i}]", kind
        if choice == 5:
            k = rng.randint(1, m - 1)
            return f"a[:, {k}:]", kind
        j = rng.randrange(m)
        return f"a[:, {j}]", kind
    if kind == "reshape":
        choice = rng.randrange(5)
        if choice == 0:
            return rng.choice([f"a.reshape({m}, {n})", "a.reshape(-1)", f"a.reshape({n * m})"]), kind
        if choice == 1:
            return "a.flatten()", kind
        if choice == 2:
            return (
                rng.choice(["a.t().reshape(-1)", f"a.T.reshape({n * m})", f"a.t().reshape({n}, {m})"]),
                kind,
            )
        if choice == 3:
            return "a.t().flatten()", kind
        return rng.choice(["a.t().contiguous()", "a.T.contiguous()"]), kind
    if kind == "copy":
        choice = rng.randrange(4)
        if choice == 0:
            return "a.clone()", kind
        if choice == 1:
            rows = sorted(rng.sample(range(n), 2))
            return f"a[{rows}]", kind
        if choice == 2:
            return "a[a >= 0]", kind
        return rng.choice(["a + 0", "a * 1"]), kind
    # "same": contiguous() and dtype conversions, to the same dtype or another one
    choice = rng.randrange(3)
    if choice == 0:
        return "a.contiguous()", kind
    if integer:
        same = ["a.to(torch.int64)", "a.long()"]
        other = ["a.to(torch.float32)", "a.float()", "a.to(torch.int32)"]
    else:
        same = ["a.to(torch.float32)", "a.float()"]
        other = ["a.to(torch.float64)", "a.double()", "a.long()"]
    return rng.choice(same if choice == 1 else other), kind


FAMILY = Aliasing()
