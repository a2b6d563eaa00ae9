"""A learner's study settings: desired retention, daily limits, learning
steps, the hour a study day starts, and their FSRS parameters; and deck
option presets (:class:`Preset`), which hold the per-deck ones.

Pure: parsing, validation and conversion to a SchedulingConfig. As in Anki,
the hour a study day starts and the FSRS parameters are the learner's
(table ``usersettings``); the desired retention, the daily limits and the
steps belong to a preset (table ``preset``), which decks share. A
``StudySettings`` shows the learner's settings with their Default preset's
values. The Service reads and writes them; ``quizapp settings`` and the
TUI's settings screen edit them through :func:`validate_changes` and
:func:`validate_preset`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quizapp.domain import (
    DEFAULT_DAY_START_HOUR,
    DEFAULT_DESIRED_RETENTION,
    DEFAULT_LEARNING_STEPS,
    DEFAULT_NEW_PER_DAY,
    DEFAULT_PRESET,
    DEFAULT_RELEARNING_STEPS,
    DEFAULT_REVIEWS_PER_DAY,
)
from quizapp.i18n import N_, _
from quizapp.scheduling import SchedulingConfig

#: Desired retention accepted (Anki allows 0.70-0.99).
RETENTION_RANGE = (0.70, 0.99)
#: Largest daily limit accepted.
MAX_PER_DAY = 9999
#: Longest single learning step accepted.
MAX_STEP = timedelta(days=1)

_STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(ValueError):
    """An invalid setting; the message is one line naming the setting."""


def parse_steps(text: str, *, name: str = "learning steps") -> tuple[timedelta, ...]:
    """Anki's step syntax: ``"1m 10m"``, ``"30s 1h 1d"``; empty for none.

    Each step is a number and a unit (s, m, h, d), at most a day, and
    never shorter than the one before.
    """
    steps: list[timedelta] = []
    for token in text.replace(",", " ").split():
        match = _STEP.match(token.strip().lower())
        if match is None:
            raise SettingsError(
                _("{name}: {token!r} is not a step like 1m, 10m, 1h or 1d").format(name=name, token=token)
            )
        step = timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
        if step <= timedelta(0):
            raise SettingsError(_("{name}: {token!r} must be longer than zero").format(name=name, token=token))
        if step > MAX_STEP:
            raise SettingsError(_("{name}: {token!r} is longer than a day").format(name=name, token=token))
        if steps and step < steps[-1]:
            raise SettingsError(
                _("{name}: {token!r} is shorter than the step before it").format(name=name, token=token)
            )
        steps.append(step)
    return tuple(steps)


def format_steps(steps: tuple[timedelta, ...]) -> str:
    """The inverse of :func:`parse_steps`: ``"1m 10m"``."""
    out = []
    for step in steps:
        seconds = step.total_seconds()
        for unit in ("d", "h", "m", "s"):
            amount = seconds / _UNIT_SECONDS[unit]
            if amount >= 1 and float(amount).is_integer():
                out.append(f"{int(amount)}{unit}")
                break
        else:
            out.append(f"{seconds:g}s")
    return " ".join(out)


def check_parameters(parameters: list[float] | tuple[float, ...]) -> tuple[float, ...]:
    """FSRS-6 parameters: 21 numbers within the bounds the fsrs package accepts."""
    values = tuple(float(p) for p in parameters)
    if len(values) != len(DEFAULT_PARAMETERS):
        raise SettingsError(f"parameters: expected {len(DEFAULT_PARAMETERS)} numbers, got {len(values)}")
    for i, (v, low, high) in enumerate(zip(values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)):
        if not low <= v <= high:
            raise SettingsError(f"parameters: w[{i}] = {v} is outside [{low}, {high}]")
    return values


@dataclass(frozen=True)
class StudySettings:
    """One learner's settings (the defaults are Anki's)."""

    #: Probability of recall FSRS aims for when it schedules a review.
    desired_retention: float = DEFAULT_DESIRED_RETENTION
    #: New cards introduced per study day.
    new_per_day: int = DEFAULT_NEW_PER_DAY
    #: Reviews (of cards in the review state) per study day.
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    learning_steps: tuple[timedelta, ...] = DEFAULT_LEARNING_STEPS
    relearning_steps: tuple[timedelta, ...] = DEFAULT_RELEARNING_STEPS
    #: Local hour (0-23) at which a new study day begins.
    day_start_hour: int = DEFAULT_DAY_START_HOUR
    #: After an answer, hide the card's new siblings (same note) until tomorrow.
    bury_new_siblings: bool = True
    #: After an answer, hide the card's review siblings due today until tomorrow.
    bury_review_siblings: bool = True
    #: After an answer, hide the card's siblings in a learning step of a day or
    #: more until tomorrow (Anki's "interday learning siblings"; off, as there).
    bury_interday_learning_siblings: bool = False
    #: FSRS parameters in use (the defaults until the optimizer adopts others).
    parameters: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)
    #: The parameters in use before the optimizer last adopted new ones
    #: (``quizapp optimize --revert`` returns to them); None: none kept.
    previous_parameters: tuple[float, ...] | None = None

    @property
    def personal(self) -> bool:
        """True when the parameters are not FSRS's defaults (fitted by the optimizer)."""
        return self.parameters != tuple(DEFAULT_PARAMETERS)

    def config(self, base: SchedulingConfig | None = None) -> SchedulingConfig:
        """The SchedulingConfig these settings give (other fields from ``base``)."""
        return replace(
            base or SchedulingConfig(),
            desired_retention=self.desired_retention,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
            day_start_hour=self.day_start_hour,
            parameters=self.parameters,
            bury_new_siblings=self.bury_new_siblings,
            bury_review_siblings=self.bury_review_siblings,
            bury_interday_learning_siblings=self.bury_interday_learning_siblings,
        )

    def to_json(self) -> dict:
        """The fields of ``quizapp settings --json``."""
        return {
            "desired_retention": self.desired_retention,
            "new_per_day": self.new_per_day,
            "reviews_per_day": self.reviews_per_day,
            "learning_steps": format_steps(self.learning_steps),
            "relearning_steps": format_steps(self.relearning_steps),
            "day_start_hour": self.day_start_hour,
            "bury_new_siblings": self.bury_new_siblings,
            "bury_review_siblings": self.bury_review_siblings,
            "bury_interday_learning_siblings": self.bury_interday_learning_siblings,
            "parameters": list(self.parameters),
            "personal_parameters": self.personal,
            "previous_parameters": list(self.previous_parameters) if self.previous_parameters else None,
        }


