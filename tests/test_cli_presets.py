"""`quizapp settings` with deck option presets: create, set, assign, list,
rename, delete; today's `--new-per-day` still sets the Default preset."""

import json

import pytest
from sqlmodel import Session, select

from quizapp.cli import main
from quizapp.store.engine import make_engine
from quizapp.store.models import Deck, DeckPreset, Preset

EN_BROADCASTING = "PyTorch (EN)::Broadcasting"
ES_BROADCASTING = "PyTorch (ES)::Broadcasting"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path, capsys):
    """A database where both built-in decks are shown (the tests use both)."""
    path = str(tmp_path / "q.sqlite3")
    assert main(["--db", path, "settings", "--other-language-deck", "on"]) == 0
    capsys.readouterr()
    return path


def stored(db):
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        presets = {p.name: (p.new_per_day, p.learning_steps) for p in session.exec(select(Preset))}
        assigned = sorted(
            (deck, preset)
            for deck, preset in session.exec(
                select(Deck.name, Preset.name)
                .join(DeckPreset, DeckPreset.deck_id == Deck.id)
                .join(Preset, Preset.id == DeckPreset.preset_id)
            )
        )
    engine.dispose()
    return presets, assigned


def decks(capsys, db):
    _, out, _ = run(capsys, "--db", db, "decks", "--json")
    return {row["name"]: row["new"] for row in json.loads(out)}


def test_new_per_day_still_sets_the_default_preset(capsys, db):
    code, out, _ = run(capsys, "--db", db, "settings", "--new-per-day", "7", "--json")
    data = json.loads(out)
    assert code == 0 and data["new_per_day"] == 7 and data["preset"] == "Default"
    assert {"desired_retention", "day_start_hour", "parameters", "preset_decks"} <= set(data)
    assert stored(db) == ({"Default": (7, "1m 10m")}, [])
    counts = decks(capsys, db)
    assert counts["PyTorch (ES)"] == counts[ES_BROADCASTING] == 7


def test_a_preset_made_assigned_and_listed(capsys, db):
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "settings",
        "--preset",
        "Light",
        "--new-per-day",
        "3",
        "--learning-steps",
        "5m",
        "--deck",
        EN_BROADCASTING,
        "--deck",
        ES_BROADCASTING,
    )
    assert code == 0
    assert "Preset: Light (created) (decks: PyTorch (EN)::Broadcasting, PyTorch (ES)::Broadcasting)" in out
    assert "New cards per day: 3" in out
    assert stored(db) == (
        {"Default": (20, "1m 10m"), "Light": (3, "5m")},
        [(EN_BROADCASTING, "Light"), (ES_BROADCASTING, "Light")],
    )
    counts = decks(capsys, db)
    assert counts[EN_BROADCASTING] == counts[ES_BROADCASTING] == 3 and counts["PyTorch (EN)"] == 20
    code, out, _ = run(capsys, "--db", db, "settings", "--presets", "--json")
    listed = json.loads(out)
    assert [p["name"] for p in listed] == ["Default", "Light"]
    assert listed[1]["decks"] == [EN_BROADCASTING, ES_BROADCASTING] and listed[1]["learning_steps"] == "5m"
    assert set(listed[0]) == {
        "name",
        "default",
        "desired_retention",
        "new_per_day",
        "reviews_per_day",
        "learning_steps",
        "relearning_steps",
        "decks",
    }
    # --deck alone shows and sets the deck's preset (here Light, shared by both decks).
    code, out, _ = run(capsys, "--db", db, "settings", "--deck", EN_BROADCASTING, "--new-per-day", "4", "--json")
    assert json.loads(out)["preset"] == "Light"
    assert decks(capsys, db)[ES_BROADCASTING] == 4


def test_rename_and_delete(capsys, db):
    run(capsys, "--db", db, "settings", "--preset", "Light", "--deck", EN_BROADCASTING)
    code, out, _ = run(capsys, "--db", db, "settings", "--preset", "Light", "--rename", "Gentle")
    assert code == 0 and "\nPreset: Gentle (decks: PyTorch (EN)::Broadcasting)\n" in out
    code, out, _ = run(capsys, "--db", db, "settings", "--delete-preset", "Gentle", "--json")
    assert json.loads(out) == {"deleted": "Gentle", "decks": [EN_BROADCASTING]}
    assert stored(db) == ({"Default": (20, "1m 10m")}, [])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--preset", "Fast", "--new-per-day", "x"], "quizapp settings: new per day: 'x' is not a whole number"),
        (["--preset", "Fast", "--deck", "Nope"], "quizapp: no deck named 'Nope' (see quizapp decks)"),
        (["--preset", "Default", "--rename", "Main"], "quizapp settings: the Default preset keeps its name"),
        (["--rename", "Main"], "quizapp settings: --rename needs --preset NAME"),
        (["--delete-preset", "Default"], "quizapp settings: the Default preset can't be deleted"),
        (["--delete-preset", "Nope"], "quizapp settings: no preset named 'Nope'"),
        (["--presets", "--new-per-day", "3"], "go alone"),
        (["--deck", EN_BROADCASTING, "--deck", ES_BROADCASTING], "several --deck need --preset NAME"),
        (["--preset", "   "], "quizapp settings: preset name: empty"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(capsys, db, argv, message):
    run(capsys, "--db", db, "decks")  # the database, with the built-in decks
    before = stored(db)
    code, out, err = run(capsys, "--db", db, "settings", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
    assert stored(db) == before


def test_help_names_presets(capsys):
    with pytest.raises(SystemExit):
        main(["settings", "--help"])
    out = capsys.readouterr().out
    for option in ("--preset NAME", "--deck DECK", "--presets", "--rename NEW", "--delete-preset NAME"):
        assert option in out
