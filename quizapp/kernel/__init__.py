"""The one place torch runs: a sandboxed worker subprocess and its client.

The UI imports this package, :mod:`client` and :mod:`validator`; none of them
imports torch. Only :mod:`worker` and :mod:`encoding` (in the worker process)
do. ``Kernel``, ``Result`` and ``run_many`` are loaded on first use so the
worker does not pay for the client's imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quizapp.kernel.validator import UnsafeSnippet, validate

if TYPE_CHECKING:
    from quizapp.kernel.client import Kernel, Result, run_many

__all__ = ["Kernel", "Result", "UnsafeSnippet", "run_many", "validate"]


def __getattr__(name: str) -> Any:
    if name in ("Kernel", "Result", "run_many"):
        from quizapp.kernel import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
