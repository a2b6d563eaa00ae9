"""Use case: the learner's study settings (validated in quizapp.study_settings)."""

from __future__ import annotations

from quizapp.service.context import Context
from quizapp.store.models import UserSettings
from quizapp.study_settings import StudySettings, store_study_settings, study_settings_from_row, validate_changes


def study_settings(ctx: Context) -> StudySettings:
    """The learner's stored settings (Anki's defaults when none are stored)."""
    with ctx.read() as session:
        return study_settings_from_row(session.get(UserSettings, ctx.user_id))


def update_settings(ctx: Context, **changes: object) -> StudySettings:
    """Validate and store ``changes`` (values may be text, as typed): a
    SettingsError names the first bad one and nothing is written. The
    learner's reviews use the new settings at once."""
    with ctx.write() as session:
        row = session.get(UserSettings, ctx.user_id)
        updated = validate_changes(study_settings_from_row(row), changes)
        store_study_settings(session=session, user_id=ctx.user_id, settings=updated)
    apply_settings(ctx, updated)
    return updated


def apply_settings(ctx: Context, settings: StudySettings) -> None:
    """Schedule with ``settings`` from now on."""
    ctx.use_config(settings.config(ctx.config))
