"""The card browser's actions (quizapp.service.browse), checked against the database
and against what Service.next_card serves afterwards. The search language is
tested in tests/test_search.py and tests/store/test_search.py."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from quizapp.domain import MemoryState, Rating
from quizapp.service import CardLocked
from quizapp.store.models import Card, CardState, Deck, ReviewLog
from tests.store.search_deck import load_decks, review_gen_twice


@pytest.fixture
def service(make_service, tmp_path):
    return load_decks(make_service(), tmp_path)


def ids(service, query: str) -> list[str]:
    """The ids the browser finds for ``query``, in order."""
    return [row.id for row in service.search_cards(query)]


def state_row(service, card_id: str) -> CardState | None:
    with Session(service.engine) as session:
        return session.get(CardState, (service.user_id, card_id))


# -- details -----------------------------------------------------------------------------


def test_info_holds_the_card_its_row_and_history(service, clock):
    review_gen_twice(service, clock)
    info = service.card_info("mine:gen")
    assert info.card.front == "Broadcasting: result shape" and info.row.reps == 2 and len(info.history) == 2


# -- actions -----------------------------------------------------------------------------


def test_reset_makes_the_card_new_and_keeps_history(service, clock):
    deck = "Mis cosas::Tensores"  # holds one card
    service.answer("mine:numeros", Rating.EASY)
    assert service.next_card(deck) is None  # in review, days away
    service.reset_card("mine:numeros")
    assert state_row(service, "mine:numeros") is None
    (row,) = service.search_cards("id:mine:numeros")
    assert (row.state, row.reps, row.due) == (MemoryState.NEW, 0, None)
    card = service.next_card(deck)
    assert card is not None and card.id == "mine:numeros" and card.state is MemoryState.NEW
    assert len(service.card_history("mine:numeros")) == 1
    with pytest.raises(KeyError):
        service.reset_card("mine:nope")


def test_suspend_and_bury_toggle_and_the_schedule_follows(service, clock):
    deck = "Mis cosas::Tensores"
    assert service.next_card(deck).id == "mine:numeros"
    assert service.toggle_suspend("mine:numeros") is True
    assert state_row(service, "mine:numeros").suspended
    assert service.next_card(deck) is None
    assert service.toggle_suspend("mine:numeros") is False
    assert service.next_card(deck).id == "mine:numeros"
    assert service.toggle_bury("mine:numeros") is True
    assert service.next_card(deck) is None and ids(service, "is:buried") == ["mine:numeros"]
    assert service.toggle_bury("mine:numeros") is False
    assert service.next_card(deck).id == "mine:numeros"


def test_edit_own_card_keeps_its_schedule(service, clock):
    service.answer("mine:view", Rating.GOOD)
    before = state_row(service, "mine:view").model_dump()
    clock.advance(minutes=1)
    service.edit_card("mine:view", "  New front  ", "New back\n")
    view = service.card("mine:view")
    assert (view.front, view.back) == ("New front", "New back")
    assert state_row(service, "mine:view").model_dump() == before
    with Session(service.engine) as session:
        assert session.get(Card, "mine:view").updated_at == clock.now
    assert ids(service, "front:new") == ["mine:view"]
    with pytest.raises(ValueError, match="front can't be empty"):
        service.edit_card("mine:view", "  ", "x")


def test_builtin_cards_refuse_edit_and_move(service):
    with pytest.raises(CardLocked, match=r"Built-in cards can.t be edited.*re-synced from decks/"):
        service.edit_card("core:b1", "x", "y")
    with pytest.raises(CardLocked, match="Built-in cards can't be moved"):
        service.move_card("core:b1", "Elsewhere")
    assert service.card("core:b1").front == "Built-in question"
    assert service.card("core:b1").deck == "Core deck"


def test_move_creates_the_deck_and_counts_follow(service):
    service.answer("mine:view", Rating.GOOD)
    before = state_row(service, "mine:view").model_dump()
    counts = {c.name: c for c in service.deck_counts()}
    assert (counts["Mis cosas"].total, counts["Mis cosas"].learning) == (6, 1)
    assert service.move_card("mine:view", " Nuevo :: Sub ") == "Nuevo::Sub"
    counts = {c.name: c for c in service.deck_counts()}
    assert (counts["Mis cosas"].total, counts["Mis cosas"].learning) == (5, 0)
    assert (counts["Nuevo"].total, counts["Nuevo::Sub"].total, counts["Nuevo::Sub"].learning) == (1, 1, 1)
    assert service.card("mine:view").deck == "Nuevo::Sub"
    assert state_row(service, "mine:view").model_dump() == before
    assert ids(service, "deck:nuevo") == ["mine:view"]
    with Session(service.engine) as session:
        assert session.exec(select(Deck).where(Deck.name == "Nuevo")).first() is not None
    for bad in ("", "  ", "A::", "::B"):
        with pytest.raises(ValueError, match="Not a deck name"):
            service.move_card("mine:view", bad)


def test_history_survives_reset_and_edit(service, engine):
    service.answer("mine:view", Rating.GOOD)
    service.edit_card("mine:view", "Other", "Text")
    service.reset_card("mine:view")
    with Session(engine) as session:
        assert [log.card_id for log in session.exec(select(ReviewLog))] == ["mine:view"]
