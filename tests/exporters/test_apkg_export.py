"""write_apkg: packages the real Anki imports, and that read_apkg reads back."""

from __future__ import annotations

import sqlite3
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.anki.cloze import cloze_answers, cloze_back, cloze_front
from quizapp.anki.ids import guid_for_card_id
from quizapp.exporters.apkg import write_apkg
from quizapp.importers.apkg import read_apkg
from quizapp.importers.base import ParsedReview
from tests.anki_fixtures import build_collection, export_package, members

pytest.importorskip("anki")

CLOZE = "{{c1::view}} shares storage,\n{{c2::clone}} copies"
CODE = "x = torch.ones(2, 3)\nif x.ndim > 1 & True:\n    print(x.shape)  # <- indented"
T0 = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


@dataclass(frozen=True)
class View:
    """What the service hands the exporter (quizapp.service.CardView's fields)."""

    id: str
    deck: str
    kind: str
    front: str
    back: str
    data: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()


def cloze(card_id: str, deck: str, n: int, extra: str = "", tags=()) -> View:
    back = cloze_back(CLOZE, n) + (f"\n\n{extra}" if extra else "")
    data = {"text": CLOZE, "cloze": n, "answers": cloze_answers(CLOZE, n)}
    return View(f"{card_id}::c{n}", deck, "cloze", cloze_front(CLOZE, n), back, data, tags)


TENSORS, VIEWS = "PyTorch (ES)::Tensores", "PyTorch (ES)::Tensores::Vistas"
CARDS = [
    View("builtin:pt:shape", TENSORS, "basic", "What is x.shape?", "a torch.Size", {}, ("tensors", "pt::basics")),
    View("builtin:pt:view", VIEWS, "basic", "view() & <reshape>", "shares\nstorage", {}, ("views",)),
    View("builtin:pt:view::rev", VIEWS, "basic", "shares\nstorage", "view() & <reshape>", {}, ("views",)),
    cloze("builtin:pt:copy", VIEWS, 1, "see the docs", ("views",)),
    cloze("builtin:pt:copy", VIEWS, 2, "see the docs", ("views",)),
    View(
        "builtin:pt:dtype",
        "PyTorch (ES)",
        "type",
        "dtype of torch.ones(2)?",
        "float32 is the default",
        {"answer": "torch.float32"},
    ),
    View("builtin:pt:code", "PyTorch (ES)", "basic", "What does this print?\n\n" + CODE, "torch.Size([2, 3])"),
    View("builtin:pt:gen", "PyTorch (ES)", "generated", "", "", {"family": "broadcasting"}),
    View("toml:mine:snippet", "Mine", "code", "", "", {"code": "print(1)"}),
]
EXPORTED = [c for c in CARDS if c.kind not in ("generated", "code")]


def import_into_anki(package: Path, directory: Path, *, name: str = "target.anki2", col=None):
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = col or Collection(str(directory / name))
    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True))
    )
    return col


def note_by_guid(col, guid: str):
    # (guid: searches treat * and _ as wildcards: look it up directly)
    return next(col.get_note(n) for n in col.find_notes("") if col.get_note(n).guid == guid)


def anki_notes(col) -> dict[str, tuple]:
    """guid -> (note type, fields, tags, [(ord, deck) per card]) of every note."""
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        cards = sorted((c.ord, col.decks.name(c.did)) for c in note.cards())
        out[note.guid] = (note.note_type()["name"], list(note.fields), sorted(note.tags), cards)
    return out


@pytest.fixture
def package(tmp_path) -> Path:
    path = tmp_path / "quizapp.apkg"
    assert write_apkg(CARDS, path) == 2  # the generated and the code card
    return path


