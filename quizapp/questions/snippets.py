"""Small helpers the question families share to write their snippets.

Pure Python, like the rest of ``quizapp.questions``: these only build text
and ``Variant``/``Draft`` values; nothing here imports or runs torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape

__all__ = ["labelled", "shape_args", "shape_call", "shape_draft"]


def shape_args(shape: Iterable[int]) -> str:
    """The sizes as bare arguments: [2, 3] -> "2, 3"; [] -> ""."""
    return ", ".join(str(d) for d in shape)


def shape_call(shape: Iterable[int]) -> str:
    """The sizes as a call's parentheses: [2, 3] -> "(2, 3)"; [5] -> "(5)"; [] -> "()".

    Meant to follow a constructor, as in ``f"torch.ones{shape_call(shape)}"``.
    """
    return "(" + shape_args(shape) + ")"


def labelled(labels: Mapping[str, dict[str, str]]) -> Callable[[str, str], Variant]:
    """A ``Variant`` maker that takes the label of each mistake from ``labels``.

    A family writes ``_v = labelled(_L)`` and then ``_v(code, "mistake_key")``;
    an unknown key raises KeyError, as the label is required.
    """

    def variant(code: str, mistake: str) -> Variant:
        return Variant(code, mistake, labels[mistake])

    return variant


def shape_draft(
    setup: str,
    expr: str,
    variants: Sequence[tuple[str, str]],
    *,
    labels: Mapping[str, dict[str, str]],
    prompt: dict[str, str],
    explanation: dict[str, str],
    fallbacks: Iterable[str | Sequence[int]],
    error_choice: str = "RuntimeError",
) -> Draft:
    """A SHAPE question: ``setup``, then ``expr``.shape.

    A variant is (expression, mistake): the learner's expression after the
    same ``setup``; or (full code, mistake) when the code starts with "a = "
    (the learner pictures other inputs), used as it is. Each mistake's label
    comes from ``labels``. A fallback is a canonical answer string, or a
    shape written with ``format_shape``.
    """
    built = []
    for code, key in variants:
        full = code if code.startswith("a = ") else f"{setup}\n{code}.shape"
        built.append(Variant(full, key, labels[key]))
    return Draft(
        code=f"{setup}\n{expr}.shape",
        answer_kind=AnswerKind.SHAPE,
        prompt=prompt,
        explanation=explanation,
        variants=tuple(built),
        fallbacks=tuple(f if isinstance(f, str) else format_shape(f) for f in fallbacks),
        error_choice=error_choice,
    )
