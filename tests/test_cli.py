"""The command-line contract (DESIGN.md): names, JSON shapes, errors."""

import json
import subprocess
import sys

import pytest

from quizapp.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "q.sqlite3")


def test_decks_json_contract(capsys, db):
    code, out, _ = run(capsys, "--db", db, "decks", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(set(r) == {"name", "new", "learning", "due", "total"} for r in rows)
    names = [r["name"] for r in rows]
    assert "PyTorch (EN)" in names  # the interface is in English (tests/conftest.py)
    en = next(r for r in rows if r["name"] == "PyTorch (EN)")
    assert en["total"] >= 60 and en["new"] == 20 and en["due"] == 0


def test_the_built_in_deck_shown_is_the_one_in_the_interface_language(capsys, db):
    """The deck list, `due` and the review queue show the built-in deck of the
    interface language; the other one can be turned on."""
    from quizapp.service import open_service
    from quizapp.settings import Settings

    def top_decks() -> list[str]:
        code, out, _ = run(capsys, "--db", db, "decks", "--json")
        assert code == 0
        return [r["name"] for r in json.loads(out) if "::" not in r["name"]]

    assert top_decks() == ["PyTorch (EN)"]
    assert "PyTorch (ES)" not in run(capsys, "--db", db, "due")[1]
    service = open_service(Settings(database_url=f"sqlite:///{db}", user="tester"))
    assert service.next_card().id.startswith("pytorch-en:")

    assert run(capsys, "--db", db, "settings", "--language", "es")[0] == 0
    assert top_decks() == ["PyTorch (ES)"]
    due = run(capsys, "--db", db, "due")[1]
    assert "PyTorch (ES)" in due and "PyTorch (EN)" not in due
    assert service.next_card().id.startswith("pytorch-es:")

    code, out, _ = run(capsys, "--db", db, "settings", "--other-language-deck", "on", "--json")
    assert code == 0 and json.loads(out)["other_language_deck"] is True
    assert top_decks() == ["PyTorch (EN)", "PyTorch (ES)"]
    assert "PyTorch (EN)" in run(capsys, "--db", db, "due")[1]
    # A deck named on purpose is studied even when hidden.
    assert run(capsys, "--db", db, "settings", "--other-language-deck", "off")[0] == 0
    assert service.next_card("PyTorch (EN)").id.startswith("pytorch-en:")


def test_cards_json_contract_and_deck_filter(capsys, db):
    code, out, _ = run(capsys, "decks", "--json", "--db", db)  # global options go anywhere
    code, out, _ = run(capsys, "--db", db, "cards", "--deck", "PyTorch (ES)::Broadcasting", "--json")
    assert code == 0
    cards = json.loads(out)
    assert cards and all(set(c) == {"id", "deck", "kind", "front", "back", "tags"} for c in cards)
    assert all(c["deck"] == "PyTorch (ES)::Broadcasting" for c in cards)
    assert len({c["id"] for c in cards}) == len(cards)


def test_stats_json_fields(capsys, db):
    code, out, _ = run(capsys, "--db", db, "--user", "ana", "stats", "--json")
    stats = json.loads(out)
    assert code == 0
    assert stats["user"] == "ana"
    for key in ("reviews_today", "new_today", "due_now", "due_tomorrow", "streak_days"):
        assert stats[key] == 0


def test_env_variables_select_database_and_user(capsys, db, monkeypatch):
    monkeypatch.setenv("QUIZAPP_DB", db)
    monkeypatch.setenv("QUIZAPP_USER", "env-user")
    code, out, _ = run(capsys, "stats", "--json")
    assert json.loads(out)["user"] == "env-user"
    from pathlib import Path

    assert Path(db).exists()


def test_default_database_lives_in_the_data_dir(capsys, isolated_environment):
    code, _, _ = run(capsys, "decks", "--json")
    assert code == 0
    assert (isolated_environment / "quizapp.sqlite3").exists()


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["cards", "--deck", "No such deck"], "no deck named 'No such deck'"),
        (["review", "--deck", "No such deck"], "no deck named 'No such deck'"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(capsys, db, argv, fragment):
    run(capsys, "--db", db, "decks")  # the database exists (a new one is announced in a line of its own)
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


def test_unopenable_database_is_one_line(capsys, tmp_path):
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("this is not a database\n" * 100)
    code, out, err = run(capsys, "--db", str(not_a_db), "decks")
    assert code == 2
    assert str(not_a_db) in err and len(err.strip().splitlines()) == 1
    assert not_a_db.read_text().startswith("this is not a database")  # untouched


@pytest.mark.slow  # other processes
def test_entry_point_runs_as_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "quizapp", "--db", str(tmp_path / "m.db"), "decks", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


HOSTILE = (
    "format = 1\n[deck]\nid = 'evil'\nname = \"Evil [/] \\u001b]2;TITLE\\u0007deck\"\n\n"
    "[[cards]]\nid = 'one'\nfront = \"blink\\u001b[5m clip\\u001b]52;c;aGk=\\u0007 del\\u007f csi\\u009b\"\n"
    "back = 'b'\n"
)


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]


def test_cards_and_decks_print_no_control_characters(capsys, db, tmp_path):
    path = tmp_path / "evil\x1b[5m.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 0 and not _raw_controls(out + err)
    # Stored before import cleaned text (an old database): the output cleans it again.
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("UPDATE card SET back = ? WHERE front LIKE 'blink%'", ("raw\x1b[31mred\x9b",))
    code, out, _ = run(capsys, "--db", db, "cards", "--deck", "Evil [/] ^[]2;TITLE^Gdeck")
    assert code == 0 and "blink^[[5m clip^[]52;c;aGk=^G del^? csiM-^[" in out and not _raw_controls(out)
    code, out, _ = run(capsys, "--db", db, "decks")
    assert code == 0 and "Evil [/] ^[]2;TITLE^Gdeck" in out and not _raw_controls(out)
    for command in ("cards", "decks"):
        code, out, _ = run(capsys, "--db", db, command, "--json")
        assert code == 0 and not _raw_controls(out)  # JSON escapes them: \u001b, \u009b
    cards = json.loads(run(capsys, "--db", db, "cards", "--json")[1])
    assert {"id": "evil:one", "back": "raw\x1b[31mred\x9b"}.items() <= next(
        c for c in cards if c["id"] == "evil:one"
    ).items()  # the data itself, intact once decoded


def test_import_problems_print_no_control_characters(capsys, db, tmp_path):
    path = tmp_path / "bad\x1b]2;x\x07.toml"
    path.write_text("format = 1\n[deck\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 1 and "bad^[]2;x^G.toml" in err and not _raw_controls(out + err)
