"""Real Anki packages for the tests, made with the real Anki backend (`anki`,
AGPL, a test-only dependency) and with genanki for the oldest format.

quizapp itself never imports these libraries: they only produce and check
the files its reader and writer handle.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)
MINUTE_MS = 60_000
DAY_MS = 86_400_000

#: The collection built by build_collection, as quizapp should read it
#: (guids are added once the notes exist). Keys name the notes.
DECK_DESCRIPTION = "Tensors <b>and</b> autograd"


@dataclass
class Sample:
    """A collection with one note of each kind, reviewed, plus what it holds."""

    col: object  # anki.collection.Collection
    path: Path
    notes: dict[str, int] = field(default_factory=dict)
    #: key -> guid
    guids: dict[str, str] = field(default_factory=dict)

    def card_ids(self, key: str) -> list[int]:
        return [c.id for c in self.col.get_note(self.notes[key]).cards()]

    def revlog(self) -> list[tuple]:
        """(id, cid, ease, ivl, lastIvl, time, type) of every revlog row, oldest first."""
        return self.col.db.all("SELECT id, cid, ease, ivl, lastIvl, time, type FROM revlog ORDER BY id")

    def close(self) -> None:
        self.col.close()


def answer(col, card_id: int, ease: int, at_ms: int, took_ms: int) -> None:
    """Answer a card as the reviewer does (1 Again .. 4 Easy), at a chosen time."""
    from anki.scheduler.v3 import CardAnswer

    states = col._backend.get_scheduling_states(card_id)
    new_state = {1: states.again, 2: states.hard, 3: states.good, 4: states.easy}[ease]
    col.sched.answer_card(
        CardAnswer(
            card_id=card_id,
            current_state=states.current,
            new_state=new_state,
            rating=ease - 1,  # CardAnswer.AGAIN is 0
            answered_at_millis=at_ms,
            milliseconds_taken=took_ms,
        )
    )


def _note(col, notetype: str, deck: str, fields: dict[str, str], tags: list[str]) -> int:
    note = col.new_note(col.models.by_name(notetype))
    for name, value in fields.items():
        note[name] = value
    note.tags = tags
    col.add_note(note, col.decks.id(deck))
    return note.id


def build_collection(directory: Path) -> Sample:
    """Every note type quizapp reads, in nested decks, with tags, HTML, media,
    and review history of every kind (learning, review, relearning, filtered,
    manual)."""
    from anki.collection import Collection

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "collection.anki2"
    col = Collection(str(path))
    sample = Sample(col, path)

    top = col.decks.get(col.decks.id("PyTorch"))
    top["desc"] = DECK_DESCRIPTION
    col.decks.save(top)

    # Renamed copies of the stock types: recognised by structure, not name.
    renamed_basic = col.models.copy(col.models.by_name("Basic"), add=False)
    renamed_basic["name"] = "Pregunta"
    col.models.add_dict(renamed_basic)
    renamed_cloze = col.models.copy(col.models.by_name("Cloze"), add=False)
    renamed_cloze["name"] = "Huecos"
    col.models.add_dict(renamed_cloze)
    # A note type of the user's own: three fields, two on the answer side.
    mm = col.models
    vocab = mm.new("Vocab")
    for name in ("Term", "Meaning", "Example"):
        mm.add_field(vocab, mm.new_field(name))
    template = mm.new_template("Card 1")
    template["qfmt"] = "{{Term}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}"
    mm.add_template(vocab, template)
    mm.add_dict(vocab)

    col.media.write_data("views.png", b"\x89PNG\r\n\x1a\n fake image")

    notes = sample.notes
    notes["basic"] = _note(
        col,
        "Basic",
        "PyTorch::Tensors",
        {"Front": "What does <code>x.shape</code> return?", "Back": "A <b>torch.Size</b>"},
        ["tensors", "pytorch::basics"],
    )
    notes["reversed"] = _note(
        col,
        "Basic (and reversed card)",
        "PyTorch::Tensors::Views",
        {"Front": "view()", "Back": 'shares storage <img src="views.png">'},
        ["views"],
    )
    notes["optional_on"] = _note(
        col,
        "Basic (optional reversed card)",
        "PyTorch::Tensors::Views",
        {"Front": "clone()", "Back": "copies the data", "Add Reverse": "y"},
        [],
    )
    notes["optional_off"] = _note(
        col,
        "Basic (optional reversed card)",
        "PyTorch::Tensors::Views",
        {"Front": "detach()", "Back": "shares data, no grad", "Add Reverse": ""},
        [],
    )
    notes["type"] = _note(
        col,
        "Basic (type in the answer)",
        "PyTorch::Tensors",
        {"Front": "dtype of <code>torch.ones(2)</code>?", "Back": "torch.float32"},
        ["dtypes"],
    )
    notes["cloze"] = _note(
        col,
        "Cloze",
        "PyTorch::Tensors::Views",
        {
            "Text": "{{c1::view}} needs contiguous memory;<br>{{c2::reshape}} may copy",
            "Back Extra": "See <i>the docs</i>",
        },
        ["views", "cloze"],
    )
    notes["renamed_basic"] = _note(
        col,
        "Pregunta",
        "PyTorch::Autograd",
        {"Front": "What fills <code>.grad</code>?", "Back": "backward()"},
        ["autograd"],
    )
    notes["renamed_cloze"] = _note(
        col, "Huecos", "PyTorch::Autograd", {"Text": "{{c1::requires_grad}} turns tracking on"}, ["autograd"]
    )
    notes["custom"] = _note(
        col,
        "Vocab",
        "PyTorch",
        {"Term": "leaf tensor", "Meaning": "one made by the user", "Example": "torch.ones(2, requires_grad=True)"},
        [],
    )
    for key, nid in notes.items():
        sample.guids[key] = col.get_note(nid).guid

    # Review history. The basic card goes through every state.
    basic = sample.card_ids("basic")[0]
    steps = [
        (1, 0, 4_000),  # learning: Again
        (3, 2 * MINUTE_MS, 3_000),  # learning: Good
        (3, 15 * MINUTE_MS, 2_500),  # learning: Good, graduates
        (4, 3 * DAY_MS, 1_500),  # review: Easy
        (1, 10 * DAY_MS, 9_000),  # review: Again (lapse)
        (3, 10 * DAY_MS + 10 * MINUTE_MS, 5_000),  # relearning: Good
    ]
    for ease, offset, took in steps:
        answer(col, basic, ease, T0_MS + offset, took)
    answer(col, sample.card_ids("type")[0], 3, T0_MS + 60 * MINUTE_MS, 7_000)
    answer(col, sample.card_ids("cloze")[1], 2, T0_MS + 61 * MINUTE_MS, 6_000)
    # A manual reschedule (revlog type 4, ease 0)...
    col.sched.set_due_date([sample.card_ids("reversed")[0]], "0")
    # ... and a filtered-deck review without rescheduling (revlog type 3).
    _filtered_deck(col, "Cram", f"nid:{notes['renamed_basic']}")
    answer(col, sample.card_ids("renamed_basic")[0], 3, T0_MS + 62 * MINUTE_MS, 1_000)
    # A card left in a filtered deck: the reader must use its home deck (odid).
    _filtered_deck(col, "Cram 2", f"nid:{notes['optional_off']}")
    assert col.get_card(sample.card_ids("optional_off")[0]).odid != 0
    return sample


def _filtered_deck(col, name: str, search: str) -> int:
    deck = col.sched.get_or_create_filtered_deck(deck_id=0)
    deck.name = name
    deck.config.reschedule = False
    deck.config.search_terms[0].search = search
    return col.sched.add_or_update_filtered_deck(deck).id


def export_package(col, out: Path, *, legacy: bool) -> Path:
    """Anki's own .apkg export of the whole collection: legacy=True writes
    collection.anki21 (+ a placeholder .anki2), False collection.anki21b."""
    from anki.collection import ExportAnkiPackageOptions

    col.export_anki_package(
        out_path=str(out),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=True, legacy=legacy),
        limit=None,
    )
    return out


def genanki_package(out: Path, media_dir: Path) -> Path:
    """The oldest layout (collection.anki2 alone, JSON media map), by genanki."""
    import genanki

    media_dir.mkdir(parents=True, exist_ok=True)
    image = media_dir / "grad.png"
    image.write_bytes(b"\x89PNG fake")
    deck = genanki.Deck(2059400110, "Genanki::Autograd")
    other = genanki.Deck(2059400111, "Genanki::Tensors")
    deck.add_note(
        genanki.Note(
            model=genanki.BASIC_MODEL,
            fields=["What is <i>autograd</i>?", 'Automatic differentiation <img src="grad.png">'],
            tags=["autograd"],
            guid="gen-basic",
        )
    )
    deck.add_note(
        genanki.Note(
            model=genanki.BASIC_AND_REVERSED_CARD_MODEL, fields=["grad_fn", "the op that made a tensor"], guid="gen-rev"
        )
    )
    other.add_note(
        genanki.Note(
            model=genanki.CLOZE_MODEL,
            fields=["{{c1::torch.cat}} joins, {{c2::torch.stack}} adds a dim", ""],
            guid="gen-cloze",
        )
    )
    other.add_note(
        genanki.Note(
            model=genanki.BASIC_TYPE_IN_THE_ANSWER_MODEL, fields=["x.ndim of a 2x3 tensor?", "2"], guid="gen-type"
        )
    )
    package = genanki.Package([deck, other])
    package.media_files = [str(image)]
    package.write_to_file(str(out))
    return out


# -- editing packages, for hostile and odd cases ----------------------------------------


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(out: Path, files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def edit_collection(package: Path, out: Path, member: str, sql: list[tuple[str, tuple]], tmp: Path) -> Path:
    """A copy of ``package`` with ``sql`` run on its (uncompressed) ``member``."""
    files = members(package)
    db_path = tmp / f"edit-{out.stem}.sqlite"
    db_path.write_bytes(files[member])
    db = sqlite3.connect(db_path)
    for statement, params in sql:
        db.execute(statement, params)
    db.commit()
    db.close()
    files[member] = db_path.read_bytes()
    return write_zip(out, files)


def zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def unzstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()


def media_entries(names: list[str]) -> bytes:
    """A new-format media map (MediaEntries protobuf, zstd), made with Anki's own classes."""
    from anki.import_export_pb2 import MediaEntries

    message = MediaEntries(entries=[MediaEntries.MediaEntry(name=n, size=1, sha1=b"\0" * 20) for n in names])
    return zstd(message.SerializeToString())
