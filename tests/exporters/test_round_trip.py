"""Every export -> import round trip is idempotent: the file of each format,
imported into the database it came from or into a fresh one, gives back the
same decks and cards (ids, fronts, backs, kinds, tags), and importing it
again adds and updates nothing.

The database holds a TOML deck, a Markdown note and a package made by the
real Anki, beside the built-in decks (left out of an export unless named)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from quizapp.cli import main
from tests.anki_fixtures import build_collection, export_package

pytest.importorskip("anki")

TOML_DECK = """\
format = 1
[deck]
id = "mine"
name = "Mine"

[[cards]]
id = "basic"
front = "Q \\"quoted\\" ñ"
back = "line 1\\nline 2"
tags = ["a", "b::c"]

[[cards]]
id = "both-ways"
type = "reversed"
subdeck = "Sub::Deeper"
front = "vector"
back = "1-D tensor"

[[cards]]
id = "holes"
type = "cloze"
text = "{{c1::torch.zeros}} fills with {{c2::zeros::what?}}"
back = "extra note"

[[cards]]
id = "typed"
type = "type"
subdeck = "Typed"
front = "dtype?"
answer = "torch.float32"
"""

NOTE = """\
---
tags:
  - flashcards/notas
  - pytorch
---
# Tensores
## Forma
¿Qué devuelve `x.shape`?::Un `torch.Size`

vector:::tensor de una dimensión

La memoria de `view` es ==compartida== y la de `reshape` ==puede copiarse==.

`torch.empty` {{c1::reserva memoria}} sin {{c2::inicializarla}}.

¿Qué hace `torch.zeros(2, 3)`?
?
Crea un tensor 2x3
lleno de ceros.
"""

FORMATS = ("toml", "apkg", "csv")


def run(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(list(args)) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def listing(capsys, db: str) -> tuple[dict[str, tuple], list[str]]:
    """(id -> (deck, kind, front, back, tags), deck names) of the learner's cards."""
    cards = run(capsys, "--db", db, "cards", "--json")
    decks = [d["name"] for d in run(capsys, "--db", db, "decks", "--json")]
    return {c["id"]: (c["deck"], c["kind"], c["front"], c["back"], tuple(c["tags"])) for c in cards}, decks


