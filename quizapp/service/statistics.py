"""Use case: the learner's statistics. The figures are SQL aggregates
(quizapp.store.statistics); the question families put the misconceptions
the learner's wrong answers matched into words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from quizapp.service.context import Context
from quizapp.store.statistics import (
    HEATMAP_DAYS,
    RETENTION_WINDOWS,
    FamilyAccuracy,
    PassFail,
    Statistics,
    compute_statistics,
)

__all__ = ["HEATMAP_DAYS", "RETENTION_WINDOWS", "FamilyAccuracy", "PassFail", "Statistics", "mistake_labels"]


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
        describe_mistakes=mistake_labels,
        progress=progress,
    )


def stats_json(ctx: Context) -> dict[str, Any]:
    """The fields of ``quizapp stats --json``."""
    return statistics(ctx).to_json()


def mistake_labels(
    mistakes: Mapping[str, Iterable[str]], lang: str = "en"
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """({family: {mistake key: the misconception in words}}, {family: title})
    for the families and keys given, from the labels each family declares."""
    from quizapp.questions import all_families

    families = all_families()
    labels: dict[str, dict[str, str]] = {}
    titles: dict[str, str] = {}
    for name, keys in mistakes.items():
        family = families.get(name)
        if family is None:
            continue
        titles[name] = family.title.get(lang) or family.title.get("en", name)
        declared = family.mistakes
        found = {k: declared[k].get(lang) or declared[k].get("en", k) for k in keys if k in declared}
        if found:
            labels[name] = found
    return labels, titles
