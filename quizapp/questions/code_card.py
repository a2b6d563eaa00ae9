"""Code cards: a learner's own snippet (from a TOML deck or a Markdown note)
asked as a question. Pure: the kernel runs the snippet.

Card data: ``code`` (may hold ``{name}`` placeholders), ``answer_kind`` (a
kind of AnswerKind, or "auto" to decide at import), optional ``params``
(name -> list of values; each review picks one value per name, by seed).
"""

from __future__ import annotations

import ast
import itertools
import math
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft

#: Calls whose values differ from run to run unless a seed was set first.
RANDOM_CALLS = frozenset(
    {
        "empty",
        "empty_like",
        "new_empty",
        "empty_strided",
        "rand",
        "rand_like",
        "randn",
        "randn_like",
        "randint",
        "randint_like",
        "randperm",
        "normal",
        "normal_",
        "bernoulli",
        "multinomial",
        "uniform_",
        "random_",
        "dropout",
        "poisson",
        "exponential_",
        "geometric_",
        "cauchy_",
        "log_normal_",
    }
)
#: Answer kind of a snippet whose values are not deterministic.
SHAPE_OR_DTYPE = "shape_or_dtype"
#: Most parameter combinations a card may have: each is run at import time
#: (a card with more is refused), since a review may draw any of them.
MAX_COMBINATIONS = 100


def substitute(code: str, values: dict[str, object]) -> str:
    """Put each parameter's value in place of ``{name}``."""
    for name, value in values.items():
        code = code.replace("{" + name + "}", repr(value) if isinstance(value, str) else str(value))
    return code


def count_combinations(params: dict[str, list]) -> int:
    """How many combinations of parameter values there are."""
    return math.prod(len(values) for values in params.values())


def combinations(params: dict[str, list]) -> list[dict[str, object]]:
    """Every combination of parameter values, in a fixed order (callers
    refuse cards with more than MAX_COMBINATIONS first)."""
    names = sorted(params)
    product = itertools.product(*(params[n] for n in names))
    return [dict(zip(names, combo)) for combo in product]


def is_nondeterministic(code: str) -> bool:
    """True if the snippet draws random numbers or reads uninitialised memory
    before any ``manual_seed`` (statically, in source order)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    seeded = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "manual_seed":
                seeded = True
            elif name in RANDOM_CALLS and (not seeded or name.startswith("empty") or name == "new_empty"):
                return True
    return False


def prints(code: str) -> bool:
    """True if the snippet calls print()."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print" for n in ast.walk(tree))


def ask_about(code: str, kind: str) -> str:
    """The snippet with its final expression replaced by its shape or dtype."""
    tree = ast.parse(code)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr)  # settled at import: the snippet ends in an expression
    lines = code.splitlines()
    head = "\n".join(lines[: last.lineno - 1]).rstrip()
    attribute = "shape" if kind == AnswerKind.SHAPE else "dtype"
    tail = f"({ast.get_source_segment(code, last.value)}).{attribute}"
    return f"{head}\n{tail}" if head else tail


@dataclass(frozen=True)
class CodeCard:
    """A family-like object for one code card, so ``assemble`` can run it."""

    name: str
    front: str
    code: str
    answer_kind: str
    params: dict

    @property
    def title(self) -> dict[str, str]:
        return {"es": self.front, "en": self.front}

    @property
    def mistakes(self) -> dict[str, dict[str, str]]:
        """None: a learner's snippet has no misconception variants."""
        return {}

    def build(self, rng: random.Random) -> Draft:
        values = {name: rng.choice(self.params[name]) for name in sorted(self.params)}
        code, kind = substitute(self.code, values), self.answer_kind
        if kind == SHAPE_OR_DTYPE:  # values vary from run to run: ask what doesn't
            kind = rng.choice([AnswerKind.SHAPE, AnswerKind.DTYPE])
            code = ask_about(code, kind)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt={"es": self.front or "¿Qué da este código?", "en": self.front or "What does this code give?"},
            explanation={"es": "", "en": ""},
        )


def code_card(card_id: str, front: str, data: dict) -> CodeCard:
    kind = data.get("answer_kind", AnswerKind.OUTPUT)
    return CodeCard(card_id, front, data["code"], kind, dict(data.get("params") or {}))
