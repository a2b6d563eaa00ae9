"""The review queue, today's counts and siblings, checked against the
database: counts never show more new cards than exist (empty, emptied and
parent decks, folder imports, moved cards), siblings of an answered card wait
until tomorrow (and undo brings them back), and the queue keeps Anki's order
and limits while another terminal answers too."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from quizapp.domain import MemoryState, Rating, note_key
from quizapp.due import due_counts
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.store.models import Card, CardState, ReviewLog

SIBLINGS_DECK = """\
format = 1
[deck]
id = "sib"
name = "Sib"

[[cards]]
id = "cloze"
type = "cloze"
text = "{{c1::a}} and {{c2::b}} and {{c3::c}}"

[[cards]]
id = "pair"
type = "reversed"
front = "front"
back = "back"

[[cards]]
id = "alone"
front = "alone?"
back = "yes"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def counts(service) -> dict[str, tuple[int, int, int, int]]:
    return {r.name: (r.new, r.learning, r.due, r.total) for r in service.deck_counts()}


def state(service, card_id: str) -> CardState | None:
    with Session(service.engine) as session:
        return session.get(CardState, (service.user_id, card_id))


def review_all(service, deck: str | None = None, rating: Rating = Rating.EASY, limit: int = 200) -> list[str]:
    seen = []
    for _ in range(limit):
        card = service.next_card(deck)
        if card is None:
            return seen
        seen.append(card.id)
        service.answer(card.id, rating)
    raise AssertionError("the queue never ended")


def assert_new_within_total(service) -> None:
    for name, (new, _, _, total) in counts(service).items():
        assert new <= total, name
    for row in service.deck_counts():
        assert row.to_json()["new"] <= row.to_json()["total"]


# -- counts ---------------------------------------------------------------------------------


@pytest.fixture
def vault(tmp_path) -> Path:
    """A folder of notes whose top folder holds no note: only subfolders do."""
    root = tmp_path / "vault"
    for i in range(6):
        write(root / "part one" / f"n{i}.md", f"Q{i}::A{i}\n")
    for i in range(6, 10):
        write(root / "part two" / f"n{i}.md", f"Q{i}::A{i}\n")
    return root


def test_a_folder_import_counts_each_card_once(make_service, vault, db_url):
    service = make_service()
    service.update_settings(new_per_day=500)
    report = service.import_paths([vault])
    assert report.ok and report.added == 10
    rows = counts(service)
    top = [name for name in rows if "::" not in name]
    assert top == ["vault"]
    assert rows["vault"] == (10, 0, 0, 10)  # was (11, 0, 0, 10): the empty top deck counted a new card
    assert sum(rows[name][3] for name in rows if name.startswith("vault::")) == 10
    assert sum(rows[name][0] for name in rows if name.startswith("vault::")) == 10
    assert service.today_counts("vault").new == service.today_counts("vault").total == 10
    fast = due_counts(db_url, "tester", now=service.clock(), tz=ZoneInfo("UTC"))
    assert fast is not None and [(c.deck, c.new) for c in fast] == [("vault", 10)]
    assert_new_within_total(service)


