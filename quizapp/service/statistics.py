"""Use case: the learner's statistics (the SQL aggregates are quizapp.stats)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quizapp.service.context import Context
from quizapp.stats import Statistics, compute_statistics


def statistics(ctx: Context, progress: Callable[[Statistics], None] | None = None) -> Statistics:
    """Every figure of the statistics screen; ``progress`` receives the quick
    figures first, then each slower block."""
    return compute_statistics(
        ctx.engine,
        user_id=ctx.user_id,
        user_name=ctx.user_name,
        now=ctx.clock(),
        tz=ctx.tz,
        day_start_hour=ctx.config.day_start_hour,
        parameters=ctx.config.parameters,
        progress=progress,
    )


def stats_json(ctx: Context) -> dict[str, Any]:
    """The fields of ``quizapp stats --json``."""
    return statistics(ctx).to_json()
