"""A card that lapses 8 times is tagged leech and suspended (as Anki)."""

from quizapp.domain import MemoryState, Rating
from quizapp.importers.toml_deck import read_toml_deck


def _to_review(service, clock, card_id):
    service.answer(card_id, Rating.GOOD)
    while service.memory(card_id).state != MemoryState.REVIEW:
        clock.now = service.memory(card_id).due
        service.answer(card_id, Rating.GOOD)


def test_eight_lapses_make_a_leech_that_is_suspended(make_service, small_deck, clock):
    service = make_service()
    service.sync_deck(read_toml_deck(small_deck))
    card = "small:one"
    _to_review(service, clock, card)
    results = []
    for lapse in range(1, 9):
        clock.now = service.memory(card).due
        results.append(service.answer(card, Rating.AGAIN))
        assert service.memory(card).lapses == lapse
        if lapse < 8:
            assert not results[-1].leech
            _to_review_after_lapse(service, clock, card)
    assert results[-1].leech and results[-1].outcome.becomes_leech
    assert "leech" in service.card(card).tags
    # Suspended: never offered again, however long we wait.
    clock.advance(days=400)
    seen = set()
    while (next_card := service.next_card()) is not None and next_card.id not in seen:
        seen.add(next_card.id)
        service.answer(next_card.id, Rating.EASY)
    assert card not in seen
    assert "leech" not in service.card("small:four").tags


def _to_review_after_lapse(service, clock, card_id):
    while service.memory(card_id).state != MemoryState.REVIEW:
        clock.now = service.memory(card_id).due
        service.answer(card_id, Rating.GOOD)
