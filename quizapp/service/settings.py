"""Use case: the learner's study settings (validated in quizapp.study_settings),
and their row in the ``usersettings`` table. The per-deck ones (desired
retention, daily limits, steps) are the Default preset's here
(service/presets.py keeps every preset)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from quizapp.domain import DEFAULT_PRESET
from quizapp.i18n import LANGUAGES, language_from_locale
from quizapp.service.context import Context
from quizapp.service.presets import default_preset, update_preset_in
from quizapp.store.models import UserSettings
from quizapp.study_settings import (
    PRESET_FIELDS,
    SettingsError,
    StudySettings,
    format_steps,
    parameters_from_json,
    parameters_to_json,
    parse_steps,
    validate_changes,
)


def study_settings(ctx: Context) -> StudySettings:
    """The learner's stored settings, with their Default preset's desired
    retention, limits and steps (Anki's defaults when none are stored)."""
    with ctx.read() as session:
        return _with_default_preset(session, ctx, study_settings_from_row(session.get(UserSettings, ctx.user_id)))


def update_settings(ctx: Context, preset: str = DEFAULT_PRESET, **changes: object) -> StudySettings:
    """Validate and store ``changes`` (values may be text, as typed): a
    SettingsError names the first bad one and nothing is written. The
    desired retention, limits and steps go to ``preset`` (the Default
    one unless named), the rest to the learner's own settings. The
    learner's reviews use the new settings at once."""
    preset_changes = {k: v for k, v in changes.items() if k in PRESET_FIELDS}
    own_changes = {k: v for k, v in changes.items() if k not in PRESET_FIELDS}
    with ctx.write() as session:
        row = session.get(UserSettings, ctx.user_id)
        current = _with_default_preset(session, ctx, study_settings_from_row(row))
        updated = validate_changes(current, own_changes)
        if preset_changes:
            update_preset_in(ctx, session, preset, changes=preset_changes)
        if own_changes:
            store_study_settings(session=session, user_id=ctx.user_id, settings=updated)
    updated = study_settings(ctx)
    apply_settings(ctx, updated)
    return updated


def _with_default_preset(session: Session, ctx: Context, settings: StudySettings) -> StudySettings:
    default = default_preset(ctx, session)
    return replace(settings, **{name: getattr(default, name) for name in PRESET_FIELDS})


def apply_settings(ctx: Context, settings: StudySettings) -> None:
    """Schedule with ``settings`` from now on."""
    ctx.use_config(settings.config(ctx.config))


def study_settings_from_row(row: UserSettings | None) -> StudySettings:
    """The StudySettings of a ``UserSettings`` row (None: the defaults)."""
    if row is None:
        return StudySettings()
    defaults = StudySettings()
    parameters = parameters_from_json(row.parameters)
    previous = parameters_from_json(row.previous_parameters)
    try:
        learning = parse_steps(row.learning_steps)
        relearning = parse_steps(row.relearning_steps, name="relearning steps")
    except SettingsError:  # edited by hand: fall back rather than refuse to start
        learning, relearning = defaults.learning_steps, defaults.relearning_steps
    return StudySettings(
        desired_retention=row.desired_retention,
        new_per_day=row.new_per_day,
        reviews_per_day=row.reviews_per_day,
        learning_steps=learning,
        relearning_steps=relearning,
        day_start_hour=row.day_start_hour,
        bury_new_siblings=row.bury_new_siblings,
        bury_review_siblings=row.bury_review_siblings,
        bury_interday_learning_siblings=row.bury_interday_learning_siblings,
        parameters=parameters or defaults.parameters,
        previous_parameters=previous,
    )


def store_study_settings(
    *, session: Session, user_id: int, settings: StudySettings, optimized_at: datetime | None = None
) -> None:
    """Write ``settings`` into the learner's ``UserSettings`` row (made if
    missing). ``optimized_at``: set when the optimizer adopted the parameters.
    The caller commits."""
    row = session.get(UserSettings, user_id)
    if row is None:
        row = UserSettings(user_id=user_id)
        session.add(row)
    row.desired_retention = settings.desired_retention
    row.new_per_day = settings.new_per_day
    row.reviews_per_day = settings.reviews_per_day
    row.learning_steps = format_steps(settings.learning_steps)
    row.relearning_steps = format_steps(settings.relearning_steps)
    row.day_start_hour = settings.day_start_hour
    row.bury_new_siblings = settings.bury_new_siblings
    row.bury_review_siblings = settings.bury_review_siblings
    row.bury_interday_learning_siblings = settings.bury_interday_learning_siblings
    row.parameters = parameters_to_json(settings.parameters) if settings.personal else None
    row.previous_parameters = parameters_to_json(settings.previous_parameters)
    if optimized_at is not None:
        row.optimized_at = optimized_at


def interface_language(ctx: Context) -> str:
    """The learner's interface language: their setting, else the locale's."""
    with ctx.read() as session:
        row = session.get(UserSettings, ctx.user_id)
        stored = row.language if row is not None else None
    return stored if stored in LANGUAGES else language_from_locale()


def set_interface_language(ctx: Context, language: str | None) -> str:
    """Store the learner's interface language ("es", "en"; None: follow the
    locale) and return the one now in effect. A SettingsError names an
    unknown language and nothing is written."""
    if language is not None and language not in LANGUAGES:
        raise SettingsError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    with ctx.write() as session:
        row = session.get(UserSettings, ctx.user_id)
        if row is None:  # the model's defaults are Anki's, as StudySettings()
            row = UserSettings(user_id=ctx.user_id)
        row.language = language
        session.add(row)
    return interface_language(ctx)


def language_setting(ctx: Context) -> str | None:
    """The learner's stored interface language ("es", "en"), or None when it
    follows the locale."""
    with ctx.read() as session:
        row = session.get(UserSettings, ctx.user_id)
        stored = row.language if row is not None else None
    return stored if stored in LANGUAGES else None


def deck_view(ctx: Context) -> tuple[str, bool]:
    """(interface language, other language's deck shown): what decides which
    built-in deck the learner sees, in one read (the review queue checks it
    at each card: another terminal may have changed it)."""
    with ctx.read() as session:
        row = session.get(UserSettings, ctx.user_id)
        stored = row.language if row is not None else None
        other = bool(row.other_language_deck) if row is not None else False
    return (stored if stored in LANGUAGES else language_from_locale()), other


def other_language_deck(ctx: Context) -> bool:
    """Whether the built-in deck in the other interface language is shown too."""
    with ctx.read() as session:
        row = session.get(UserSettings, ctx.user_id)
        return bool(row.other_language_deck) if row is not None else False


def set_other_language_deck(ctx: Context, shown: bool) -> None:
    """Show (True) or hide the built-in deck in the other interface language."""
    with ctx.write() as session:
        row = session.get(UserSettings, ctx.user_id)
        if row is None:  # the model's defaults are Anki's, as StudySettings()
            row = UserSettings(user_id=ctx.user_id)
        row.other_language_deck = shown
        session.add(row)
