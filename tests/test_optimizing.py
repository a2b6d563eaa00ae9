"""Personal FSRS parameters: the FSRS items, the history split, the minimum,
the evaluation, adoption only when better, revert, reschedule; then the real
optimizer (the Rust core, in-process) on synthetic learners with known
forgetting curves; optimal retention and the workload simulator."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlmodel import Session

from quizapp.optimizing import (
    HOLDOUT_FRACTION,
    PARAMETER_COUNT,
    Collection,
    FitResult,
    Metrics,
    NotEnoughReviews,
    OptimizerUnavailable,
    ReviewRow,
    evaluate,
    fit_parameters,
    is_better,
    items,
    optimal_retention,
    reviews_needed,
    simulate,
    split_history,
    trainable_reviews,
)
from quizapp.store.models import Card, CardState, Deck
from tests.simulation import scaled_parameters, simulate_history

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
DEFAULTS = tuple(DEFAULT_PARAMETERS)


def store_history(service, rows: list[ReviewRow]) -> None:
    """Put a synthetic history in the database as this learner's own."""
    from quizapp.store.models import ReviewLog

    with Session(service.engine) as session:
        deck = Deck(name="Sim")
        session.add(deck)
        session.flush()
        cards = sorted({r.card for r in rows})
        for i, card in enumerate(cards):
            session.add(Card(id=card, deck_id=deck.id, front=card, back="", position=i))
        session.flush()
        for card in cards:
            session.add(CardState(user_id=service.user_id, card_id=card))
        for r in rows:
            session.add(
                ReviewLog(
                    user_id=service.user_id,
                    card_id=r.card,
                    reviewed_at=r.time,
                    rating=r.rating,
                    duration_ms=r.duration_ms,
                )
            )
        session.commit()
    service.reschedule()  # card states from their history


# -- pure parts ---------------------------------------------------------------


def test_items_are_built_as_anki_builds_them():
    """delta_t counts study days; one item per review on a later day than the
    card's previous one, holding the card's history up to it."""
    rows = [
        ReviewRow("a", T0, 3, day=10),
        ReviewRow("a", T0 + timedelta(minutes=10), 1, day=10),
        ReviewRow("a", T0 + timedelta(days=2), 3, day=12),
        ReviewRow("a", T0 + timedelta(days=2, hours=23), 4, day=13),
        ReviewRow("b", T0, 2, day=10),
    ]
    built = items(rows)
    assert [item.reviews for item in built] == [
        ((3, 0), (1, 0), (3, 2)),
        ((3, 0), (1, 0), (3, 2), (4, 1)),
    ]
    assert [item.time for item in built] == [rows[2].time, rows[3].time]


def test_trainable_reviews_skip_same_day_reviews():
    rows = [
        ReviewRow("a", T0, 3),
        ReviewRow("a", T0 + timedelta(minutes=10), 3),  # same day: not counted
        ReviewRow("a", T0 + timedelta(days=2), 3),
        ReviewRow("a", T0 + timedelta(days=2, hours=22), 1),  # the next (UTC) day: counted
        ReviewRow("b", T0, 1),
        ReviewRow("b", T0 + timedelta(days=1), 3),
        ReviewRow("b", T0 + timedelta(days=1, hours=1), 3),  # same day: not counted
    ]
    assert trainable_reviews(rows) == 3


def test_split_holds_out_the_last_fifth_by_time():
    rows = [ReviewRow(f"c{i % 7}", T0 + timedelta(hours=i), 3) for i in range(100)]
    train, cutoff = split_history(list(reversed(rows)))
    assert len(train) == 100 * (1 - HOLDOUT_FRACTION)
    assert cutoff == rows[80].time and all(r.time < cutoff for r in train)


def test_reviews_needed_below_the_minimum():
    rows = simulate_history(400, true_parameters=DEFAULTS, seed=3)
    needed = reviews_needed(rows)
    assert needed > 0
    assert reviews_needed(simulate_history(3000, true_parameters=DEFAULTS, seed=3)) == 0


