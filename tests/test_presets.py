"""Deck option presets: each deck's own daily limits, a preset shared by
decks, a parent's limits capping its children, scheduling by the card's
preset; checked through the Service and in the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from quizapp.deck_limits import Left, available, capped_counts, remaining, subtree_counts
from quizapp.domain import MemoryState, Rating, ReviewKind
from quizapp.importers.base import ParsedReview
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.scheduling import SchedulingConfig
from quizapp.service import presets
from quizapp.store.models import Deck, DeckPreset, Preset, ReviewLog
from quizapp.study_settings import SettingsError


def deck_file(tmp_path, deck_id: str, name: str, counts: dict[str, int]):
    """A TOML deck ``name`` with ``counts[subdeck]`` basic cards in each
    subdeck ("" for the deck itself)."""
    lines = ["format = 1", "[deck]", f'id = "{deck_id}"', f'name = "{name}"', ""]
    for subdeck, count in counts.items():
        for i in range(count):
            lines += ["[[cards]]", f'id = "{subdeck or "top"}-{i}"', f'front = "q{i}"', f'back = "a{i}"']
            if subdeck:
                lines.append(f'subdeck = "{subdeck}"')
            lines.append("")
    path = tmp_path / f"{deck_id}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return read_toml_deck(path)


def study_new(service, deck=None, limit=1000) -> list[str]:
    """Answer Easy (no learning steps left behind) to new cards of ``deck``
    until none is offered; their ids."""
    seen = []
    for _ in range(limit):
        card = service.next_card(deck)
        if card is None or card.state != MemoryState.NEW:
            break
        service.answer(card.id, Rating.EASY)
        seen.append(card.id)
    return seen


def counts(service) -> dict[str, int]:
    return {c.name: c.new for c in service.deck_counts()}


def rows(engine, model):
    with Session(engine) as session:
        return list(session.exec(select(model)))


@pytest.fixture
def two_decks(make_service, tmp_path):
    """Deck A (30 new cards) and deck B (8 new cards), both on Default."""
    service = make_service()
    service.sync_deck(deck_file(tmp_path, "a", "A", {"": 30}))
    service.sync_deck(deck_file(tmp_path, "b", "B", {"": 8}))
    return service


# -- the pure arithmetic ---------------------------------------------------------


def test_remaining_counts_a_childs_cards_against_every_ancestor():
    limits = {"P": (5, 50), "P::X": (20, 200), "P::Y": (2, 200), "Q": (20, 200)}
    left = remaining(limits, {"P::X": (3, 10)})
    assert left == {"P": Left(2, 40), "P::X": Left(17, 190), "P::Y": Left(2, 200), "Q": Left(20, 200)}
    assert available(left, "P::X") == Left(2, 40)  # capped by P
    assert available(left, "Q") == Left(20, 200)
    own = {"P": (0, 0), "P::X": (10, 4), "P::Y": (10, 4), "Q": (1, 1)}
    subtrees = subtree_counts(left, own)
    assert subtrees["P::Y"] == (2, 4)
    assert subtrees["P"] == (2, 8)  # min(P's 2 left, 17 + 2)
    assert capped_counts(left, subtrees, "P::X") == (2, 4)
    assert capped_counts(left, subtrees, "P::Y") == (2, 4)


# -- limits per deck -------------------------------------------------------------


def test_a_second_deck_gets_its_own_new_card_limit(two_decks, engine):
    """After 20 new cards of deck A, deck B still offers its own (the issue's case)."""
    first = study_new(two_decks, "A")
    assert len(first) == 20 and all(card.startswith("a:") for card in first)
    assert two_decks.next_card("A") is None
    assert counts(two_decks) == {"A": 0, "B": 8}
    assert two_decks.today_counts().new == 8
    nxt = two_decks.next_card()  # all decks: B's new cards are still there
    assert nxt is not None and nxt.id.startswith("b:")
    assert len(study_new(two_decks)) == 8
    logs = rows(engine, ReviewLog)
    assert len(logs) == 28 and sum(log.card_id.startswith("b:") for log in logs) == 8
    assert all(log.state_before == MemoryState.NEW for log in logs)


def test_a_preset_shared_by_two_decks_limits_each(two_decks, engine):
    two_decks.create_preset("Light", new_per_day="3")
    shared = two_decks.assign_preset(["A", "B"], "Light")
    assert shared.decks == ("A", "B") and shared.new_per_day == 3
    assert counts(two_decks) == {"A": 3, "B": 3}
    assert len(study_new(two_decks, "A")) == 3
    assert counts(two_decks) == {"A": 0, "B": 3}
    two_decks.update_preset("Light", new_per_day=5)  # one change, every deck using it
    assert counts(two_decks) == {"A": 2, "B": 5}
    with Session(engine) as session:
        (light,) = session.exec(select(Preset).where(Preset.name == "Light")).all()
        assert light.new_per_day == 5
        assigned = session.exec(select(Deck.name, DeckPreset.preset_id).join(DeckPreset)).all()
        assert sorted(assigned) == [("A", light.id), ("B", light.id)]
    listed = {p.name: p for p in two_decks.presets()}
    assert list(listed) == ["Default", "Light"] and listed["Default"].decks == ()
    assert two_decks.deck_preset("B").name == "Light"


def test_a_parents_limit_caps_its_children(make_service, tmp_path):
    service = make_service()
    service.sync_deck(deck_file(tmp_path, "p", "P", {"X": 10, "Y": 10}))
    service.create_preset("Parent", new_per_day=5)
    service.assign_preset(["P"], "Parent")
    assert counts(service) == {"P": 5, "P::X": 5, "P::Y": 5}
    assert len(study_new(service, "P::X", limit=3)) == 3
    assert counts(service) == {"P": 2, "P::X": 2, "P::Y": 2}  # X's cards count against P
    with Session(service.engine) as session:
        limits = presets.deck_limits(service.ctx, session=session, since=service.day_bounds()[0])
    assert limits.left["P"].new == 2 and limits.left["P::X"].new == 17 and limits.available("P::X").new == 2
    assert len(study_new(service, "P::Y")) == 2  # studying a child alone: capped by its parent
    assert service.next_card("P") is None and service.next_card() is None
    service.create_preset("Child", new_per_day=1)
    service.assign_preset(["P::X"], "Child")
    service.clock.advance(days=1)
    assert counts(service) == {"P": 5, "P::X": 1, "P::Y": 5}  # P: X gives 1, Y gives 4 within P's 5
    studied = study_new(service, "P")
    assert len(studied) == 5 and sum(card.startswith("p:X") for card in studied) == 1


def test_review_limits_are_per_deck_too(two_decks, clock):
    for deck in ("A", "B"):
        study_new(two_decks, deck, limit=3)  # Easy: review cards
    clock.advance(days=60)
    two_decks.create_preset("Few reviews", reviews_per_day=1)
    two_decks.assign_preset(["A"], "Few reviews")
    due = {c.name: c.due for c in two_decks.deck_counts()}
    assert due == {"A": 1, "B": 3}
    card = two_decks.next_card("A")
    assert card.state == MemoryState.REVIEW
    two_decks.answer(card.id, Rating.GOOD)
    assert {c.name: c.due for c in two_decks.deck_counts()} == {"A": 0, "B": 3}
    assert two_decks.next_card("A").state == MemoryState.NEW  # no review left in A today, new cards still


def test_the_card_is_scheduled_with_its_decks_preset(two_decks, clock):
    two_decks.create_preset("Slow", learning_steps="5m 1h", desired_retention="0.8")
    two_decks.assign_preset(["B"], "Slow")
    two_decks.answer("a:top-0", Rating.AGAIN)
    two_decks.answer("b:top-0", Rating.AGAIN)
    assert two_decks.memory("a:top-0").due == clock.now + timedelta(minutes=1)  # Default: 1m 10m
    assert two_decks.memory("b:top-0").due == clock.now + timedelta(minutes=5)
    preview = two_decks.preview("b:top-1")
    assert preview[Rating.GOOD].interval == timedelta(hours=1)  # the preset's second step
    # Desired retention: a lower one gives longer intervals for the same memory.
    for card in ("a:top-2", "b:top-2"):
        two_decks.answer(card, Rating.EASY)
    assert two_decks.memory("b:top-2").interval_days > two_decks.memory("a:top-2").interval_days


def test_an_imported_history_is_replayed_with_the_decks_preset(two_decks, clock, tmp_path):
    """An imported review (Again, a minute ago) leaves the card at its
    preset's first learning step."""
    two_decks.create_preset("Slow", learning_steps="30m 2h")
    two_decks.assign_preset(["B"], "Slow")
    parsed = deck_file(tmp_path, "b", "B", {"": 8})
    at = clock.now - timedelta(minutes=1)
    parsed = replace(
        parsed, reviews=[ParsedReview(card_id="b:top-3", reviewed_at=at, rating=1, kind=ReviewKind.LEARNING)]
    )
    two_decks.sync_deck(parsed)
    assert two_decks.memory("b:top-3").due == at + timedelta(minutes=30)


def test_deleting_a_preset_sends_its_decks_back_to_default(two_decks, engine):
    two_decks.create_preset("Light", new_per_day=3)
    two_decks.assign_preset(["A"], "Light")
    assert two_decks.delete_preset("Light") == ["A"]
    assert rows(engine, DeckPreset) == [] and [p.name for p in rows(engine, Preset)] == ["Default"]
    assert two_decks.deck_preset("A").name == "Default" and counts(two_decks)["A"] == 20
    with pytest.raises(SettingsError, match="can't be deleted"):
        two_decks.delete_preset("Default")


def test_assigning_default_removes_the_assignment(two_decks, engine):
    two_decks.create_preset("Light", new_per_day=3)
    two_decks.assign_preset(["A"], "Light")
    two_decks.assign_preset(["A"], "Default")
    assert rows(engine, DeckPreset) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.create_preset("Default"), "a preset named 'Default' already exists"),
        (lambda s: s.create_preset("  "), "preset name: empty"),
        (lambda s: s.create_preset("x\x1b[31m"), "control characters"),
        (lambda s: s.create_preset("Fast", new_per_day="lots"), "new per day: 'lots' is not a whole number"),
        (lambda s: s.update_preset("Default", learning_steps="10m 1m"), "shorter than the step before"),
        (lambda s: s.update_preset("Default", rename="Other"), "keeps its name"),
        (lambda s: s.update_preset("Default", day_start_hour=5), "day start hour is not a preset setting"),
        (lambda s: s.update_preset("Nope", new_per_day=5), "no preset named 'Nope'"),
        (lambda s: s.assign_preset(["A", "Nope"], "Default"), "no deck named 'Nope'"),
        (lambda s: s.assign_preset(["A"], "Nope"), "no preset named 'Nope'"),
        (lambda s: s.update_settings("Nope", new_per_day=5, day_start_hour=6), "no preset named 'Nope'"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(two_decks, engine, call, message):
    def snapshot():
        return [(p.name, p.new_per_day, p.learning_steps) for p in rows(engine, Preset)], rows(engine, DeckPreset)

    before = snapshot()
    with pytest.raises(SettingsError, match=message):
        call(two_decks)
    assert snapshot() == before
    assert two_decks.study_settings().day_start_hour == 4


def test_rename_and_update_settings_of_a_named_preset(two_decks):
    two_decks.create_preset("Light")
    two_decks.assign_preset(["B"], "Light")
    renamed = two_decks.update_preset("Light", rename="Gentle", new_per_day="4")
    assert (renamed.name, renamed.new_per_day, renamed.decks) == ("Gentle", 4, ("B",))
    two_decks.update_settings("Gentle", new_per_day="6")
    assert two_decks.deck_preset("B").new_per_day == 6
    assert two_decks.study_settings().new_per_day == 20  # Default untouched


def test_presets_are_each_learners_own(two_decks, make_service):
    two_decks.create_preset("Light", new_per_day=3)
    two_decks.assign_preset(["A"], "Light")
    bea = make_service("bea")
    assert [p.name for p in bea.presets()] == ["Default"]
    assert bea.deck_preset("A").name == "Default"
    assert counts(bea)["A"] == 20 and counts(two_decks)["A"] == 3


def test_a_fixed_config_gives_every_deck_its_limits(make_service, tmp_path):
    service = make_service(config=SchedulingConfig(new_per_day=2))
    service.sync_deck(deck_file(tmp_path, "a", "A", {"": 5}))
    service.sync_deck(deck_file(tmp_path, "b", "B", {"": 5}))
    assert counts(service) == {"A": 2, "B": 2}