def test_layout_is_anki_21_legacy(package):
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert archive.read("media") == b"{}"
    db_file = package.with_suffix(".sqlite")
    db_file.write_bytes(members(package)["collection.anki2"])
    db = sqlite3.connect(db_file)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"col", "notes", "cards", "revlog", "graves"}
    assert db.execute("SELECT ver FROM col").fetchone() == (11,)
    assert db.execute("SELECT count(*) FROM notes").fetchone() == (5,)
    assert db.execute("SELECT count(*) FROM cards").fetchone() == (len(EXPORTED),)
    db.close()


def test_anki_imports_notes_decks_and_tags(package, tmp_path):
    col = import_into_anki(package, tmp_path)
    try:
        notes = anki_notes(col)
        tensors, views = TENSORS, VIEWS
        expected = {
            guid_for_card_id("builtin:pt:shape"): (
                "Basic",
                ["What is x.shape?", "a torch.Size"],
                ["pt::basics", "tensors"],
                [(0, tensors)],
            ),
            guid_for_card_id("builtin:pt:view"): (
                "Basic (and reversed card)",
                ["view() &amp; &lt;reshape&gt;", "shares<br>storage"],
                ["views"],
                [(0, views), (1, views)],
            ),
            guid_for_card_id("builtin:pt:copy"): (
                "Cloze",
                ["{{c1::view}} shares storage,<br>{{c2::clone}} copies", "see the docs"],
                ["views"],
                [(0, views), (1, views)],
            ),
            guid_for_card_id("builtin:pt:dtype"): (
                "Basic (type in the answer)",
                ["dtype of torch.ones(2)?", "torch.float32", "float32 is the default"],
                [],
                [(0, "PyTorch (ES)")],
            ),
        }
        for guid, (notetype, fields, tags, cards) in expected.items():
            got_type, got_fields, got_tags, got_cards = notes[guid]
            # Anki appends "+" to a name its collection already uses for another type.
            assert got_type.rstrip("+") == notetype
            assert (got_fields, got_tags, got_cards) == (fields, tags, cards)
        code = notes[guid_for_card_id("builtin:pt:code")]
        assert code[1][0].startswith(
            "What does this print?<br><br>x = torch.ones(2, 3)<br>if x.ndim &gt; 1 &amp; True:"
        )
        assert "<br>&nbsp;&nbsp;&nbsp;&nbsp;print(x.shape)" in code[1][0]
        assert len(notes) == 5
        assert {d.name for d in col.decks.all_names_and_ids()} >= {"PyTorch (ES)", tensors, views}
        assert col.card_count() == len(EXPORTED)
        # Anki renders the cards: the cloze and the type-in work as such.
        cloze_card = next(c for c in note_by_guid(col, guid_for_card_id("builtin:pt:copy")).cards() if c.ord == 1)
        question = cloze_card.question()
        assert "[...]</span> copies" in question and "view</span> shares storage" in question
        type_card = note_by_guid(col, guid_for_card_id("builtin:pt:dtype")).cards()[0]
        assert "[[type:Back]]" in type_card.question()  # the reviewer puts its input box there
    finally:
        col.close()


def test_exporting_twice_updates_rather_than_duplicates(tmp_path):
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    write_apkg(CARDS, first)
    edited = [replace(c, back="a torch.Size (a tuple)") if c.id == "builtin:pt:shape" else c for c in CARDS]
    write_apkg(edited, second)

    def guids(path):
        db_file = path.with_suffix(".sqlite")
        db_file.write_bytes(members(path)["collection.anki2"])
        db = sqlite3.connect(db_file)
        try:
            return sorted(r[0] for r in db.execute("SELECT guid FROM notes"))
        finally:
            db.close()

    assert guids(first) == guids(second)
    col = import_into_anki(first, tmp_path)
    try:
        import_into_anki(second, tmp_path, col=col)
        assert col.note_count() == 5
        assert col.card_count() == len(EXPORTED)
    finally:
        col.close()


def _content(parsed) -> list[tuple]:
    return [(c.deck, c.kind, c.front, c.back, c.data, c.tags) for c in parsed]


