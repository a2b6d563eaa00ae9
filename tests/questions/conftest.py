"""Run family snippets in this process, for fast unit tests of families.

The real kernel (a sandboxed subprocess) is tested in tests/kernel and used
end to end in tests/questions/test_answer_keys.py; this runner checks the same
validator and encoding, without the process boundary.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest

torch = pytest.importorskip("torch")

from quizapp.kernel.encoding import encode  # noqa: E402
from quizapp.kernel.validator import UnsafeSnippet, validate  # noqa: E402


@dataclass(frozen=True)
class LocalReply:
    ok: bool
    value: dict | None
    error_type: str | None
    error_message: str | None


def run_local(code: str) -> LocalReply:
    """Validate, then run ``code``; the value of its last expression, encoded."""
    try:
        validate(code)
    except UnsafeSnippet as exc:
        return LocalReply(False, None, "UnsafeSnippet", str(exc))
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    try:
        exec(compile(tree, "<snippet>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "<snippet>", "eval"), namespace) if last else None
    except Exception as exc:  # the snippet's exception is the answer
        return LocalReply(False, None, type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
    finally:
        torch.set_grad_enabled(True)
    return LocalReply(True, encode(value), None, None)


@pytest.fixture
def runner():
    """A Runner for quizapp.questions.assemble that runs in this process."""
    return lambda codes: [run_local(code) for code in codes]


@pytest.fixture
def built(request, runner):
    """seed -> (draft, question or QuestionError, main reply) for the test module's FAMILY,
    over its seeds in tests/questions/family_checks.py; built once per session."""
    from tests.questions.family_checks import built

    return built(request.module.FAMILY, runner)


@pytest.fixture
def questions(built):
    """seed -> question for the test module's FAMILY, over the same seeds as ``built``."""
    return {seed: question for seed, (_, question, _) in built.items()}
