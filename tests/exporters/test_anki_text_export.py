"""write_anki_text: Anki's notes-as-text format, checked by importing the
files with the real Anki library and by reading them back."""

import csv
from pathlib import Path

import pytest
from anki.collection import Collection, ImportCsvRequest

from quizapp.anki.cloze import cloze_answers, cloze_back, cloze_front
from quizapp.anki.html_text import text_to_html
from quizapp.domain import MemoryState
from quizapp.exporters.anki_text import write_anki_text
from quizapp.importers.anki_text import read_anki_text
from quizapp.importers.base import ParsedCard
from quizapp.service import CardView

CODE = "def f(x):\n    return x * 2  # <doubles> & more\n\nprint(f(1))"
CLOZE_TEXT = "{{c1::torch.zeros}}((2, 3)) gives a {{c2::2x3::shape}} tensor"


def _cloze(base: str, n: int, deck: str, extra: str = "", tags=()) -> ParsedCard:
    back = cloze_back(CLOZE_TEXT, n) + (f"\n\n{extra}" if extra else "")
    data = {"text": CLOZE_TEXT, "cloze": n, "answers": cloze_answers(CLOZE_TEXT, n)}
    return ParsedCard(f"{base}::c{n}", deck, "cloze", cloze_front(CLOZE_TEXT, n), back, data, tags)


def _cards() -> list[ParsedCard]:
    return [
        ParsedCard(
            "pytorch-es:shape",
            "PyTorch::Tensors",
            "basic",
            "What does x.shape return?",
            "a torch.Size",
            tags=("shape", "pytorch::basics"),
        ),
        ParsedCard("pytorch-es:dtype", "PyTorch::Tensors::Dtypes", "basic", "float32", "torch.float", tags=("dtype",)),
        ParsedCard(
            "pytorch-es:dtype::rev", "PyTorch::Tensors::Dtypes", "basic", "torch.float", "float32", tags=("dtype",)
        ),
        _cloze("pytorch-es:zeros", 1, "PyTorch", extra="Both are\nfactories", tags=("cloze",)),
        _cloze("pytorch-es:zeros", 2, "PyTorch", extra="Both are\nfactories", tags=("cloze",)),
        ParsedCard(
            "pytorch-es:grad",
            "PyTorch::Autograd",
            "type",
            "Call that fills .grad?",
            "loss.backward()",
            {"answer": "loss.backward()"},
        ),
        ParsedCard("pytorch-es:code-text", "PyTorch", "basic", "What does this print?\n" + CODE, "2", tags=("code",)),
        ParsedCard("apkg:f0>(Vu%8Y,", "Imported::From Anki", "basic", '#hash first, "quotes"\tand a tab', "ñandú ü <3"),
        ParsedCard("anki-text:0123456789abcdef", "Imported", "basic", "from a csv", "back"),
        ParsedCard("pytorch-es:gen", "PyTorch", "generated", "", "", {"family": "shapes"}),
        ParsedCard("me:snippet", "PyTorch", "code", "x = 1", "1", {"code": "x = 1"}),
        ParsedCard("pytorch-es:blank", "PyTorch", "basic", "  ", "no front"),
    ]


def _exported(cards: list[ParsedCard]) -> list[ParsedCard]:
    return [c for c in cards if c.kind in ("basic", "cloze", "type") and c.front.strip()]


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [line.rstrip("\n") for line in lines if line.startswith("#")]
    rows = list(csv.reader([line for line in lines if not line.startswith("#")], delimiter="\t"))
    return header, rows


def _comparable(card) -> tuple:
    return (card.id, card.deck, card.kind, card.front, card.back, card.data, tuple(card.tags))


# -- the file -------------------------------------------------------------------


