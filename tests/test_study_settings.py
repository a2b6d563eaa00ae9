"""Per-learner settings: parsing, validation, storage, and the scheduling
they give (Service loads its SchedulingConfig from them)."""

from datetime import timedelta

import pytest

from quizapp.domain import Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.scheduling import SchedulingConfig
from quizapp.study_settings import (
    SettingsError,
    StudySettings,
    format_steps,
    parse_steps,
    validate_changes,
)


def test_steps_round_trip():
    assert parse_steps("1m 10m") == (timedelta(minutes=1), timedelta(minutes=10))
    assert parse_steps("30s, 1h 1d") == (timedelta(seconds=30), timedelta(hours=1), timedelta(days=1))
    assert parse_steps("") == ()
    for text in ("1m 10m", "30s 1h 1d", "90s", "1.5m"):
        assert parse_steps(format_steps(parse_steps(text))) == parse_steps(text)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"desired_retention": "0.5"}, "desired retention: 0.5 is outside 0.70-0.99"),
        ({"desired_retention": "lots"}, "desired retention: 'lots' is not a number"),
        ({"new_per_day": "-1"}, "new per day: -1 is outside 0-9999"),
        ({"reviews_per_day": "2.5"}, "reviews per day: '2.5' is not a whole number"),
        ({"learning_steps": "10m 1m"}, "learning steps: '1m' is shorter than the step before it"),
        ({"learning_steps": "5 minutes"}, "learning steps: '5' is not a step like 1m, 10m, 1h or 1d"),
        ({"relearning_steps": "2d"}, "relearning steps: '2d' is longer than a day"),
        ({"day_start_hour": "24"}, "day start hour: 24 is outside 0-23"),
    ],
)
def test_validation_messages_are_one_line(changes, message):
    with pytest.raises(SettingsError) as info:
        validate_changes(StudySettings(), changes)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_settings_are_stored_per_user_and_used_for_scheduling(make_service, small_deck, clock):
    ana = make_service("ana")
    ana.sync_deck(read_toml_deck(small_deck))
    ana.update_settings(new_per_day="2", learning_steps="2m 20m", desired_retention="0.85", day_start_hour=6)
    assert ana.study_settings().new_per_day == 2
    assert ana.config.learning_steps == (timedelta(minutes=2), timedelta(minutes=20))
    assert ana.config.desired_retention == 0.85 and ana.config.day_start_hour == 6
    # Another learner keeps Anki's defaults; a new Service of ana reads hers back.
    assert make_service("ben").study_settings() == StudySettings()
    again = make_service("ana")
    assert again.config.new_per_day == 2 and again.study_settings().learning_steps == ana.config.learning_steps
    assert again.today_counts().new == 2
    result = again.answer("small:one", Rating.AGAIN)
    assert result.outcome.interval == timedelta(minutes=2)


def test_bad_change_writes_nothing(make_service):
    service = make_service()
    with pytest.raises(SettingsError):
        service.update_settings(new_per_day="7", day_start_hour="25")
    assert service.study_settings() == StudySettings()
    assert service.config.new_per_day == 20


def test_explicit_config_overrides_stored_settings(make_service):
    make_service().update_settings(new_per_day=3)
    assert make_service(config=SchedulingConfig(new_per_day=9)).config.new_per_day == 9


def test_parameters_swap_with_previous_on_revert(make_service):
    service = make_service()
    default = service.study_settings().parameters
    personal = tuple(round(p * 1.01, 4) if i < 4 else p for i, p in enumerate(default))
    service.set_parameters(personal)
    settings = service.study_settings()
    assert settings.parameters == personal and settings.previous_parameters == default and settings.personal
    assert service.config.parameters == personal
    service.revert_parameters()
    assert service.study_settings().parameters == default
    assert service.config.parameters == default
    service.revert_parameters()  # a revert can be reverted
    assert service.study_settings().parameters == personal


def test_revert_without_previous_parameters(make_service):
    with pytest.raises(ValueError):
        make_service().revert_parameters()


def test_out_of_bounds_parameters_are_refused(make_service):
    with pytest.raises(SettingsError):
        make_service().set_parameters((1000.0,) * 21)
