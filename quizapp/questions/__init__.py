"""Generated code-prediction questions. Pure Python: torch runs in the kernel.

Each module in ``families/`` defines ``FAMILY``; ``all_families()`` maps
their names to them, in the order of the built-in deck.
"""

from __future__ import annotations

import importlib
import pkgutil

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Family, Question, Variant, assemble

__all__ = ["AnswerKind", "Draft", "Family", "Question", "Variant", "all_families", "assemble"]


def all_families() -> dict[str, Family]:
    """Every family, by name, sorted by its ``ORDER``."""
    from quizapp.questions import families as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        family = getattr(module, "FAMILY", None)
        if family is not None:
            found.append((getattr(module, "ORDER", 100), family.name, family))
    return {name: family for _, name, family in sorted(found)}