def test_evaluation_by_hand():
    """Two cards, one held-out review each, in different bins: the
    predictions follow FSRS-6's forgetting curve from the first review's
    stability."""
    rows = [
        ReviewRow("a", T0, 3),
        ReviewRow("a", T0 + timedelta(days=3), 3),
        ReviewRow("b", T0, 3),
        ReviewRow("b", T0 + timedelta(days=20), 1),
    ]
    decay = -DEFAULTS[20]
    factor = 0.9 ** (1 / decay) - 1
    stability = DEFAULTS[2]  # Good first
    pa, pb = ((1 + factor * t / stability) ** decay for t in (3, 20))
    a = evaluate(rows[:2], DEFAULTS, since=T0 + timedelta(days=1))
    b = evaluate(rows[2:], DEFAULTS, since=T0 + timedelta(days=1))
    assert a.count == b.count == 1
    assert a.log_loss == pytest.approx(-math.log(pa), rel=1e-4)
    assert b.log_loss == pytest.approx(-math.log(1 - pb), rel=1e-4)
    # One review in its bin: RMSE (bins) is its error.
    assert (a.rmse, b.rmse) == (pytest.approx(1 - pa, rel=1e-4), pytest.approx(pb, rel=1e-4))
    # Both: the core weights items by recency, as Anki does: between the two,
    # nearer the later one (card b's review is later).
    both = evaluate(rows, DEFAULTS, since=T0 + timedelta(days=1))
    assert both.count == 2
    assert (a.log_loss + b.log_loss) / 2 < both.log_loss < b.log_loss
    assert evaluate(rows, DEFAULTS, since=T0 + timedelta(days=30)) is None


def test_adoption_rule():
    a = Metrics(0.40, 0.05, 100)
    assert is_better(a, Metrics(0.39, 0.05, 100))
    assert not is_better(a, Metrics(0.39, 0.06, 100))  # calibration worse
    assert not is_better(a, Metrics(0.40, 0.04, 100))  # log loss not lower
    assert not is_better(None, a) and not is_better(a, None)


# -- the use case, with a stand-in for the worker --------------------------------------


def fake_fit(before: Metrics, after: Metrics, parameters=None):
    calls = []

    def fit(rows, *, cutoff, current, progress=None, cancel=None):
        calls.append((len(rows), cutoff, current))
        if progress:
            progress("fit", 1, 1)
        new = parameters or scaled_parameters(0.5)
        return FitResult(tuple(new), before, after, trainable_reviews([r for r in rows if r.time < cutoff]), 0.1)

    fit.calls = calls
    return fit


@pytest.fixture
def history_service(make_service):
    service = make_service()
    store_history(service, simulate_history(2000, true_parameters=scaled_parameters(0.4), seed=5))
    return service


def test_better_parameters_are_adopted_and_old_ones_kept(history_service):
    fit = fake_fit(Metrics(0.5, 0.08, 200), Metrics(0.45, 0.06, 200))
    report = history_service.optimize(fit=fit)
    assert report.adopted and report.reviews == 2000
    assert fit.calls[0][2] == DEFAULTS
    settings = history_service.study_settings()
    assert settings.parameters == scaled_parameters(0.5) and settings.previous_parameters == DEFAULTS
    assert history_service.config.parameters == scaled_parameters(0.5)
    data = report.to_json()
    assert {"reviews", "log_loss_before", "log_loss_after", "rmse_before", "rmse_after", "adopted"} <= set(data)
    assert (data["log_loss_before"], data["log_loss_after"], data["adopted"]) == (0.5, 0.45, True)


def test_worse_parameters_are_not_adopted(history_service):
    report = history_service.optimize(fit=fake_fit(Metrics(0.45, 0.06, 200), Metrics(0.47, 0.05, 200)))
    assert not report.adopted
    assert history_service.study_settings().parameters == DEFAULTS
    assert history_service.study_settings().previous_parameters is None


def test_reschedule_moves_review_cards(history_service):
    before = {c: history_service.memory(c) for c in ("sim:1", "sim:2", "sim:3")}
    report = history_service.optimize(
        fit=fake_fit(Metrics(0.5, 0.08, 200), Metrics(0.45, 0.06, 200), parameters=scaled_parameters(3.0)),
        reschedule=True,
    )
    assert report.rescheduled and report.rescheduled > 0
    after = {c: history_service.memory(c) for c in before}
    assert any(after[c].due != before[c].due for c in before)
    assert all(after[c].reps == before[c].reps for c in before)


def test_too_few_reviews_says_how_many_more(make_service):
    service = make_service()
    store_history(service, simulate_history(300, true_parameters=DEFAULTS, seed=2))
    with pytest.raises(NotEnoughReviews) as info:
        service.optimize(fit=fake_fit(Metrics(1, 1, 1), Metrics(0, 0, 1)))
    assert info.value.needed == reviews_needed(service.review_rows()) > 0
    assert f"about {info.value.needed} more needed" in str(info.value)


# -- the real optimizer: the Rust core, in-process ----------------------------------------