#: Settings a learner edits (CLI options and the settings screen), in order.
EDITABLE = (
    "desired_retention",
    "new_per_day",
    "reviews_per_day",
    "learning_steps",
    "relearning_steps",
    "day_start_hour",
    "bury_new_siblings",
    "bury_review_siblings",
    "bury_interday_learning_siblings",
)

#: The on/off settings among EDITABLE (given as on/off, yes/no, true/false, 1/0).
SWITCHES = ("bury_new_siblings", "bury_review_siblings", "bury_interday_learning_siblings")
_ON = {"on": True, "yes": True, "true": True, "1": True, "off": False, "no": False, "false": False, "0": False}

#: Each setting's label (English; shown through ``_()``).
LABELS = {
    "desired_retention": N_("Desired retention"),
    "new_per_day": N_("New cards per day"),
    "reviews_per_day": N_("Reviews per day"),
    "learning_steps": N_("Learning steps"),
    "relearning_steps": N_("Relearning steps"),
    "day_start_hour": N_("Next day starts at (hour)"),
    "bury_new_siblings": N_("Bury new siblings"),
    "bury_review_siblings": N_("Bury review siblings"),
    "bury_interday_learning_siblings": N_("Bury interday siblings"),
}
#: Each setting as an error message names it (English; shown through ``_()``).
NAMES = {
    "desired_retention": N_("desired retention"),
    "new_per_day": N_("new per day"),
    "reviews_per_day": N_("reviews per day"),
    "learning_steps": N_("learning steps"),
    "relearning_steps": N_("relearning steps"),
    "day_start_hour": N_("day start hour"),
    "bury_new_siblings": N_("bury new siblings"),
    "bury_review_siblings": N_("bury review siblings"),
    "bury_interday_learning_siblings": N_("bury interday learning siblings"),
}


def switch_text(value: bool) -> str:
    """How an on/off setting is shown and typed."""
    return "on" if value else "off"


