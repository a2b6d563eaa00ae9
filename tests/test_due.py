"""`quizapp due`: one line, the deck list's counts, without heavy imports."""

import json
import subprocess
import sys
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from quizapp.domain import Rating
from quizapp.due import due_counts, due_line
from quizapp.importers.toml_deck import read_toml_deck
from tests.conftest import SMALL_DECK


@pytest.fixture
def studied(make_service, small_deck, clock, tmp_path):
    """Two decks; some cards answered, one suspended, one buried."""
    service = make_service()
    service.sync_deck(read_toml_deck(small_deck))
    other = tmp_path / "other.toml"
    other.write_text(
        SMALL_DECK.replace('id = "small"', 'id = "other"').replace('name = "Small"', 'name = "Other"'), encoding="utf-8"
    )
    service.sync_deck(read_toml_deck(other))
    service.answer("small:one", Rating.GOOD)
    service.answer("small:two", Rating.EASY)
    service.answer("other:one", Rating.AGAIN)
    service.suspend("other:two")
    service.bury("other:four")
    return service


def _service_view(service):
    return [(r.name, r.learning + r.due, r.new) for r in service.deck_counts() if r.depth == 0]


def test_counts_match_the_deck_list(studied, db_url, clock):
    utc = ZoneInfo("UTC")
    for hours in (0, 1, 30, 24 * 5):
        now = clock.now + timedelta(hours=hours)
        clock.now = now
        fast = [(c.deck, c.due, c.new) for c in due_counts(db_url, "tester", now=now, tz=utc)]
        assert fast == _service_view(studied)


def test_daily_limits_from_settings(studied, db_url, clock):
    studied.update_settings(new_per_day=2)
    fast = due_counts(db_url, "tester", now=clock.now, tz=ZoneInfo("UTC"))
    assert [(c.deck, c.due, c.new) for c in fast] == _service_view(studied)
    # Each deck has its own limit (the Default preset's): Small saw two new cards today, Other one.
    assert {c.deck: c.new for c in fast} == {"Small": 0, "Other": 1}


def test_deck_presets_and_parent_limits_as_the_deck_list(studied, db_url, clock):
    """Per-deck presets: a subdeck's own limit, its parent's capping it,
    and a second top-level deck with its own; the same counts as the Service."""
    studied.create_preset("Parent", new_per_day=3, reviews_per_day=1)
    studied.create_preset("Child", new_per_day=1)
    studied.assign_preset(["Small"], "Parent")
    studied.assign_preset(["Small::Sub"], "Child")
    for hours in (0, 30):
        clock.now += timedelta(hours=hours)
        fast = due_counts(db_url, "tester", now=clock.now, tz=ZoneInfo("UTC"))
        assert [(c.deck, c.due, c.new) for c in fast] == _service_view(studied)
    # The next day: Small has 1 new card of its own and Sub 3, capped at Sub's 1: 2 (Parent's 3 not reached).
    assert {c.deck: c.new for c in fast} == {"Other": 4, "Small": 2}


def test_unknown_user_sees_everything_new(studied, db_url, clock):
    line = due_line(db_url, "nobody", now=clock.now, tz=ZoneInfo("UTC"))
    assert line == "quizapp: Other 0 due, 6 new; Small 0 due, 6 new"


def test_no_database_is_not_created(tmp_path):
    path = tmp_path / "none.sqlite3"
    assert due_line(f"sqlite:///{path}", "ana") == "quizapp: no database yet (run quizapp)"
    assert not path.exists()


def test_command_prints_one_line_without_textual_torch_or_sqlalchemy(studied, db_url, tmp_path):
    code = (
        "import json, sys; from quizapp.cli import main; "
        f"rc = main(['--db', {db_url!r}, '--user', 'tester', 'due']); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    line, modules = out.rstrip("\n").split("\n")
    assert line.startswith("quizapp: ") and "Small" in line
    loaded = set(json.loads(modules))
    assert not loaded & {"textual", "torch", "sqlalchemy", "sqlmodel", "fsrs", "pydantic"}