@pytest.mark.parametrize("deck_column", [True, False])
def test_headers_are_those_of_ankis_own_export(tmp_path, deck_column):
    col = Collection(str(tmp_path / "c.anki2"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "q", "a"
    col.add_note(note, col.decks.id("D"))
    col.export_note_csv(
        out_path=str(tmp_path / "anki.txt"),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=deck_column,
        with_notetype=True,
        with_guid=True,
    )
    col.close()
    write_anki_text([ParsedCard("x:q", "D", "basic", "q", "a")], tmp_path / "ours.txt", deck_column=deck_column)
    ours, _ = _rows(tmp_path / "ours.txt")
    anki, _ = _rows(tmp_path / "anki.txt")
    assert [h for h in ours if not h.startswith("#deck:")] == anki
    assert anki[:2] == ["#separator:tab", "#html:true"]


def test_one_row_per_note_and_left_out_count(tmp_path):
    out = tmp_path / "deck.txt"
    assert write_anki_text(_cards(), out) == 3  # generated, code, empty front
    header, rows = _rows(out)
    assert header == [
        "#separator:tab",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:6",
    ]
    # Top decks first, then subdecks; the cards' order within each level.
    assert [r[:3] for r in rows] == [
        ["quizapp:pytorch-es:zeros", "Cloze", "PyTorch"],
        ["quizapp:pytorch-es:code-text", "Basic", "PyTorch"],
        ["quizapp:anki-text:0123456789abcdef", "Basic", "Imported"],
        ["quizapp:pytorch-es:shape", "Basic", "PyTorch::Tensors"],
        ["quizapp:pytorch-es:grad", "Basic (type in the answer)", "PyTorch::Autograd"],
        ["f0>(Vu%8Y,", "Basic", "Imported::From Anki"],
        ["quizapp:pytorch-es:dtype", "Basic (and reversed card)", "PyTorch::Tensors::Dtypes"],
    ]
    assert all(len(r) == 6 for r in rows)
    assert rows[0][3:] == [CLOZE_TEXT, "Both are<br>factories", "cloze"]
    assert rows[3][5] == "shape pytorch::basics"
    assert rows[1][4] == "2" and rows[1][3] == text_to_html("What does this print?\n" + CODE)
    assert "<br>&nbsp;&nbsp;&nbsp;&nbsp;return x * 2 &nbsp;# &lt;doubles&gt; &amp; more<br>" in rows[1][3]


def test_fields_that_would_break_the_file_are_quoted(tmp_path):
    out = tmp_path / "deck.txt"
    write_anki_text([ParsedCard("apkg:#id", "D", "basic", '#hash first, "quotes"\tand a tab', "x")], out)
    last = out.read_text(encoding="utf-8").splitlines()[-1]
    assert last == '"#id"\tBasic\tD\t"#hash first, ""quotes""\tand a tab"\tx\t'


def test_reverse_card_alone_still_makes_its_note(tmp_path):
    out = tmp_path / "deck.txt"
    write_anki_text([ParsedCard("a:b::rev", "D", "basic", "back side", "front side")], out)
    assert _rows(out)[1] == [["quizapp:a:b", "Basic (and reversed card)", "D", "front side", "back side", ""]]


def test_accepts_card_views(tmp_path):
    view = CardView("x:1", "D", "basic", "q", "a", {}, ("t",), MemoryState.REVIEW)
    assert write_anki_text([view], tmp_path / "v.txt") == 0
    assert [(c.id, c.front, c.back, c.tags) for c in read_anki_text(tmp_path / "v.txt").cards] == [
        ("x:1", "q", "a", ("t",))
    ]


def test_without_deck_column(tmp_path):
    one = tmp_path / "one.txt"
    write_anki_text([ParsedCard("x:1", "Only::Deck", "basic", "q", "a", tags=("t",))], one, deck_column=False)
    header, rows = _rows(one)
    assert (
        "#deck:Only::Deck" in header
        and "#tags column:5" in header
        and rows == [["quizapp:x:1", "Basic", "q", "a", "t"]]
    )
    assert [(c.deck, c.tags) for c in read_anki_text(one).cards] == [("Only::Deck", ("t",))]
    many = tmp_path / "many.txt"
    write_anki_text(_cards(), many, deck_column=False)
    assert not any(h.startswith("#deck") for h in _rows(many)[0])
    assert {c.deck for c in read_anki_text(many, deck="Mine").cards} == {"Mine"}


# -- round trips ----------------------------------------------------------------


def test_round_trip_through_read_anki_text(tmp_path):
    out = tmp_path / "deck.txt"
    write_anki_text(_cards(), out)
    back = read_anki_text(out)
    assert back.warnings == []
    assert sorted(map(_comparable, back.cards)) == sorted(map(_comparable, _exported(_cards())))
    assert [c.id for c in back.cards if c.deck == "PyTorch"] == [
        "pytorch-es:zeros::c1",
        "pytorch-es:zeros::c2",
        "pytorch-es:code-text",
    ]
    # And again: reading, writing and reading gives the same file.
    again = tmp_path / "again.txt"
    write_anki_text(back.cards, again)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_parent_decks_come_before_their_subdecks_for_anki(tmp_path):
    """Anki's importer, given a child deck's row before its parent's, makes
    a second deck "A+" for the parent: the writer puts parents first."""
    cards = [ParsedCard(f"x:{i}", deck, "basic", f"q{i}", "a") for i, deck in enumerate(["A::B::C", "A::B", "A", "Z"])]
    out = tmp_path / "deck.txt"
    write_anki_text(cards, out)
    col = Collection(str(tmp_path / "order.anki2"))
    try:
        _import_into_anki(col, out)
        names = {d.name for d in col.decks.all_names_and_ids()}
        placed = {
            col.get_note(col.get_card(cid).nid)["Front"]: col.decks.name(col.get_card(cid).did)
            for cid in col.find_cards("")
        }
    finally:
        col.close()
    assert names == {"Default", "A", "A::B", "A::B::C", "Z"}
    assert placed == {"q0": "A::B::C", "q1": "A::B", "q2": "A", "q3": "Z"}


def _import_into_anki(col: Collection, path: Path):
    meta = col.get_csv_metadata(path=str(path), delimiter=None)
    return col.import_csv(ImportCsvRequest(path=str(path), metadata=meta))


def test_anki_imports_the_file_with_note_types_decks_and_tags(tmp_path):
    out = tmp_path / "deck.txt"
    write_anki_text(_cards(), out)
    col = Collection(str(tmp_path / "target.anki2"))
    try:
        _import_into_anki(col, out)
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        assert sorted(notes) == sorted(
            [
                "quizapp:pytorch-es:shape",
                "quizapp:pytorch-es:dtype",
                "quizapp:pytorch-es:zeros",
                "quizapp:pytorch-es:grad",
                "quizapp:pytorch-es:code-text",
                "f0>(Vu%8Y,",
                "quizapp:anki-text:0123456789abcdef",
            ]
        )
        summary = {
            guid: (
                note.note_type()["name"],
                sorted({col.decks.name(c.did) for c in note.cards()}),
                len(note.cards()),
                note.tags,
            )
            for guid, note in notes.items()
        }
        assert summary["quizapp:pytorch-es:shape"] == ("Basic", ["PyTorch::Tensors"], 1, ["pytorch::basics", "shape"])
        assert summary["quizapp:pytorch-es:dtype"] == (
            "Basic (and reversed card)",
            ["PyTorch::Tensors::Dtypes"],
            2,
            ["dtype"],
        )
        assert summary["quizapp:pytorch-es:zeros"] == ("Cloze", ["PyTorch"], 2, ["cloze"])
        assert summary["quizapp:pytorch-es:grad"] == ("Basic (type in the answer)", ["PyTorch::Autograd"], 1, [])
        assert summary["f0>(Vu%8Y,"][1] == ["Imported::From Anki"]
        assert notes["quizapp:pytorch-es:zeros"]["Text"] == CLOZE_TEXT
        assert notes["quizapp:pytorch-es:zeros"]["Back Extra"] == "Both are<br>factories"
        assert notes["quizapp:pytorch-es:code-text"]["Front"] == text_to_html("What does this print?\n" + CODE)
        assert notes["f0>(Vu%8Y,"]["Front"] == '#hash first, "quotes"\tand a tab'
        assert notes["f0>(Vu%8Y,"]["Back"] == "ñandú ü &lt;3"
        decks = {d.name for d in col.decks.all_names_and_ids()}
        assert {
            "PyTorch",
            "PyTorch::Tensors",
            "PyTorch::Tensors::Dtypes",
            "PyTorch::Autograd",
            "Imported::From Anki",
        } <= decks
        # Importing the file again updates the same notes (matched by guid).
        _import_into_anki(col, out)
        assert len(col.find_notes("")) == 7 and col.card_count() == 9
    finally:
        col.close()


def test_full_loop_quizapp_anki_quizapp(tmp_path):
    """quizapp -> file -> Anki -> Anki's own export -> quizapp: same cards, same ids."""
    out = tmp_path / "deck.txt"
    write_anki_text(_cards(), out)
    col = Collection(str(tmp_path / "loop.anki2"))
    try:
        _import_into_anki(col, out)
        back_out = tmp_path / "from-anki.txt"
        col.export_note_csv(
            out_path=str(back_out),
            limit=None,
            with_html=True,
            with_tags=True,
            with_deck=True,
            with_notetype=True,
            with_guid=True,
        )
    finally:
        col.close()
    back = read_anki_text(back_out)

    def key(card) -> tuple:
        return (card.id, card.deck, card.kind, card.front, card.back, card.data, tuple(sorted(card.tags)))

    assert sorted(map(key, back.cards)) == sorted(map(key, _exported(_cards())))
