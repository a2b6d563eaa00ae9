"""Use case: the question a live card asks, computed by running its
snippets in the torch kernel passed in from the top."""

from __future__ import annotations

from quizapp.domain import CardKind
from quizapp.questions import all_families, assemble
from quizapp.questions.base import Question, QuestionError
from quizapp.questions.code_card import code_card
from quizapp.service.context import KernelLike
from quizapp.service.views import CardView


def make_question(family: str, seed: int, kernel: KernelLike | None, *, lang: str = "es") -> Question:
    """A generated question of ``family``: its answer and distractors computed
    by running the snippets in ``kernel``.

    Raises KeyError for an unknown family and QuestionError when the kernel
    can't answer (none, not ready in time, timeout, died).
    """
    families = all_families()
    if family not in families:
        raise KeyError(family)
    kernel = _ready(kernel)
    return assemble(families[family], seed, kernel.run_many, lang=lang, torch_version=kernel.torch_version or "")


def card_question(card: CardView, seed: int, kernel: KernelLike | None) -> Question:
    """The question a generated or code card asks for this ``seed``."""
    if card.kind == CardKind.GENERATED:
        return make_question(card.data["family"], seed, kernel, lang=card.lang)
    kernel = _ready(kernel)
    family = code_card(card.id, card.front, card.data)
    return assemble(family, seed, kernel.run_many, lang=card.lang, torch_version=kernel.torch_version or "")


def _ready(kernel: KernelLike | None) -> KernelLike:
    if kernel is None:
        raise QuestionError("no torch kernel: generated questions are off")
    if not kernel.wait_ready():
        raise QuestionError("the torch kernel did not start")
    return kernel
