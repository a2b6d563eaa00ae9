"""Cards that arrive from Anki with SM-2 history and no FSRS memory get the
memory state (stability, difficulty) the real Anki computes for them when
FSRS is turned on: from the whole history, from the state the first review
of a cut history gives (its ease factor and interval), or, with no history
left, from the card's own ease factor and interval. And the optimal
retention of the imported collection is Anki's "compute minimum recommended
retention" on the same collection.

The packages are made by the real Anki (the `anki` test dependency): cards
answered with SM-2 at chosen times, exported with their scheduling, some
with their revlog cut before the export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs_rs_python as rs
import pytest

from quizapp.scheduling import SchedulingConfig
from quizapp.store.models import CardState
from tests.anki_fixtures import answer, export_package
from tests.simulation import scaled_parameters

#: Noon UTC: whole days apart are whole study days for Anki and quizapp
#: (tests/test_anki_memory_state.py says why that matters).
T0 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
#: (offset, rating): learning steps, reviews, a lapse and its relearning step, reviews.
HISTORY = [
    (timedelta(0), 3),
    (timedelta(minutes=10), 3),
    (timedelta(days=1, minutes=10), 3),
    (timedelta(days=4, minutes=10), 3),
    (timedelta(days=12, minutes=10), 1),
    (timedelta(days=12, minutes=20), 3),
    (timedelta(days=14, minutes=20), 2),
    (timedelta(days=20, minutes=20), 3),
    (timedelta(days=35, minutes=20), 4),
]
PARAMETERS = {
    "defaults": tuple(rs.DEFAULT_PARAMETERS),
    "fitted-like": scaled_parameters(0.4, base=tuple(rs.DEFAULT_PARAMETERS)),
}
#: Card -> revlog rows Anki's collection loses before the export (oldest first):
#: "full" keeps its history; "cut" loses its learning steps and first review
#: (the history starts mid-way); "cut-lapse" loses everything before its lapse
#: (it starts with a review answered Again); "no-history" loses all of it.
CUTS = {"full": 0, "cut": 3, "cut-lapse": 4, "no-history": len(HISTORY)}


@pytest.fixture(scope="module")
def anki_package(tmp_path_factory):
    """A package of four cards answered with SM-2 (FSRS off), revlogs cut as in
    CUTS, two new cards; and the open collection, to ask Anki afterwards."""
    from anki.collection import Collection

    tmp = tmp_path_factory.mktemp("anki-memory")
    col = Collection(str(tmp / "collection.anki2"))
    cards: dict[str, int] = {}
    guids: dict[str, str] = {}
    for key in [*CUTS, "new-1", "new-2"]:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = key, "answer"
        col.add_note(note, 1)
        cards[key], guids[key] = note.cards()[0].id, note.guid
    for key, cut in CUTS.items():
        for offset, rating in HISTORY:
            answer(col, cards[key], rating, int((T0 + offset).timestamp() * 1000), 5000)
        ids = col.db.list("SELECT id FROM revlog WHERE cid = ? ORDER BY id", cards[key])
        for rid in ids[:cut]:
            col.db.execute("DELETE FROM revlog WHERE id = ?", rid)
    package = export_package(col, tmp / "sm2.apkg", legacy=False)
    yield col, package, cards, guids
    col.close()


def anki_memory(col, card_id: int, parameters) -> tuple[float, float]:
    """Anki's memory state for the card once FSRS is on with ``parameters``:
    computed from its review log, or, when none is left, the one its
    scheduler uses (inferred from the card's ease and interval)."""
    col.set_config("fsrs", True)
    config = col.decks.config_dict_for_deck_id(1)
    config["fsrsParams6"] = list(parameters)
    config["desiredRetention"] = 0.9
    col.decks.update_config(config)
    response = col._backend.compute_memory_state(card_id)
    if response.HasField("state"):
        return response.state.stability, response.state.difficulty
    # No history to compute from: Anki's scheduler answers the card from the
    # state it infers from the card's ease and interval.
    state = col._backend.get_scheduling_states(card_id).current.normal.review.memory_state
    assert state.stability > 0
    return state.stability, state.difficulty


def test_the_package_carries_ease_factors_and_schedules(anki_package):
    from quizapp.importers.apkg import read_apkg

    col, package, cards, guids = anki_package
    parsed = read_apkg(package)
    schedule = parsed.schedules[f"apkg:{guids['no-history']}"]
    card = col.get_card(cards["no-history"])
    assert (schedule.card_type, schedule.interval_days, schedule.ease_factor) == (2, card.ivl, card.factor)
    assert schedule.reps == card.reps and schedule.lapses == card.lapses == 1
    assert parsed.schedules[f"apkg:{guids['new-1']}"].card_type == 0
    factors = col.db.list("SELECT factor FROM revlog WHERE cid = ? ORDER BY id", cards["cut"])
    ours = [r.ease_factor for r in parsed.reviews if r.card_id == f"apkg:{guids['cut']}"]
    assert ours == factors and 0 not in factors[1:]


@pytest.mark.parametrize("parameters", PARAMETERS.values(), ids=PARAMETERS.keys())
@pytest.mark.parametrize("key", CUTS)
def test_imported_memory_state_is_ankis(anki_package, engine, key, parameters):
    from quizapp.service import Service

    col, package, cards, guids = anki_package
    stability, difficulty = anki_memory(col, cards[key], parameters)
    service = Service(engine, "ana", config=SchedulingConfig(parameters=parameters, fuzz=False), tz=ZoneInfo("UTC"))
    service.import_paths([package])
    with service.ctx.read() as session:
        state = session.get(CardState, (service.user_id, f"apkg:{guids[key]}"))
        assert state is not None
        assert state.stability == pytest.approx(stability, rel=2e-3)
        assert state.difficulty == pytest.approx(difficulty, rel=2e-3)
        new = session.get(CardState, (service.user_id, f"apkg:{guids['new-1']}"))
        assert new is None or new.stability is None


def test_a_cut_history_is_not_replayed_as_a_new_card(anki_package, engine):
    """The check above can fail: replaying the cut history from a new card
    (what quizapp did before) gives another stability than Anki's."""
    from quizapp.scheduling import Scheduler

    col, package, cards, guids = anki_package
    stability, _ = anki_memory(col, cards["cut"], PARAMETERS["defaults"])
    scheduler = Scheduler(SchedulingConfig(parameters=PARAMETERS["defaults"], fuzz=False))
    replayed = scheduler.replay([(T0 + offset, rating) for offset, rating in HISTORY[CUTS["cut"] :]])
    assert replayed.stability != pytest.approx(stability, rel=0.05)


def test_reimporting_keeps_the_memory_state(anki_package, engine):
    from quizapp.service import Service

    col, package, cards, guids = anki_package
    service = Service(engine, "ana", config=SchedulingConfig(fuzz=False), tz=ZoneInfo("UTC"))
    service.import_paths([package])
    card_id = f"apkg:{guids['cut']}"
    with service.ctx.read() as session:
        before = session.get(CardState, (service.user_id, card_id)).stability
    service.import_paths([package])
    with service.ctx.read() as session:
        assert session.get(CardState, (service.user_id, card_id)).stability == before


@pytest.mark.slow
def test_optimal_retention_is_ankis(anki_package, engine):
    """The same collection, the same parameters: quizapp's optimal retention
    is Anki's "compute minimum recommended retention" (seconds: simulations)."""
    from anki import scheduler_pb2

    from quizapp.service import Service

    col, package, cards, guids = anki_package
    parameters = list(rs.DEFAULT_PARAMETERS)
    anki_memory(col, cards["full"], parameters)  # FSRS on, these parameters
    request = scheduler_pb2.SimulateFsrsReviewRequest(
        params=parameters,
        desired_retention=0.9,
        deck_size=0,
        days_to_simulate=365,
        new_limit=20,
        review_limit=200,
        max_interval=36500,
        search="",
        new_cards_ignore_review_limit=True,
        historical_retention=0.9,
        learning_step_count=2,
        relearning_step_count=1,
    )
    anki_value = col._backend.compute_optimal_retention(request)
    service = Service(engine, "ana", tz=ZoneInfo("UTC"))
    service.import_paths([package])
    assert service.optimal_retention() == pytest.approx(anki_value, abs=0.005)


# -- the rules, without Anki ----------------------------------------------------------

L, R, RL = "learning", "review", "relearning"


def plan(*reviews):
    from quizapp.domain import ReviewKind
    from quizapp.optimizing import anki_memory_plan

    return anki_memory_plan(rs.DEFAULT_PARAMETERS, [(ReviewKind(k), factor, ivl) for k, factor, ivl in reviews])


def test_a_history_is_replayed_from_its_last_learning_steps():
    assert plan((L, 0, 0.007), (L, 2500, 1), (R, 2500, 3)).replay_from == 0
    # A card reset to new and learnt again: the history before the reset is left out.
    reset = plan((L, 0, 0.007), (R, 2500, 3), (R, 2500, 8), (L, 0, 0.007), (L, 2500, 1), (R, 2500, 3))
    assert reset.replay_from == 3 and reset.start is None


def test_a_cut_history_starts_from_its_first_interval_of_a_day_or_more():
    from quizapp.optimizing import memory_from_sm2

    cut = plan((R, 2500, 11), (R, 2300, 0.007), (RL, 2300, 1), (R, 2150, 2))
    assert cut.replay_from == 1 and cut.start == memory_from_sm2(rs.DEFAULT_PARAMETERS, 2500, 11)
    # An Again that sent the card to relearning sets no interval of a day: skipped.
    lapse = plan((R, 2300, 0.007), (RL, 2300, 1), (R, 2150, 2))
    assert lapse.replay_from == 2 and lapse.start == memory_from_sm2(rs.DEFAULT_PARAMETERS, 2300, 1)
    assert plan((R, 2500, 11)) is None  # nothing after it: the card's own ease and interval
    assert plan((R, 2300, 0.007)) is None


def test_memory_from_sm2_is_the_cores():
    from quizapp.optimizing import memory_from_sm2

    state = rs.FSRS(list(rs.DEFAULT_PARAMETERS)).memory_state_from_sm2(2.5, 30.0, 0.9)
    assert memory_from_sm2(rs.DEFAULT_PARAMETERS, 2500, 30) == pytest.approx((state.stability, state.difficulty))
    assert memory_from_sm2(rs.DEFAULT_PARAMETERS, 0, 30) == memory_from_sm2(rs.DEFAULT_PARAMETERS, 2500, 30)
    # A factor of 1.1 or less is a difficulty FSRS wrote into the revlog.
    assert memory_from_sm2(rs.DEFAULT_PARAMETERS, 600, 30)[1] == pytest.approx((0.6 - 0.1) * 9 + 1)
