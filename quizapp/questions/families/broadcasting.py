"""Broadcasting: the shape of an elementwise result, or the error it raises."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled, shape_call

ORDER = 1

_OPS = ("+", "*", "-")
_INPLACE = {"+": "add_", "*": "mul_", "-": "sub_"}

_LABELS = {
    "left_shape": {"es": "quedarse con la forma de a", "en": "keeping a's shape"},
    "right_shape": {"es": "quedarse con la forma de b", "en": "keeping b's shape"},
    "aligned_left": {"es": "alinear las dimensiones por la izquierda", "en": "aligning dimensions from the left"},
    "inplace_grows": {
        "es": "creer que un in-place puede cambiar la forma de a",
        "en": "thinking an in-place op can change a's shape",
    },
}
_v = labelled(_LABELS)


@dataclass(frozen=True)
class Broadcasting:
    name: str = "broadcasting"
    title = {"es": "Broadcasting: forma del resultado", "en": "Broadcasting: result shape"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["trailing", "ones", "incompatible", "inplace"], weights=[3, 3, 2, 2])[0]
        a = [rng.randint(2, 5) for _ in range(rng.randint(2, 3))]
        op = rng.choice(_OPS)
        if style == "inplace":
            return self._inplace(rng, a, op)
        if style == "trailing":
            # A strict suffix: b always lacks at least one of a's dimensions.
            b = a[-rng.randint(1, len(a) - 1) :]
        elif style == "ones":
            b = a[-rng.randint(1, len(a)) :]
            offset = len(a) - len(b)
            for i in range(len(b)):
                roll = rng.random()
                if roll < 0.4:
                    b[i] = 1
                elif roll < 0.6:
                    a[offset + i] = 1  # a 1 on a's side: both operands stretch
            if b == a[offset:]:
                b[0] = 1 if a[offset] != 1 else rng.randint(2, 5)
        else:  # incompatible
            b = a[-rng.randint(1, len(a)) :]
            i = rng.randrange(len(b))
            b[i] = b[i] + 1
        if rng.random() < 0.4:
            a, b = b, a  # the longer shape on the right, sometimes
        code = f"a = torch.ones{shape_call(a)}\nb = torch.ones{shape_call(b)}\n(a {op} b).shape"
        variants = (
            _v(f"torch.ones{shape_call(a)}.shape", "left_shape"),
            _v(_aligned_left_code(a, b, op), "aligned_left"),
            _v(f"torch.ones{shape_call(b)}.shape", "right_shape"),
        )
        expected = _broadcast(a, b)
        return self._draft(code, variants, a, b, expected)

    def _inplace(self, rng: random.Random, a: list[int], op: str) -> Draft:
        method = _INPLACE[op]
        if rng.random() < 0.5:
            # b is bigger than a: the in-place op would have to grow a.
            a, b = a[-2:], [rng.randint(2, 4)] + a[-2:]
            grown = _broadcast(a, b)
            assert grown is not None  # b is a with one more leading dimension
            variants = (
                _v(f"torch.empty{shape_call(grown)}.shape", "inplace_grows"),
                _v(f"torch.ones{shape_call(a)}.shape", "left_shape"),
            )
        else:
            # b fits into a: the in-place op succeeds and a keeps its shape.
            b = a[-rng.randint(1, len(a) - 1) :] if rng.random() < 0.5 else list(a)
            for i in range(len(b)):
                if rng.random() < 0.5:
                    b[i] = 1
            if len(b) == len(a) and 1 not in b:
                b[rng.randrange(len(b))] = 1
            variants = (
                _v(f"torch.ones{shape_call(b)}.shape", "right_shape"),
                _v(
                    f"torch.ones{shape_call(a)}.{method}(torch.ones{shape_call(_pad_right(b, len(a)))}).shape",
                    "aligned_left",
                ),
            )
        code = f"a = torch.ones{shape_call(a)}\nb = torch.ones{shape_call(b)}\na.{method}(b).shape"
        return self._draft(code, variants, a, b, _broadcast(a, b))

    @staticmethod
    def _draft(
        code: str, variants: tuple[Variant, ...], a: list[int], b: list[int], expected: list[int] | None
    ) -> Draft:
        return Draft(
            code=code,
            answer_kind=AnswerKind.SHAPE,
            prompt={
                "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
                "en": "What is the shape of the result? (or which error does it raise?)",
            },
            explanation={
                "es": "Las formas se comparan desde la última dimensión: cada par debe ser igual, "
                "o uno de los dos 1, o faltar en un tensor. Un in-place no puede cambiar la forma "
                "del tensor que modifica, pero sí estirar el otro operando.",
                "en": "Shapes are compared from the last dimension: each pair must be equal, or one "
                "of them 1, or missing in one tensor. An in-place op can't change the shape of the "
                "tensor it modifies, but it can stretch the other operand.",
            },
            variants=variants,
            fallbacks=(
                "RuntimeError",
                format_shape(expected or a),
                format_shape(a[::-1]),
                format_shape(b),
                format_shape(a + [1]),
            ),
        )


def _pad_right(shape: list[int], n: int) -> list[int]:
    return shape + [1] * (n - len(shape))


def _broadcast(a: list[int], b: list[int]) -> list[int] | None:
    """Only used for wording fallbacks; the answer always comes from torch."""
    out = []
    for x, y in zip(reversed([1] * (len(b) - len(a)) + a), reversed([1] * (len(a) - len(b)) + b)):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return out[::-1]


def _aligned_left_code(a: list[int], b: list[int], op: str) -> str:
    """The snippet as if the shorter shape lined up with the other's first dimensions."""
    n = max(len(a), len(b))
    return f"(torch.ones{shape_call(_pad_right(a, n))} {op} torch.ones{shape_call(_pad_right(b, n))}).shape"


FAMILY = Broadcasting()
