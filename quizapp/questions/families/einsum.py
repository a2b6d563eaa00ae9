"""torch.einsum: which indices are summed, which are kept, in what order.

The shapes come from sizes written in the code and the values from small
tensors written out, so every answer follows from what the learner sees; the
answers come from running the snippets.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 21

_LABELS = {
    "summed_kept": {
        "es": "creer que un índice que falta tras '->' se conserva (se suma)",
        "en": "thinking an index missing after '->' is kept (it is summed)",
    },
    "kept_summed": {
        "es": "creer que un índice escrito tras '->' se suma (se conserva)",
        "en": "thinking an index written after '->' is summed (it is kept)",
    },
    "output_order_ignored": {
        "es": "creer que el orden de los índices tras '->' no cambia el orden de las dimensiones",
        "en": "thinking the order of the indices after '->' doesn't order the dimensions",
    },
    "output_reversed": {
        "es": "leer los índices de salida al revés",
        "en": "reading the output indices backwards",
    },
    "implicit_appearance_order": {
        "es": "creer que sin '->' la salida sigue el orden de aparición (sigue el orden alfabético)",
        "en": "thinking that without '->' the output follows the order of appearance (it is alphabetical)",
    },
    "implicit_keeps_all": {
        "es": "creer que sin '->' se conservan todos los índices (se suman los repetidos)",
        "en": "thinking that without '->' every index is kept (repeated ones are summed)",
    },
    "sums_everything": {
        "es": "creer que se suman todos los índices",
        "en": "thinking every index is summed",
    },
    "other_index_summed": {
        "es": "confundir qué índice se suma",
        "en": "mixing up which index is summed",
    },
    "repeated_is_diagonal": {
        "es": "creer que un índice repetido en un operando solo toma la diagonal, sin sumarla",
        "en": "thinking an index repeated in one operand only takes the diagonal, without summing it",
    },
    "repeated_always_sums": {
        "es": "creer que un índice repetido siempre se suma, aunque esté tras '->'",
        "en": "thinking a repeated index is always summed, even when written after '->'",
    },
    "one_index_summed": {
        "es": "creer que '->' sin nada detrás suma un solo índice (los suma todos)",
        "en": "thinking '->' with nothing after it sums one index only (it sums them all)",
    },
    "shared_as_pairs": {
        "es": "creer que un índice compartido combina cada elemento con todos (combina posiciones iguales)",
        "en": "thinking a shared index pairs every element with every other (it pairs equal positions)",
    },
    "distinct_as_shared": {
        "es": "creer que dos índices distintos combinan posiciones iguales (combinan cada elemento con todos)",
        "en": "thinking two different indices pair equal positions (they pair every element with every other)",
    },
    "sizes_unchecked": {
        "es": "creer que un índice compartido puede tener tamaños distintos en cada operando",
        "en": "thinking a shared index may have different sizes in each operand",
    },
}

_PROMPTS = {
    AnswerKind.VALUES: {"es": "¿Qué valores da la última línea?", "en": "What values does the last line give?"},
    AnswerKind.SHAPE: {"es": "¿Qué forma tiene el resultado?", "en": "What is the shape of the result?"},
}

_RULES = {
    "explicit": {
        "es": "En torch.einsum, los índices escritos tras '->' se conservan, en ese orden; los demás se "
        "multiplican y se suman. Un índice compartido debe tener el mismo tamaño en cada operando (o 1, "
        "que se difunde); si no, lanza RuntimeError.",
        "en": "In torch.einsum, the indices written after '->' are kept, in that order; every other one is "
        "multiplied out and summed. A shared index must have the same size in each operand (or 1, which "
        "broadcasts); otherwise it raises RuntimeError.",
    },
    "implicit": {
        "es": "Sin '->', torch.einsum conserva los índices que aparecen una sola vez, en orden alfabético "
        "(así 'ji' traspone), y suma los que aparecen más de una vez ('ii' es la traza, 'i,i' el producto "
        "escalar).",
        "en": "Without '->', torch.einsum keeps the indices that appear exactly once, in alphabetical order "
        "(so 'ji' transposes), and sums those that appear more than once ('ii' is the trace, 'i,i' the dot "
        "product).",
    },
    "repeated": {
        "es": "Un índice repetido en un operando recorre su diagonal: con 'ii->i' se conserva (la diagonal), "
        "con 'ii->' se suma (la traza).",
        "en": "An index repeated in one operand walks its diagonal: 'ii->i' keeps it (the diagonal), "
        "'ii->' sums it (the trace).",
    },
}

_v = labelled(_LABELS)

#: Shape equations: (inputs, output or None for implicit).
_SHAPE_EQUATIONS = [
    ("ij,jk", "ik"),
    ("bij,bjk", "bik"),
    ("ij,jk", "ki"),
    ("bi,bi", "b"),
    ("i,j", "ij"),
    ("ijk", "kji"),
    ("bij", "bj"),
    ("ij,kj", "ik"),
    ("jk,ki", None),
    ("kj,ik", None),
    ("bjk,bki", None),
    ("ij,j", "i"),
]


def implicit_output(inputs: str) -> str:
    """The output of an equation without '->': indices seen once, alphabetical."""
    letters = inputs.replace(",", "")
    return "".join(sorted(c for c in set(letters) if letters.count(c) == 1))


def _appearance(inputs: str) -> str:
    letters = inputs.replace(",", "")
    return "".join(dict.fromkeys(c for c in letters if letters.count(c) == 1))


def _equation(inputs: str, output: str | None) -> str:
    return inputs if output is None else f"{inputs}->{output}"


def _ints(rng: random.Random, count: int) -> list[int]:
    return rng.sample(range(1, 10 if count <= 9 else 20), count)


def _grid(rng: random.Random, n: int, m: int) -> tuple[list[list[int]], str]:
    """An n x m matrix of distinct small ints, and the expression that writes it."""
    if rng.random() < 0.4:
        start = rng.randint(0, 3)
        flat = list(range(start, start + n * m))
        return [
            flat[i * m : (i + 1) * m] for i in range(n)
        ], f"torch.arange({start}, {start + n * m}).reshape({n}, {m})"
    flat = _ints(rng, n * m)
    x = [flat[i * m : (i + 1) * m] for i in range(n)]
    return x, f"torch.tensor({x})"


def _operands(rng: random.Random, names: str) -> str:
    """The operands as torch.einsum takes them: one by one, or as one list."""
    return f"[{names}]" if rng.random() < 0.3 else names


@dataclass(frozen=True)
class Einsum:
    name: str = "einsum"
    title = {
        "es": "torch.einsum: índices que se suman y que se conservan",
        "en": "torch.einsum: indices summed and kept",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["shape", "reduce", "pairs", "repeated", "implicit"], weights=[4, 2, 2, 1.5, 2])[0]
        kind, code, variants, fallbacks, rule = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=_PROMPTS[kind],
            explanation=_RULES[rule],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice="RuntimeError" if kind == AnswerKind.SHAPE else "",
        )

    # -- styles --------------------------------------------------------------
    def _shape(self, rng: random.Random):
        inputs, output = rng.choice(_SHAPE_EQUATIONS)
        letters = sorted(set(inputs.replace(",", "")))
        size = dict(zip(letters, rng.sample(range(2, 7), len(letters)), strict=True))
        operands = inputs.split(",")
        shapes = [[size[c] for c in op] for op in operands]
        shared = [c for c in letters if sum(c in op for op in operands) > 1]
        broken = ""
        if shared and len(operands) > 1 and rng.random() < 0.25:
            broken = rng.choice(shared)  # the second operand disagrees on this index
            wrong = rng.choice([s for s in range(2, 8) if s != size[broken]])
            shapes[1] = [wrong if c == broken else d for c, d in zip(operands[1], shapes[1], strict=True)]
        names = "ab"[: len(operands)]
        maker = rng.choice(["ones", "zeros"])
        setup = "\n".join(f"{n} = torch.{maker}({shape_args(s)})" for n, s in zip(names, shapes, strict=True))
        args = _operands(rng, ", ".join(names))

        def call(equation: str, setup: str = setup) -> str:
            return f"{setup}\ntorch.einsum('{equation}', {args}).shape"

        out = implicit_output(inputs) if output is None else output
        summed = "".join(c for c in letters if c not in out)
        variants: list[Variant] = []
        if summed:
            variants.append(_v(call(f"{inputs}->{out}{summed}"), "summed_kept"))
        if len(out) >= 2:
            variants.append(_v(call(f"{inputs}->{out[::-1]}"), "output_reversed"))
        if output is None:
            if _appearance(inputs) != out:
                variants.append(_v(call(f"{inputs}->{_appearance(inputs)}"), "implicit_appearance_order"))
            variants.append(_v(call(f"{inputs}->{''.join(letters)}"), "implicit_keeps_all"))
        elif out:
            variants.append(_v(call(f"{inputs}->{out[1:]}"), "kept_summed"))
        if broken:
            fixed = "\n".join(
                f"{n} = torch.{maker}({shape_args(size[c] for c in op)})" for n, op in zip(names, operands)
            )
            variants.insert(0, _v(call(_equation(inputs, output), fixed), "sizes_unchecked"))
        kept = [size[c] for c in out]
        fallbacks = [format_shape([size[c] for c in letters]), format_shape(kept[::-1] or [1]), "()"]
        return (
            AnswerKind.SHAPE,
            call(_equation(inputs, output)),
            variants[:4],
            fallbacks,
            ("implicit" if output is None else "explicit"),
        )

    def _reduce(self, rng: random.Random):
        """One matrix: 'ij->i', 'ij->j', 'ij->ji', 'ij->'."""
        n, m = rng.choice([(2, 3), (3, 2), (2, 4)])
        x, expr = _grid(rng, n, m)
        flat = [v for row in x for v in row]
        output = rng.choice(["i", "j", "ji", ""])
        setup = f"x = {expr}"
        args = _operands(rng, "x")

        def call(out: str) -> str:
            return f"{setup}\ntorch.einsum('ij->{out}', {args})"

        variants = {
            "i": [_v(call("j"), "other_index_summed"), _v(call(""), "sums_everything"), _v(call("ij"), "summed_kept")],
            "j": [_v(call("i"), "other_index_summed"), _v(call(""), "sums_everything"), _v(call("ij"), "summed_kept")],
            "ji": [
                _v(call("ij"), "output_order_ignored"),
                _v(call("i"), "kept_summed"),
                _v(call(""), "sums_everything"),
            ],
            "": [_v(call("i"), "one_index_summed"), _v(call("j"), "one_index_summed"), _v(call("ij"), "summed_kept")],
        }[output]
        fallbacks = [json.dumps([row[0] for row in x]), json.dumps(x[0]), json.dumps(max(flat))]
        return AnswerKind.VALUES, call(output), variants, fallbacks, "explicit"

    def _pairs(self, rng: random.Random):
        """Two operands: 'i,i->', 'i,i->i', 'i,j->ij', 'bi,bi->b'."""
        equation = rng.choice(["i,i->", "i,i->i", "i,j->ij", "bi,bi->b"])
        n = rng.choice([2, 3])
        a: Any  # vectors, or a batch of them
        c: Any
        if equation.startswith("bi"):
            b = rng.choice([2, 3])
            flat = _ints(rng, 2 * b * n)
            a = [flat[k * n : (k + 1) * n] for k in range(b)]
            c = [flat[(b + k) * n : (b + k + 1) * n] for k in range(b)]
        else:
            m = n if equation.startswith("i,i") else rng.choice([2, 3])
            flat = _ints(rng, n + m)
            a, c = flat[:n], flat[n:]
        setup = f"a = torch.tensor({a})\nb = torch.tensor({c})"
        args = _operands(rng, "a, b")

        def call(eq: str) -> str:
            return f"{setup}\ntorch.einsum('{eq}', {args})"

        if equation == "bi,bi->b":
            variants = [
                _v(call("bi,bi->bi"), "summed_kept"),
                _v(call("bi,bi->i"), "other_index_summed"),
                _v(call("bi,bi->"), "sums_everything"),
            ]
            fallbacks = [json.dumps([sum(r) for r in a]), json.dumps([x * y for x, y in zip(a[0], c[0])])]
        elif equation == "i,j->ij":
            variants = [_v(call("i,j->ji"), "output_reversed"), _v(call("i,j->i"), "kept_summed")]
            if len(a) == len(c):
                variants.append(_v(call("i,i->i"), "distinct_as_shared"))
            fallbacks = [json.dumps(sum(a) * sum(c)), json.dumps([x * c[0] for x in a]), json.dumps(a + c)]
        elif equation == "i,i->":
            variants = [_v(call("i,i->i"), "summed_kept")]
            fallbacks = [json.dumps(sum(a) + sum(c)), json.dumps(a[0] * c[0]), json.dumps(sum(a) * sum(c))]
        else:  # 'i,i->i'
            variants = [_v(call("i,i->"), "kept_summed"), _v(call("i,j->ij"), "shared_as_pairs")]
            fallbacks = [json.dumps([x + y for x, y in zip(a, c)]), json.dumps(a[::-1])]
        return AnswerKind.VALUES, call(equation), variants, fallbacks, "explicit"

    def _repeated(self, rng: random.Random):
        """A repeated index in one operand: 'ii->i' (diagonal) or 'ii->' (trace)."""
        n = rng.choice([2, 3])
        x, expr = _grid(rng, n, n)
        output = rng.choice(["i", ""])
        setup = f"x = {expr}"
        args = _operands(rng, "x")

        def call(eq: str) -> str:
            return f"{setup}\ntorch.einsum('{eq}', {args})"

        if output:
            variants = [_v(call("ii->"), "repeated_always_sums"), _v(call("ij->i"), "other_index_summed")]
            fallbacks = [json.dumps(x[0]), json.dumps([x[i][n - 1 - i] for i in range(n)])]
        else:
            variants = [_v(call("ii->i"), "repeated_is_diagonal"), _v(call("ij->"), "sums_everything")]
            fallbacks = [json.dumps(x[0][0]), json.dumps(sum(x[i][n - 1 - i] for i in range(n)))]
        return AnswerKind.VALUES, call(f"ii->{output}"), variants, fallbacks, "repeated"

    def _implicit(self, rng: random.Random):
        """No '->': 'ji' transposes, 'ii' is the trace, 'i,i' the dot product."""
        equation = rng.choice(["ji", "ij", "ii", "i,i"])
        if equation == "i,i":
            n = rng.choice([2, 3])
            flat = _ints(rng, 2 * n)
            a, c = flat[:n], flat[n:]
            setup = f"a = torch.tensor({a})\nb = torch.tensor({c})"
            args = _operands(rng, "a, b")
            fallbacks = [
                json.dumps(sum(a) * sum(c)),
                json.dumps(a[0] * c[0]),
                json.dumps([x + y for x, y in zip(a, c)]),
            ]
        else:
            n, m = rng.choice([(2, 2), (3, 3)] if equation == "ii" else [(2, 3), (3, 2), (2, 2)])
            x, expr = _grid(rng, n, m)
            flat = [v for row in x for v in row]
            setup = f"x = {expr}"
            args = _operands(rng, "x")
            fallbacks = [json.dumps(x[0]), json.dumps([row[0] for row in x]), json.dumps(sum(flat))]

        def call(eq: str) -> str:
            return f"{setup}\ntorch.einsum('{eq}', {args})"

        variants = {
            "ji": [_v(call("ji->ji"), "implicit_appearance_order"), _v(call("ji->"), "sums_everything")],
            "ij": [_v(call("ij->ji"), "output_reversed"), _v(call("ij->"), "sums_everything")],
            "ii": [_v(call("ii->i"), "implicit_keeps_all"), _v(call("ij->"), "sums_everything")],
            "i,i": [_v(call("i,i->i"), "implicit_keeps_all"), _v(call("i,j->ij"), "shared_as_pairs")],
        }[equation]
        return AnswerKind.VALUES, call(equation), variants, fallbacks, "implicit"


FAMILY = Einsum()
