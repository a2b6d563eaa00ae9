"""Siblings in the review screen, driven as a learner would: a note with
three clozes and a reversed card, reviewed with Again and Good until nothing
is left today; no two cards of one note come on the same day, and the
database says why (the siblings are buried until tomorrow)."""

from __future__ import annotations

from sqlmodel import Session, select

from quizapp.domain import note_key
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import Service
from quizapp.settings import Settings
from quizapp.store.engine import make_engine
from quizapp.store.models import CardState, ReviewLog
from quizapp.tui.app import make_app
from tests.test_review_queue import SIBLINGS_DECK

SIZE = (100, 30)


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_no_sibling_follows_another_in_review(db_url, tmp_path):
    deck_file = tmp_path / "sib.toml"
    deck_file.write_text(SIBLINGS_DECK, encoding="utf-8")
    service = Service(make_engine(db_url), "tester")
    service.sync_deck(read_toml_deck(deck_file))
    settings = Settings(database_url=db_url, user="tester", start_kernel=False, start_in_review=True, review_deck="Sib")
    app = make_app(settings)
    shown: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(40):
            screen = app.screen
            if type(screen).__name__ != "ReviewScreen":
                break
            if not screen.revealed:
                shown.append(screen.card.id)
                await pilot.press("enter")
            else:
                # Again the first time a card shows, so it comes back in learning today.
                await pilot.press("1" if shown.count(shown[-1]) == 1 else "4")
            await settle(app, pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
    assert shown, "no card was shown"
    # One card of each note today, however often it came back (learning steps).
    first_of_note: dict[str, str] = {}
    for card_id in shown:
        assert first_of_note.setdefault(note_key(card_id), card_id) == card_id, shown
    assert set(first_of_note) == {"sib:cloze", "sib:pair", "sib:alone"}
    with Session(service.engine) as session:
        answered = {log.card_id for log in session.exec(select(ReviewLog))}
        assert answered == set(first_of_note.values())
        end = service.day_bounds()[1]
        for card_id in ("sib:cloze::c1", "sib:cloze::c2", "sib:cloze::c3", "sib:pair", "sib:pair::rev"):
            if card_id not in answered:
                state = session.get(CardState, (service.user_id, card_id))
                assert state is not None and state.buried_until == end and state.reps == 0, card_id
