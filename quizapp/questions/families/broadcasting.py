"""Broadcasting: the shape of an elementwise result, or the error it raises."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.questions.base import AnswerKind, Draft, Variant, format_shape

ORDER = 1

_OPS = ("+", "*", "-")


@dataclass(frozen=True)
class Broadcasting:
    name: str = "broadcasting"
    title = {"es": "Broadcasting: forma del resultado", "en": "Broadcasting: result shape"}
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        a = [rng.randint(2, 5) for _ in range(rng.randint(2, 3))]
        style = rng.choice(["trailing", "ones", "incompatible", "inplace"])
        b = a[-rng.randint(1, len(a)) :]
        if style == "ones":
            b = [1 if rng.random() < 0.5 else d for d in b]
            if b == a[-len(b) :]:
                b[0] = 1
        elif style == "incompatible":
            i = rng.randrange(len(b))
            b[i] = b[i] + 1
        elif style == "inplace":
            # In-place ops can't grow the left operand: b is the bigger one.
            a, b = a[-2:], [rng.randint(2, 4)] + a[-2:]
        op = rng.choice(_OPS)
        if style == "inplace":
            method = {"+": "add_", "*": "mul_", "-": "sub_"}[op]
            code = f"a = torch.ones{_args(a)}\nb = torch.ones{_args(b)}\na.{method}(b).shape"
            variants = (
                Variant(
                    f"torch.empty{_args(_broadcast(a, b))}.shape",
                    "inplace_grows",
                    {"es": "creer que un in-place puede cambiar la forma de a",
                     "en": "thinking an in-place op can change a's shape"},
                ),
            )
        else:
            code = f"a = torch.ones{_args(a)}\nb = torch.ones{_args(b)}\n(a {op} b).shape"
            variants = (
                Variant(
                    f"torch.ones{_args(a)}.shape",
                    "left_shape",
                    {"es": "quedarse con la forma de a", "en": "keeping a's shape"},
                ),
                Variant(
                    _aligned_left_code(a, b, op),
                    "aligned_left",
                    {"es": "alinear las dimensiones por la izquierda", "en": "aligning dimensions from the left"},
                ),
                Variant(
                    f"torch.ones{_args(b)}.shape",
                    "right_shape",
                    {"es": "quedarse con la forma de b", "en": "keeping b's shape"},
                ),
            )
        expected = _broadcast(a, b)
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
                "del tensor que modifica.",
                "en": "Shapes are compared from the last dimension: each pair must be equal, or one "
                "of them 1, or missing in one tensor. An in-place op can't change the shape of the "
                "tensor it modifies.",
            },
            variants=variants,
            fallbacks=("RuntimeError", format_shape(expected or a), format_shape(a[::-1]), format_shape(b)),
        )


def _args(shape: list[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _broadcast(a: list[int], b: list[int]) -> list[int] | None:
    """Only used for wording fallbacks; the answer always comes from torch."""
    out = []
    for x, y in zip(reversed([1] * (len(b) - len(a)) + a), reversed([1] * (len(a) - len(b)) + b)):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return out[::-1]


def _aligned_left_code(a: list[int], b: list[int], op: str) -> str:
    """The snippet as if b's dimensions lined up with a's first ones."""
    padded = b + [1] * (len(a) - len(b))
    return f"(torch.ones{_args(a)} {op} torch.ones{_args(padded)}).shape"


FAMILY = Broadcasting()