def schedules(db: str) -> dict[str, tuple]:
    """card id -> (state, due, reps, lapses, stability, difficulty) of the learner's scheduled cards."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT card_id, state, due, reps, lapses, stability, difficulty FROM cardstate")
        return {card_id: tuple(rest) for card_id, *rest in rows}


@pytest.fixture(scope="module")
def anki_package(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("anki")
    sample = build_collection(where / "collection")
    try:
        return export_package(sample.col, where / "sample.apkg", legacy=False)
    finally:
        sample.close()


@pytest.fixture
def sources(tmp_path, anki_package) -> list[Path]:
    deck = tmp_path / "mine.toml"
    deck.write_text(TOML_DECK, encoding="utf-8")
    note = tmp_path / "nota.md"
    note.write_text(NOTE, encoding="utf-8")
    return [deck, note, anki_package]


def learner_cards(capsys, db: str, builtin: dict) -> tuple[dict[str, tuple], list[str]]:
    """The cards and decks of ``db`` less the built-in ones."""
    cards, decks = listing(capsys, db)
    builtin_cards, builtin_decks = builtin
    return {k: v for k, v in cards.items() if k not in builtin_cards}, [d for d in decks if d not in builtin_decks]


@pytest.fixture
def builtin(tmp_path, capsys) -> tuple[dict, list]:
    return listing(capsys, str(tmp_path / "empty.sqlite3"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_is_idempotent(fmt, tmp_path, capsys, sources, builtin):
    db = str(tmp_path / "db.sqlite3")
    report = run(capsys, "--db", db, "import", *map(str, sources), "--json")
    assert report["errors"] == [] and report["added"] > 20
    before, decks_before = learner_cards(capsys, db, builtin)
    out = tmp_path / f"all.{fmt}"
    assert main(["--db", db, "export", "--format", fmt, "-o", str(out)]) == 0
    written = int(capsys.readouterr().out.split()[1])
    assert written == len(before)  # the same unit as the import: cards

    # Into the same database: nothing changes.
    again = run(capsys, "--db", db, "import", str(out), "--json")
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, len(before))
    assert learner_cards(capsys, db, builtin) == (before, decks_before)

    # Into a fresh one: the same decks and cards; a second import changes nothing.
    fresh = str(tmp_path / "fresh.sqlite3")
    first = run(capsys, "--db", fresh, "import", str(out), "--json")
    assert (first["added"], first["updated"]) == (len(before), 0)
    after, decks_after = learner_cards(capsys, fresh, builtin)
    expected = dict(before)
    if fmt == "csv":  # Anki text holds a typed note's answer as its back (docs/importing.md)
        deck, kind, front, _, tags = before["mine:typed"]
        expected["mine:typed"] = (deck, kind, front, "torch.float32", tags)
    assert after == expected
    assert decks_after == decks_before
    if fmt == "apkg":  # the package carries the learner's history: the same schedules
        assert schedules(fresh) == schedules(db) != {}
        assert first["reviews"] == 8
    second = run(capsys, "--db", fresh, "import", str(out), "--json")
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, len(before))


def test_markdown_source_round_trips_through_every_format(tmp_path, capsys, sources, builtin):
    """The note itself, its TOML export, then the note again: one set of cards."""
    note = sources[1]
    db = str(tmp_path / "db.sqlite3")
    run(capsys, "--db", db, "import", str(note), "--json")
    before, decks = learner_cards(capsys, db, builtin)
    assert any("#" in card_id for card_id in before)  # md:nota.md#q-...
    for fmt in FORMATS:
        out = tmp_path / f"nota.{fmt}"
        assert main(["--db", db, "export", "--format", fmt, "-o", str(out)]) == 0
        report = run(capsys, "--db", db, "import", str(out), "--json")
        assert (report["added"], report["updated"]) == (0, 0), fmt
    report = run(capsys, "--db", db, "import", str(note), "--json")
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, len(before))
    assert learner_cards(capsys, db, builtin) == (before, decks)


def test_builtin_deck_round_trips_when_named(tmp_path, capsys, builtin):
    db = str(tmp_path / "db.sqlite3")
    builtin_cards, _ = builtin
    out = tmp_path / "es.toml"
    assert main(["--db", db, "export", "--deck", "PyTorch (ES)", "--format", "toml", "-o", str(out)]) == 0
    count = sum(1 for deck, *_ in builtin_cards.values() if deck.startswith("PyTorch (ES)"))
    assert f"exported {count} cards" in capsys.readouterr().out
    for _ in range(2):  # each start re-syncs the built-in decks: still nothing to update
        report = run(capsys, "--db", db, "import", str(out), "--json")
        assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, count)


def test_export_without_deck_leaves_builtin_decks_out(tmp_path, capsys):
    db = str(tmp_path / "db.sqlite3")
    out = tmp_path / "all.toml"
    assert main(["--db", db, "export", "--format", "toml", "-o", str(out)]) != 0
    assert "no cards to export" in capsys.readouterr().err and not out.exists()


@pytest.mark.torch  # code cards are settled in the kernel at import
def test_code_cards_of_a_note_keep_their_ids_through_toml(tmp_path, capsys, builtin):
    """md:nota.md#code-... stays md:nota.md#code-... (it became md:nota.md-code-...)."""
    note = tmp_path / "nota.md"
    note.write_text(
        "## Forma\nLa forma de un tensor de unos:\n\n```python\nimport torch\nx = torch.ones(2, 3)\nprint(x.shape)\n```\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "db.sqlite3")
    assert run(capsys, "--db", db, "import", str(note), "--json")["added"] == 1
    before, decks = learner_cards(capsys, db, builtin)
    [card_id] = before
    assert card_id.startswith("md:nota.md#code-")
    out = tmp_path / "nota.toml"
    assert main(["--db", db, "export", "--format", "toml", "-o", str(out)]) == 0
    again = run(capsys, "--db", db, "import", str(out), "--json")
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 1)
    fresh = str(tmp_path / "fresh.sqlite3")
    assert run(capsys, "--db", fresh, "import", str(out), "--json")["added"] == 1
    assert learner_cards(capsys, fresh, builtin) == (before, decks)
    assert run(capsys, "--db", fresh, "import", str(note), "--json")["unchanged"] == 1