def test_the_commands_agree_after_a_folder_import(vault, tmp_path, capsys, monkeypatch):
    from quizapp.cli import main

    monkeypatch.setenv("QUIZAPP_DB", str(tmp_path / "cli.sqlite3"))
    assert main(["import", str(vault)]) == 0
    assert main(["settings", "--new-per-day", "500"]) == 0
    capsys.readouterr()
    assert main(["decks", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["vault"]["new"], rows["vault"]["total"]) == (10, 10)
    assert all(r["new"] <= r["total"] for r in rows.values())
    assert main(["decks"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("vault"))
    assert line.split()[1:] == ["10", "0", "0", "10"]
    assert main(["due"]) == 0
    assert "vault 0 due, 10 new" in capsys.readouterr().out


def test_an_empty_deck_and_an_emptied_deck_count_nothing(make_service, tmp_path):
    service = make_service()
    service.update_settings(new_per_day=500)
    deck = write(tmp_path / "d.toml", SIBLINGS_DECK)
    service.sync_deck(read_toml_deck(deck))
    service.move_card("sib:alone", "Empty parent::Child")
    rows = counts(service)
    assert rows["Empty parent"] == (1, 0, 0, 1)  # its child's card, once
    assert rows["Empty parent::Child"] == (1, 0, 0, 1)
    # Every card leaves its source: the deck stays, emptied.
    write(deck, SIBLINGS_DECK.split("[[cards]]")[0])
    service.sync_deck(read_toml_deck(deck))
    assert counts(service)["Sib"] == (0, 0, 0, 0)  # was (1, 0, 0, 0)
    assert service.today_counts("Sib").new == 0
    assert service.next_card("Sib") is None
    assert_new_within_total(service)


def test_moved_cards_are_counted_where_they_are(make_service, tmp_path):
    service = make_service()
    service.update_settings(new_per_day=500)
    service.sync_deck(read_toml_deck(write(tmp_path / "d.toml", SIBLINGS_DECK)))
    assert counts(service)["Sib"] == (6, 0, 0, 6)
    service.answer("sib:alone", Rating.GOOD)  # learning now
    service.move_card("sib:alone", "Other::Deep")
    service.move_card("sib:pair::rev", "Other")
    rows = counts(service)
    assert rows["Sib"][::3] == (4, 4) and rows["Sib"][1] == 0
    assert rows["Other::Deep"] == (0, 1, 0, 1)
    assert rows["Other"] == (1, 1, 0, 2)  # its own card and its child's, each once
    assert_new_within_total(service)


def test_the_review_header_reaches_zero_new(make_service, tmp_path):
    """Reviewing a parent deck whose own deck is empty: the header's New
    count follows the cards answered down to 0."""
    service = make_service()
    service.update_settings(bury_new_siblings=False)
    service.sync_deck(read_toml_deck(write(tmp_path / "d.toml", SIBLINGS_DECK)))
    service.move_card("sib:alone", "Top::Leaf")
    service.move_card("sib:pair", "Top::Leaf")
    assert service.today_counts("Top").new == 2
    seen = []
    while (card := service.next_card("Top")) is not None:
        seen.append(card.id)
        before = service.today_counts("Top").new
        service.answer(card.id, Rating.EASY)
        assert service.today_counts("Top").new == before - 1
    assert sorted(seen) == ["sib:alone", "sib:pair"]
    assert service.today_counts("Top").new == 0 == counts(service)["Top"][0]


def test_queue_counts_match_the_deck_list(make_service, small_deck, clock):
    service = make_service()
    service.update_settings(new_per_day=3)
    service.sync_deck(read_toml_deck(small_deck))
    for _ in range(3):
        card = service.next_card("Small")
        assert card is not None
        service.answer(card.id, Rating.AGAIN)
        deck_row = next(r for r in service.deck_counts() if r.name == "Small")
        assert service.today_counts("Small") == deck_row
    clock.advance(minutes=30)
    deck_row = next(r for r in service.deck_counts() if r.name == "Small")
    assert service.today_counts("Small") == deck_row
    assert deck_row.new == 0 and deck_row.learning == 3


# -- siblings -------------------------------------------------------------------------------


@pytest.fixture
def sib(make_service, tmp_path):
    service = make_service()
    service.sync_deck(read_toml_deck(write(tmp_path / "d.toml", SIBLINGS_DECK)))
    return service


def test_cards_record_their_note(sib):
    with Session(sib.engine) as session:
        notes = {c.id: c.note_id for c in session.exec(select(Card))}
    assert notes == {
        "sib:cloze::c1": "sib:cloze",
        "sib:cloze::c2": "sib:cloze",
        "sib:cloze::c3": "sib:cloze",
        "sib:pair": "sib:pair",
        "sib:pair::rev": "sib:pair",
        "sib:alone": "sib:alone",
    }
    assert note_key("apkg:abc::3") == "apkg:abc" and note_key("a:b") == "a:b"


def test_no_sibling_follows_another_on_the_same_day(sib, clock):
    seen: list[str] = []
    while (card := sib.next_card("Sib")) is not None and card.id not in seen:
        seen.append(card.id)
        sib.answer(card.id, Rating.AGAIN)  # Again: each comes back in learning today
    assert sorted(note_key(card_id) for card_id in seen) == ["sib:alone", "sib:cloze", "sib:pair"]
    for _ in range(3):
        clock.advance(minutes=15)
        seen += review_all(sib, "Sib", Rating.GOOD)
    # Today: one card of each note, however often it came back.
    assert {note_key(c) for c in seen} == {"sib:alone", "sib:cloze", "sib:pair"}
    assert len({c for c in seen}) == 3
    first_cloze = next(c for c in seen if c.startswith("sib:cloze"))
    end = sib.day_bounds()[1]
    for card_id in ("sib:cloze::c1", "sib:cloze::c2", "sib:cloze::c3"):
        if card_id != first_cloze:
            st = state(sib, card_id)
            assert st is not None and st.buried_until == end and st.state == MemoryState.NEW
    # Tomorrow the buried siblings come, each on its own day again.
    clock.advance(days=1)
    tomorrow = review_all(sib, "Sib", Rating.GOOD)
    assert len(tomorrow) == len({note_key(c) for c in tomorrow})


def test_review_siblings_are_buried_and_the_settings_turn_it_off(sib, clock):
    sib.update_settings(bury_new_siblings=False)
    for card_id in ("sib:pair", "sib:pair::rev"):
        sib.answer(card_id, Rating.EASY)  # both reviews now, due in some days
    with Session(sib.engine) as session:
        for card_id in ("sib:pair", "sib:pair::rev"):
            row = session.get(CardState, (sib.user_id, card_id))
            row.due = clock.now
            session.add(row)
        session.commit()
    clock.advance(hours=1)
    assert sib.today_counts("Sib").due == 2
    result = sib.answer("sib:pair", Rating.GOOD)
    assert state(sib, "sib:pair::rev").buried_until == sib.day_bounds()[1]
    assert sib.today_counts("Sib").due == 0
    with Session(sib.engine) as session:
        assert set(json.loads(session.get(ReviewLog, result.log_id).buried)) == {"sib:pair::rev"}
    sib.undo(result.log_id)
    assert state(sib, "sib:pair::rev").buried_until is None
    sib.update_settings(bury_review_siblings="off")
    sib.answer("sib:pair", Rating.GOOD)
    assert state(sib, "sib:pair::rev").buried_until is None
    assert sib.today_counts("Sib").due == 1
    # New siblings are not buried either, now.
    sib.answer("sib:cloze::c1", Rating.GOOD)
    assert state(sib, "sib:cloze::c2") is None


def test_siblings_buried_out_of_a_cut_new_list_leave_room_for_others(sib):
    sib.update_settings(new_per_day=3)
    first = sib.next_card("Sib")
    assert first.id == "sib:cloze::c1"  # the queue holds c1, c2, c3: the limit cut it there
    sib.answer(first.id, Rating.GOOD)  # buries c2 and c3
    assert sib.next_card("Sib").id == "sib:pair"
    deck_row = next(r for r in sib.deck_counts() if r.name == "Sib")
    assert sib.today_counts("Sib") == deck_row
    assert deck_row.new == 2


def test_undo_unburies_the_siblings_it_buried(sib):
    result = sib.answer("sib:cloze::c2", Rating.GOOD)
    with Session(sib.engine) as session:
        buried = json.loads(session.get(ReviewLog, result.log_id).buried)
    assert set(buried) == {"sib:cloze::c1", "sib:cloze::c3"}
    assert all(json.loads(snapshot) is None for snapshot in buried.values())  # both were new: no row
    assert state(sib, "sib:cloze::c1").buried_until is not None
    assert sib.undo() == "sib:cloze::c2"
    for card_id in ("sib:cloze::c1", "sib:cloze::c2", "sib:cloze::c3"):
        assert state(sib, card_id) is None  # new again, as before the answer
    assert sib.today_counts("Sib").new == 6


def test_undo_keeps_a_siblings_later_change(sib):
    result = sib.answer("sib:pair", Rating.GOOD)
    sib.suspend("sib:pair::rev")  # the learner suspends the buried sibling afterwards
    sib.undo(result.log_id)
    st = state(sib, "sib:pair::rev")
    assert st is not None and st.suspended and st.buried_until is None


def test_interday_learning_siblings_follow_their_setting(sib, clock):
    sib.update_settings(learning_steps="1d", bury_interday_learning_siblings="on")
    sib.answer("sib:pair", Rating.AGAIN)
    sib.answer("sib:pair::rev", Rating.AGAIN)  # both in a one-day step (pair::rev was buried: answered anyway)
    clock.advance(days=1, hours=1)
    assert {c for c in (sib.next_card("Sib").id,)} <= {"sib:pair", "sib:pair::rev", "sib:cloze::c1", "sib:alone"}
    sib.answer("sib:pair", Rating.AGAIN)
    assert state(sib, "sib:pair::rev").buried_until == sib.day_bounds()[1]


def test_settings_cli_sets_the_sibling_switches(tmp_path, capsys, monkeypatch):
    from quizapp.cli import main

    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("QUIZAPP_DB", str(db))
    assert main(["settings", "--bury-new-siblings", "off", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["bury_new_siblings"] is False and shown["bury_review_siblings"] is True
    assert shown["bury_interday_learning_siblings"] is False
    assert main(["settings", "--bury-review-siblings", "maybe"]) != 0
    assert "bury review siblings: 'maybe' is not on or off" in capsys.readouterr().err
    assert main(["settings"]) == 0
    assert "Bury new siblings: off" in capsys.readouterr().out


# -- the queue ------------------------------------------------------------------------------


def test_another_terminal_answering_the_head_card_is_not_reviewed_twice(make_service, small_deck):
    first = make_service()
    first.sync_deck(read_toml_deck(small_deck))
    second = make_service()
    shown = first.next_card("Small")
    assert second.next_card("Small").id == shown.id
    second.answer(shown.id, Rating.EASY)  # the other terminal answers it first
    again = first.next_card("Small")
    assert again is not None and again.id != shown.id
    with Session(first.engine) as session:
        logs = session.exec(select(ReviewLog.card_id)).all()
    assert logs == [shown.id]


def test_the_queue_sees_an_import_and_a_suspension_made_elsewhere(make_service, small_deck, tmp_path):
    service = make_service()
    service.sync_deck(read_toml_deck(small_deck))
    head = service.next_card("Small")
    other = make_service()
    other.suspend(head.id)  # another terminal suspends the card on screen
    assert service.next_card("Small").id != head.id
    service.sync_deck(read_toml_deck(write(tmp_path / "d.toml", SIBLINGS_DECK)))
    assert service.next_card("Sib") is not None  # a write through this service: rebuilt


def test_limits_learn_ahead_bury_suspend_and_undo_keep_their_behaviour(make_service, small_deck, clock):
    service = make_service()
    service.update_settings(new_per_day=2, bury_new_siblings=False)
    service.sync_deck(read_toml_deck(small_deck))
    a = service.next_card("Small")
    service.bury(a.id)
    b = service.next_card("Small")
    assert b.id != a.id
    service.suspend(b.id)
    c = service.next_card("Small")
    assert c.id not in (a.id, b.id)
    service.answer(c.id, Rating.GOOD)  # learning, due in 10 minutes
    clock.advance(seconds=30)
    d = service.next_card("Small")
    assert d.id not in (a.id, b.id, c.id) and d.state is MemoryState.NEW  # new cards before learning ahead
    log = service.answer(d.id, Rating.GOOD)
    # Two new cards a day: what is left is learning ahead (due within 20 minutes), soonest first.
    assert service.today_counts("Small").new == 0
    assert service.next_card("Small").id == c.id
    assert service.undo(log.log_id) == d.id
    assert service.next_card("Small").id == d.id  # undone: new again, within the limit
    service.answer(d.id, Rating.AGAIN)  # due in a minute, before c
    clock.advance(minutes=2)
    assert service.next_card("Small").id == d.id
    service.answer(d.id, Rating.EASY)
    assert service.next_card("Small").id == c.id
    clock.advance(days=1)  # a new day: the buried card is back
    assert a.id in review_all(service, "Small")


def test_live_cards_wait_while_torch_loads(make_service, tmp_path):
    deck = write(
        tmp_path / "live.toml",
        'format = 1\n[deck]\nid = "live"\nname = "Live"\n\n[[cards]]\nid = "gen"\ntype = "generated"\n'
        'family = "broadcasting"\nfront = "shape?"\n\n[[cards]]\nid = "plain"\nfront = "q"\nback = "a"\n',
    )
    service = make_service()
    service.sync_deck(read_toml_deck(deck))
    assert service.next_card("Live").id == "live:gen"
    assert service.next_card("Live", generated=False).id == "live:plain"
    service.answer("live:plain", Rating.EASY)
    assert service.next_card("Live", generated=False) is None
    assert service.next_card("Live").id == "live:gen"


def test_the_day_start_is_the_queues_day(make_service, small_deck, clock):
    service = make_service()
    service.sync_deck(read_toml_deck(small_deck))
    service.update_settings(new_per_day=1)
    card = service.next_card("Small")
    service.answer(card.id, Rating.EASY)
    assert service.next_card("Small") is None
    clock.now = datetime(2026, 3, 3, 4, 30, tzinfo=ZoneInfo("UTC"))  # after 04:00: a new study day
    assert service.next_card("Small") is not None