def validate_changes(current: StudySettings, changes: Mapping[str, object]) -> StudySettings:
    """``current`` with ``changes`` applied (values may be text, as typed).

    Raises SettingsError with a one-line message naming the first bad setting.
    """
    result = current
    for name, raw in changes.items():
        if raw is None:
            continue
        if name not in EDITABLE:
            raise SettingsError(_("unknown setting {name!r}").format(name=name))
        label = _(NAMES[name])
        text = str(raw).strip()
        if name == "desired_retention":
            try:
                retention = float(text)
            except ValueError:
                raise SettingsError(_("{label}: {text!r} is not a number").format(label=label, text=text)) from None
            low, high = RETENTION_RANGE
            if not low <= retention <= high:
                raise SettingsError(
                    _("{label}: {text} is outside {low}-{high}").format(
                        label=label, text=text, low=f"{low:.2f}", high=f"{high:.2f}"
                    )
                )
            result = replace(result, desired_retention=round(retention, 4))
        elif name in ("new_per_day", "reviews_per_day"):
            count = _int(text, label)
            if not 0 <= count <= MAX_PER_DAY:
                raise SettingsError(
                    _("{label}: {text} is outside {low}-{high}").format(label=label, text=text, low=0, high=MAX_PER_DAY)
                )
            if name == "new_per_day":
                result = replace(result, new_per_day=count)
            else:
                result = replace(result, reviews_per_day=count)
        elif name == "day_start_hour":
            hour = _int(text, label)
            if not 0 <= hour <= 23:
                raise SettingsError(
                    _("{label}: {text} is outside {low}-{high}").format(label=label, text=text, low=0, high=23)
                )
            result = replace(result, day_start_hour=hour)
        elif name in SWITCHES:
            if isinstance(raw, bool):
                value = raw
            elif text.lower() in _ON:
                value = _ON[text.lower()]
            else:
                raise SettingsError(_("{label}: {text} is not on or off").format(label=label, text=repr(text)))
            if name == "bury_new_siblings":
                result = replace(result, bury_new_siblings=value)
            elif name == "bury_review_siblings":
                result = replace(result, bury_review_siblings=value)
            else:
                result = replace(result, bury_interday_learning_siblings=value)
        elif name == "learning_steps":
            result = replace(result, learning_steps=parse_steps(text, name=label))
        else:
            result = replace(result, relearning_steps=parse_steps(text, name=label))
    return result


#: The settings a preset holds (the others are the learner's, for every deck).
PRESET_FIELDS = ("desired_retention", "new_per_day", "reviews_per_day", "learning_steps", "relearning_steps")
#: The longest preset name accepted.
MAX_PRESET_NAME = 100


@dataclass(frozen=True)
class Preset:
    """A deck option preset (the defaults are Anki's): the desired
    retention, daily limits and steps of the decks that use it."""

    name: str = DEFAULT_PRESET
    desired_retention: float = DEFAULT_DESIRED_RETENTION
    #: New cards introduced per study day, in each deck using the preset.
    new_per_day: int = DEFAULT_NEW_PER_DAY
    #: Reviews per study day, in each deck using the preset.
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    learning_steps: tuple[timedelta, ...] = DEFAULT_LEARNING_STEPS
    relearning_steps: tuple[timedelta, ...] = DEFAULT_RELEARNING_STEPS
    #: The decks assigned this preset (for Default: none are listed, it is
    #: every deck not assigned another).
    decks: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_PRESET

    def config(self, base: SchedulingConfig) -> SchedulingConfig:
        """``base`` (the learner's config) with this preset's fields."""
        return replace(
            base,
            desired_retention=self.desired_retention,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
        )

    def to_json(self) -> dict:
        """The fields of ``quizapp settings --presets --json``."""
        return {
            "name": self.name,
            "default": self.is_default,
            "desired_retention": self.desired_retention,
            "new_per_day": self.new_per_day,
            "reviews_per_day": self.reviews_per_day,
            "learning_steps": format_steps(self.learning_steps),
            "relearning_steps": format_steps(self.relearning_steps),
            "decks": list(self.decks),
        }


def validate_preset(current: Preset, changes: Mapping[str, object]) -> Preset:
    """``current`` with ``changes`` to its fields applied, by the same rules
    (and messages) as :func:`validate_changes`; SettingsError otherwise."""
    for name, raw in changes.items():
        if raw is not None and name not in PRESET_FIELDS:
            raise SettingsError(_("{name} is not a preset setting").format(name=name.replace("_", " ")))
    fields = {name: getattr(current, name) for name in PRESET_FIELDS}
    checked = validate_changes(StudySettings(**fields), changes)
    return replace(current, **{name: getattr(checked, name) for name in PRESET_FIELDS})


def check_preset_name(text: str) -> str:
    """A preset name as typed, trimmed: 1 to 100 characters, no control
    characters; SettingsError otherwise."""
    name = " ".join(text.split())
    if not name:
        raise SettingsError(_("preset name: empty"))
    if len(name) > MAX_PRESET_NAME:
        raise SettingsError(_("preset name: longer than {count} characters").format(count=MAX_PRESET_NAME))
    if any(not ch.isprintable() for ch in name):
        raise SettingsError(_("preset name: control characters are not allowed"))
    return name


def _int(text: str, label: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingsError(_("{label}: {text!r} is not a whole number").format(label=label, text=text)) from None


def parameters_to_json(parameters: tuple[float, ...] | None) -> str | None:
    return None if parameters is None else json.dumps([float(p) for p in parameters])


def parameters_from_json(text: str | None) -> tuple[float, ...] | None:
    if not text:
        return None
    return tuple(float(p) for p in json.loads(text))


__all__ = [
    "EDITABLE",
    "LABELS",
    "PRESET_FIELDS",
    "SWITCHES",
    "Preset",
    "SettingsError",
    "StudySettings",
    "check_preset_name",
    "format_steps",
    "parse_steps",
    "validate_changes",
    "validate_preset",
]
