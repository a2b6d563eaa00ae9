"""Opening a database syncs the built-in decks only when their files (or
the code that reads them) changed since the last sync, or when the built-in
cards in the database are not the ones that sync left: a start that finds
nothing changed reads no deck file."""

from __future__ import annotations

import shutil

import pytest
from sqlmodel import select

from quizapp.locations import builtin_decks_dir
from quizapp.service import open_service
from quizapp.settings import Settings
from quizapp.store.models import Card


@pytest.fixture
def decks_dir(tmp_path):
    target = tmp_path / "decks"
    shutil.copytree(builtin_decks_dir(), target)
    return target


def front_of(service, card_id: str) -> str:
    with service.ctx.read() as session:
        return session.exec(select(Card.front).where(Card.id == card_id)).one()


def first_card(decks_dir) -> tuple[str, str]:
    """(quizapp card id, front) of the English deck's first basic card."""
    import tomllib

    doc = tomllib.loads((decks_dir / "pytorch.en.toml").read_text())
    card = next(c for c in doc["cards"] if c.get("type", "basic") == "basic")
    return f"{doc['deck']['id']}:{card['id']}", card["front"]


def test_a_second_sync_reads_nothing_when_nothing_changed(make_service, decks_dir, monkeypatch):
    service = make_service()
    assert service.sync_builtin_decks(decks_dir, if_changed=True)
    import quizapp.importers.toml_deck as toml_deck

    def refuse(*args, **kwargs):
        raise AssertionError("a deck file was read")

    monkeypatch.setattr(toml_deck, "read_toml_deck", refuse)
    assert service.sync_builtin_decks(decks_dir, if_changed=True) == []
    with pytest.raises(AssertionError, match="a deck file was read"):
        service.sync_builtin_decks(decks_dir)  # asked for: always synced


def test_a_changed_deck_file_is_synced_at_the_next_start(make_service, decks_dir):
    service = make_service()
    service.sync_builtin_decks(decks_dir, if_changed=True)
    card_id, front = first_card(decks_dir)
    assert front_of(service, card_id) == front
    path = decks_dir / "pytorch.en.toml"
    path.write_text(path.read_text().replace(f'front = "{front}"', 'front = "Edited front"', 1))
    assert first_card(decks_dir)[1] == "Edited front"
    reports = service.sync_builtin_decks(decks_dir, if_changed=True)
    assert sum(r.updated for r in reports) == 1
    assert front_of(service, card_id) == "Edited front"


def test_built_in_cards_changed_in_the_database_are_synced_again(make_service, decks_dir):
    service = make_service()
    service.sync_builtin_decks(decks_dir, if_changed=True)
    card_id, _ = first_card(decks_dir)
    with service.ctx.write() as session:
        session.get(Card, card_id).active = False
    reports = service.sync_builtin_decks(decks_dir, if_changed=True)
    assert reports and sum(r.updated for r in reports) == 1
    with service.ctx.read() as session:
        assert session.get(Card, card_id).active


def test_open_service_syncs_once(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    settings = Settings(database_url=url, user="ana", start_kernel=False)
    first = open_service(settings)
    assert first.deck_counts()
    import quizapp.importers.toml_deck as toml_deck

    monkeypatch.setattr(toml_deck, "read_toml_deck", lambda *a, **k: pytest.fail("synced again"))
    again = open_service(settings)
    assert [d.name for d in again.deck_counts()] == [d.name for d in first.deck_counts()]