def test_round_trip(package):
    parsed = read_apkg(package)
    assert _content(parsed.cards) == _content(EXPORTED)
    # quizapp -> Anki package -> quizapp gives every card its own id back.
    assert [c.id for c in parsed.cards] == [card.id for card in EXPORTED]
    assert parsed.source == "apkg:PyTorch (ES)"
    assert parsed.warnings == []


def test_round_trip_with_review_history(tmp_path):
    reviews = [
        ParsedReview("builtin:pt:shape", T0, 1, "learning", 0.0, 60 / 86400, 4000),
        ParsedReview("builtin:pt:shape", T0 + timedelta(minutes=2), 3, "learning", 60 / 86400, 600 / 86400, 3000),
        ParsedReview("builtin:pt:shape", T0 + timedelta(minutes=13), 3, "learning", 600 / 86400, 1.0, 2000),
        ParsedReview("builtin:pt:shape", T0 + timedelta(days=1), 4, "review", 1.0, 4.0, 1500),
        ParsedReview("builtin:pt:view::rev", T0 + timedelta(hours=1), 2, "learning", 0.0, 360 / 86400, 6000),
        ParsedReview("builtin:pt:gen", T0, 3, "review", 1.0, 3.0, 1000),  # not exported: dropped
    ]
    path = tmp_path / "history.apkg"
    write_apkg(CARDS, path, reviews=reviews)
    parsed = read_apkg(path)
    ids = {c.front: c.id for c in parsed.cards}

    def row(r):
        return (r.reviewed_at, r.rating, r.kind, r.interval_before_days, r.interval_after_days, r.duration_ms)

    exported = sorted(reviews[:5], key=lambda r: r.reviewed_at)
    assert [row(r) for r in parsed.reviews] == [row(r) for r in exported]
    shape, view = ids["What is x.shape?"], ids["shares\nstorage"]
    assert [r.card_id for r in parsed.reviews] == [shape, shape, shape, view, shape]

    # Anki takes the history and continues the schedule from the last review.
    col = import_into_anki(path, tmp_path)
    try:
        assert col.db.scalar("SELECT count(*) FROM revlog") == 5
        card = note_by_guid(col, guid_for_card_id("builtin:pt:shape")).cards()[0]
        assert (card.type, card.queue, card.ivl, card.reps) == (2, 2, 4, 4)
        eases = col.db.list(f"SELECT ease FROM revlog WHERE cid = {card.id} ORDER BY id")
        assert eases == [1, 3, 3, 4]
        reversed_note = note_by_guid(col, guid_for_card_id("builtin:pt:view"))
        learning = next(c for c in reversed_note.cards() if c.ord == 1)
        assert (learning.type, learning.queue) == (1, 1)
    finally:
        col.close()


def test_anki_package_round_trips_with_its_guids(tmp_path):
    """Anki -> quizapp -> Anki: the notes keep their guids, so Anki updates them."""
    sample = build_collection(tmp_path / "anki")
    try:
        original = read_apkg(export_package(sample.col, tmp_path / "from-anki.apkg", legacy=False))
        path = tmp_path / "back.apkg"
        assert write_apkg(original.cards, path, reviews=original.reviews) == 0
        again = read_apkg(path)
        assert [(c.id, *t) for c, t in zip(again.cards, _content(again.cards))] == [
            (c.id, *t) for c, t in zip(original.cards, _content(original.cards))
        ]
        assert again.reviews == original.reviews
        assert again.decks.keys() == original.decks.keys()
        # Anki matches them to the notes it already has: no duplicates.
        before = sample.col.note_count()
        import_into_anki(path, tmp_path, col=sample.col)
        assert sample.col.note_count() == before
    finally:
        sample.close()


def test_nothing_to_export(tmp_path):
    path = tmp_path / "empty.apkg"
    assert write_apkg([CARDS[-1], CARDS[-2]], path) == 2
    parsed = read_apkg(path)
    assert parsed.cards == [] and parsed.reviews == []
    assert not list(tmp_path.glob("*.part"))
