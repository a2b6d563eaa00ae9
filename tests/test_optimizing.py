"""Personal FSRS parameters: the history split, the minimum, the evaluation,
adoption only when better, revert, reschedule; then the real optimizer (in
its worker process) on synthetic learners with known forgetting curves."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlmodel import Session

from quizapp.kernel.optimizer_client import fit_parameters
from quizapp.optimizing import (
    HOLDOUT_FRACTION,
    MIN_REVIEWS,
    FitResult,
    Metrics,
    NotEnoughReviews,
    ReviewRow,
    evaluate,
    is_better,
    reviews_needed,
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


@pytest.mark.torch  # the fsrs optimizer needs torch
def test_minimum_matches_the_fsrs_optimizer():
    code = "import fsrs.optimizer as o; print(o.mini_batch_size, o.max_seq_len)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == [str(MIN_REVIEWS), "64"]


def test_trainable_reviews_skip_same_day_reviews():
    rows = [
        ReviewRow("a", T0, 3),
        ReviewRow("a", T0 + timedelta(minutes=10), 3),  # same day: not counted
        ReviewRow("a", T0 + timedelta(days=2), 3),
        ReviewRow("a", T0 + timedelta(days=2, hours=23), 1),
        ReviewRow("b", T0, 1),
        ReviewRow("b", T0 + timedelta(days=1), 3),
    ]
    assert trainable_reviews(rows) == 2


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
    """Two cards, one held-out review each, in different bins."""
    rows = [
        ReviewRow("a", T0, 3),
        ReviewRow("a", T0 + timedelta(days=3), 3),
        ReviewRow("b", T0, 3),
        ReviewRow("b", T0 + timedelta(days=20), 1),
    ]
    import fsrs

    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    probabilities = []
    for first, second in ((rows[0], rows[1]), (rows[2], rows[3])):
        card, _ = scheduler.review_card(fsrs.Card(card_id=1, due=first.time), fsrs.Rating.Good, first.time)
        probabilities.append(scheduler.get_card_retrievability(card, second.time))
    pa, pb = probabilities
    metrics = evaluate(rows, DEFAULTS, since=T0 + timedelta(days=1))
    assert metrics.count == 2
    assert metrics.log_loss == pytest.approx(-(math.log(pa) + math.log(1 - pb)) / 2)
    # Elapsed 3 and 20 days fall in different bins: RMSE over bins of one review each.
    assert metrics.rmse == pytest.approx(math.sqrt(((1 - pa) ** 2 + pb**2) / 2))
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


# -- the real optimizer, in its worker process --------------------------------------


@pytest.mark.torch  # the fsrs optimizer needs torch
def test_optimize_json_on_a_learner_who_forgets_faster(make_service, db_url, capsys):
    """Memory follows FSRS with initial stabilities a fifth of the defaults;
    the app scheduled with the defaults. Fitted on the first 80 %, the new
    parameters predict the last 20 % better and are adopted."""
    from quizapp.cli import main

    service = make_service()
    store_history(service, simulate_history(2500, true_parameters=scaled_parameters(0.2), seed=7))
    code = main(["--db", db_url, "--user", "tester", "optimize", "--json"])
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
    settings = service.study_settings()
    assert settings.parameters == tuple(data["parameters"]) and settings.previous_parameters == DEFAULTS

    assert main(["--db", db_url, "--user", "tester", "optimize", "--revert", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["parameters"] == list(DEFAULTS)
    assert service.study_settings().parameters == DEFAULTS


@pytest.mark.torch  # the fsrs optimizer needs torch
def test_optimizer_keeps_parameters_that_already_fit(make_service):
    """The learner's memory follows the parameters in use: the fitted ones
    do no better on the held-out reviews and are not adopted."""
    truth = scaled_parameters(1.0)
    service = make_service()
    store_history(service, simulate_history(2500, true_parameters=truth, seed=7))
    seen = []
    report = service.optimize(fit=fit_parameters, progress=lambda stage, done, total: seen.append(stage))
    assert report.before is not None and report.after is not None
    assert report.adopted == is_better(report.before, report.after)
    assert not report.adopted
    assert service.study_settings().parameters == DEFAULTS
    assert {"load", "fit", "evaluate"} <= set(seen)