def test_optimize_json_on_a_learner_who_forgets_faster(make_service, db_url, capsys):
    """Memory follows FSRS with initial stabilities a fifth of the defaults;
    the app scheduled with the defaults. Fitted on the first 80 %, the new
    parameters predict the last 20 % better and are adopted."""
    from quizapp.cli import main

    service = make_service()
    store_history(service, simulate_history(2500, true_parameters=scaled_parameters(0.2), seed=7))
    code = main(["--db", db_url, "--user", "tester", "optimize", "--json", "--time-series"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["reviews"] == 2500
    for key in ("log_loss_before", "log_loss_after", "rmse_before", "rmse_after"):
        assert isinstance(data[key], float) and 0 < data[key] < 1
    assert data["adopted"] == (
        data["log_loss_after"] < data["log_loss_before"] and data["rmse_after"] <= data["rmse_before"]
    )
    assert data["adopted"]
    assert 0.7 <= data["optimal_retention"] <= 0.95
    assert 0 < data["log_loss_time_series"] < 1 and 0 < data["rmse_time_series"] < 1
    assert len(data["parameters"]) == PARAMETER_COUNT
    settings = service.study_settings()
    assert settings.parameters == tuple(data["parameters"]) and settings.previous_parameters == DEFAULTS

    assert main(["--db", db_url, "--user", "tester", "optimize", "--revert", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parameters"] == list(DEFAULTS)
    assert service.study_settings().parameters == DEFAULTS


def test_optimizer_gains_little_on_parameters_that_already_fit(make_service):
    """The learner's memory follows the parameters in use: the fitted ones
    predict the held-out reviews hardly better (sampling noise), and the
    adoption rule decides."""
    truth = scaled_parameters(1.0)
    service = make_service()
    store_history(service, simulate_history(2500, true_parameters=truth, seed=7))
    seen = []
    report = service.optimize(fit=fit_parameters, progress=lambda stage, done, total: seen.append(stage))
    assert report.before is not None and report.after is not None
    assert report.adopted == is_better(report.before, report.after)
    assert report.after.log_loss > report.before.log_loss - 0.01
    expected = report.parameters if report.adopted else DEFAULTS
    assert service.study_settings().parameters == expected
    assert {"fit", "evaluate"} <= set(seen)


def test_the_fit_recovers_a_faster_forgetting_curve():
    """Fitted on a learner whose initial stabilities are a fifth of the
    defaults, the first-review stabilities come out well below the defaults."""
    rows = simulate_history(3000, true_parameters=scaled_parameters(0.2), seed=11)
    train, cutoff = split_history(rows)
    result = fit_parameters(rows, cutoff=cutoff, current=DEFAULTS)
    assert len(result.parameters) == PARAMETER_COUNT
    assert result.parameters[2] < DEFAULTS[2] / 2  # Good on first sight
    assert result.after.log_loss < result.before.log_loss
    assert result.train_reviews == trainable_reviews(train)


def test_a_cancelled_fit_raises():
    rows = simulate_history(800, true_parameters=DEFAULTS, seed=4)
    with pytest.raises(OptimizerUnavailable, match="cancelled"):
        fit_parameters(rows, cutoff=split_history(rows)[1], current=DEFAULTS, cancel=lambda: True)


# -- optimal retention and the simulator ------------------------------------------------


def test_optimal_retention_is_within_ankis_range():
    value = optimal_retention(DEFAULTS, Collection(cards=300, new_per_day=20, reviews_per_day=200))
    assert 0.7 <= value <= 0.95


def test_simulation_costs_more_at_higher_retention():
    collection = Collection(cards=400, new_per_day=20, reviews_per_day=9999)
    low = simulate(DEFAULTS, collection, retention=0.8, days=120)
    high = simulate(DEFAULTS, collection, retention=0.95, days=120)
    assert len(low.reviews_per_day) == len(low.minutes_per_day) == len(low.memorized) == 120
    assert sum(high.reviews_per_day) > sum(low.reviews_per_day)
    assert sum(high.minutes_per_day) > sum(low.minutes_per_day)
    assert low.reviews_per_day[0] >= 20  # the first day's new cards at least
    with pytest.raises(ValueError):
        simulate(DEFAULTS, collection, retention=1.2)


def test_simulate_command_json(make_service, db_url, capsys):
    from quizapp.cli import main

    make_service()
    assert main(["--db", db_url, "--user", "tester", "simulate", "--retention", "0.85", "--days", "30", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"retention", "days", "reviews_per_day", "minutes_per_day", "memorized"}
    assert data["retention"] == 0.85 and data["days"] == 30
    assert len(data["reviews_per_day"]) == len(data["minutes_per_day"]) == len(data["memorized"]) == 30
    assert main(["--db", db_url, "--user", "tester", "simulate", "--retention", "2"]) != 0
    assert "--retention must be between" in capsys.readouterr().err
