"""read_apkg against packages made by the real Anki (every package version)
and genanki, and against hostile files."""

from __future__ import annotations

import json
import os
import struct
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quizapp.anki.budget import MAX_UNCOMPRESSED_BYTES
from quizapp.importers.apkg import read_apkg
from quizapp.importers.base import DeckError
from tests.anki_fixtures import (
    DECK_DESCRIPTION,
    T0,
    build_collection,
    edit_collection,
    export_package,
    genanki_package,
    media_entries,
    members,
    unzstd,
    write_zip,
    zstd,
)

pytest.importorskip("anki")

VIEWS = "PyTorch::Tensors::Views"
CLOZE_TEXT = "{{c1::view}} needs contiguous memory;\n{{c2::reshape}} may copy"
CLOZE_BACK = "view needs contiguous memory;\nreshape may copy\n\nSee the docs"

#: What quizapp must read from build_collection: per note, (id suffix, deck,
#: kind, front, back, data, tags) per card, in Anki's card order.
EXPECTED = {
    "basic": [
        (
            "",
            "PyTorch::Tensors",
            "basic",
            "What does x.shape return?",
            "A torch.Size",
            {},
            ("pytorch::basics", "tensors"),
        )
    ],
    "reversed": [
        ("", VIEWS, "basic", "view()", "shares storage [image: views.png]", {}, ("views",)),
        ("::rev", VIEWS, "basic", "shares storage [image: views.png]", "view()", {}, ("views",)),
    ],
    "optional_on": [
        ("", VIEWS, "basic", "clone()", "copies the data", {}, ()),
        ("::rev", VIEWS, "basic", "copies the data", "clone()", {}, ()),
    ],
    # In a filtered deck in Anki: read in its home deck.
    "optional_off": [("", VIEWS, "basic", "detach()", "shares data, no grad", {}, ())],
    "type": [
        (
            "",
            "PyTorch::Tensors",
            "type",
            "dtype of torch.ones(2)?",
            "torch.float32",
            {"answer": "torch.float32"},
            ("dtypes",),
        )
    ],
    "cloze": [
        (
            "::c1",
            VIEWS,
            "cloze",
            "[...] needs contiguous memory;\nreshape may copy",
            CLOZE_BACK,
            {"text": CLOZE_TEXT, "cloze": 1, "answers": ["view"]},
            ("cloze", "views"),
        ),
        (
            "::c2",
            VIEWS,
            "cloze",
            "view needs contiguous memory;\n[...] may copy",
            CLOZE_BACK,
            {"text": CLOZE_TEXT, "cloze": 2, "answers": ["reshape"]},
            ("cloze", "views"),
        ),
    ],
    # Renamed stock types ("Pregunta", "Huecos"): known by their structure.
    "renamed_basic": [("", "PyTorch::Autograd", "basic", "What fills .grad?", "backward()", {}, ("autograd",))],
    "renamed_cloze": [
        (
            "::c1",
            "PyTorch::Autograd",
            "cloze",
            "[...] turns tracking on",
            "requires_grad turns tracking on",
            {"text": "{{c1::requires_grad}} turns tracking on", "cloze": 1, "answers": ["requires_grad"]},
            ("autograd",),
        )
    ],
    # The user's own type: first field of each side, with a warning.
    "custom": [("", "PyTorch", "basic", "leaf tensor", "one made by the user", {}, ())],
}
FORMATS = ("anki21b", "anki21")
N_CARDS = sum(len(cards) for cards in EXPECTED.values())


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    sample = build_collection(tmp_path_factory.mktemp("anki"))
    yield sample
    sample.close()


@pytest.fixture(scope="module")
def packages(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("packages")
    return {
        "anki21b": export_package(sample.col, out / "new.apkg", legacy=False),
        "anki21": export_package(sample.col, out / "legacy.apkg", legacy=True),
        "anki2": genanki_package(out / "genanki.apkg", out / "media"),
    }


def expected_cards(sample) -> list[tuple]:
    return [
        (f"apkg:{sample.guids[key]}{suffix}", deck, kind, front, back, data, tags)
        for key, cards in EXPECTED.items()
        for suffix, deck, kind, front, back, data, tags in cards
    ]


def as_tuples(parsed) -> list[tuple]:
    return [(c.id, c.deck, c.kind, c.front, c.back, c.data, c.tags) for c in parsed.cards]


def refused(path: Path, **kw) -> str:
    """The one-line reason read_apkg gives for refusing ``path``."""
    with pytest.raises(DeckError) as info:
        read_apkg(path, **kw)
    problems = info.value.problems
    assert len(problems) == 1
    assert problems[0].file == str(path)
    assert problems[0].line is None
    assert "\n" not in problems[0].message
    return problems[0].message


# -- what Anki holds ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_cards_of_every_note_type(sample, packages, fmt):
    parsed = read_apkg(packages[fmt])
    assert as_tuples(parsed) == expected_cards(sample)


def test_package_layouts_are_the_ones_claimed(packages):
    assert {"collection.anki21b", "collection.anki2", "meta"} <= set(members(packages["anki21b"]))
    assert {"collection.anki21", "collection.anki2"} <= set(members(packages["anki21"]))
    assert "collection.anki21" not in members(packages["anki21b"])
    assert set(members(packages["anki2"])) == {"collection.anki2", "media", "0"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_decks_nested_with_descriptions_and_source(packages, fmt):
    parsed = read_apkg(packages[fmt])
    assert parsed.decks == {
        "PyTorch": "Tensors and autograd",
        "PyTorch::Autograd": "",
        "PyTorch::Tensors": "",
        VIEWS: "",
    }
    assert DECK_DESCRIPTION.startswith("Tensors <b>")
    # Stable per collection, whatever the file is called.
    assert parsed.source == "apkg:PyTorch"
    assert parsed.path == packages[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_the_users_own_note_type_warns(packages, fmt):
    messages = [w.message for w in read_apkg(packages[fmt]).warnings]
    assert messages == [
        "note type 'Vocab' is not one of Anki's standard kinds: its cards show the first field of each side"
    ]


def test_both_formats_give_the_same_ids(packages):
    assert as_tuples(read_apkg(packages["anki21b"])) == as_tuples(read_apkg(packages["anki21"]))


def test_genanki_oldest_format(packages):
    parsed = read_apkg(packages["anki2"])
    assert as_tuples(parsed) == [
        (
            "apkg:gen-basic",
            "Genanki::Autograd",
            "basic",
            "What is autograd?",
            "Automatic differentiation [image: grad.png]",
            {},
            ("autograd",),
        ),
        ("apkg:gen-rev", "Genanki::Autograd", "basic", "grad_fn", "the op that made a tensor", {}, ()),
        ("apkg:gen-rev::rev", "Genanki::Autograd", "basic", "the op that made a tensor", "grad_fn", {}, ()),
        (
            "apkg:gen-cloze::c1",
            "Genanki::Tensors",
            "cloze",
            "[...] joins, torch.stack adds a dim",
            "torch.cat joins, torch.stack adds a dim",
            {"text": "{{c1::torch.cat}} joins, {{c2::torch.stack}} adds a dim", "cloze": 1, "answers": ["torch.cat"]},
            (),
        ),
        (
            "apkg:gen-cloze::c2",
            "Genanki::Tensors",
            "cloze",
            "torch.cat joins, [...] adds a dim",
            "torch.cat joins, torch.stack adds a dim",
            {"text": "{{c1::torch.cat}} joins, {{c2::torch.stack}} adds a dim", "cloze": 2, "answers": ["torch.stack"]},
            (),
        ),
        ("apkg:gen-type", "Genanki::Tensors", "type", "x.ndim of a 2x3 tensor?", "2", {"answer": "2"}, ()),
    ]
    assert parsed.decks == {"Genanki": "", "Genanki::Autograd": "", "Genanki::Tensors": ""}
    assert parsed.source == "apkg:Genanki"
    assert parsed.reviews == [] and parsed.warnings == []


def test_deck_option_renames_the_top_level_deck(sample, packages):
    parsed = read_apkg(packages["anki21b"], deck="Anki import")
    assert {c.deck for c in parsed.cards} == {
        "Anki import",
        "Anki import::Tensors",
        "Anki import::Tensors::Views",
        "Anki import::Autograd",
    }
    assert parsed.decks["Anki import"] == "Tensors and autograd"
    # The collection is the same one: same source, same card ids.
    assert parsed.source == "apkg:PyTorch"
    assert [c.id for c in parsed.cards] == [e[0] for e in expected_cards(sample)]


def test_several_top_level_decks_go_under_the_deck_option(packages):
    parsed = read_apkg(packages["anki2"], deck="Mine")
    assert parsed.source == "apkg:Genanki"
    assert {c.deck for c in parsed.cards} == {"Mine::Autograd", "Mine::Tensors"}


# -- review history --------------------------------------------------------------


def expected_reviews(sample) -> list[tuple]:
    """Anki's revlog, as quizapp keeps it: answers only (types 0-2, ease 1-4)."""
    card_ids = {}
    for key, nid in sample.notes.items():
        for card in sample.col.get_note(nid).cards():
            suffix = EXPECTED[key][card.ord][0] if len(EXPECTED[key]) > card.ord else ""
            card_ids[card.id] = f"apkg:{sample.guids[key]}{suffix}"
    kinds = {0: "learning", 1: "review", 2: "relearning"}

    def days(ivl: int) -> float:
        return ivl if ivl >= 0 else -ivl / 86400

    return [
        (card_ids[cid], datetime.fromtimestamp(rid / 1000, UTC), ease, kinds[kind], days(last), days(ivl), taken)
        for rid, cid, ease, ivl, last, taken, kind in sample.revlog()
        if kind in kinds and ease > 0
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_review_history(sample, packages, fmt):
    reviews = read_apkg(packages[fmt]).reviews
    got = [
        (r.card_id, r.reviewed_at, r.rating, r.kind, r.interval_before_days, r.interval_after_days, r.duration_ms)
        for r in reviews
    ]
    assert got == expected_reviews(sample)
    # Anki also holds a filtered-deck review and a manual reschedule: not answers.
    assert {row[6] for row in sample.revlog()} == {0, 1, 2, 3, 4}
    assert len(got) == len(sample.revlog()) - 2 == 8
    basic = f"apkg:{sample.guids['basic']}"
    first = reviews[0]
    got_first = (first.card_id, first.reviewed_at, first.rating, first.kind, first.duration_ms)
    assert got_first == (basic, T0, 1, "learning", 4000)
    assert first.interval_after_days == pytest.approx(60 / 86400)  # Anki's -60: one minute
    assert [r.kind for r in reviews if r.card_id == basic] == ["learning"] * 3 + ["review", "review", "relearning"]
    assert [r.rating for r in reviews if r.card_id == basic] == [1, 3, 3, 4, 1, 3]
    assert all(r.reviewed_at.tzinfo is UTC for r in reviews)
    assert [r.reviewed_at for r in reviews] == sorted(r.reviewed_at for r in reviews)


def test_old_scheduler_learning_buttons_are_remapped(sample, packages, tmp_path):
    """Anki 2.0's scheduler had three learning buttons (Again, Good, Easy):
    its ease 2 and 3 in learning are Good and Easy."""
    raw = members(packages["anki21"])["collection.anki21"]
    db_file = tmp_path / "c.sqlite"
    db_file.write_bytes(raw)
    import sqlite3

    conf = json.loads(sqlite3.connect(db_file).execute("SELECT conf FROM col").fetchone()[0])
    conf["schedVer"] = 1
    old = edit_collection(
        packages["anki21"],
        tmp_path / "v1.apkg",
        "collection.anki21",
        [("UPDATE col SET conf = ?", (json.dumps(conf),))],
        tmp_path,
    )
    new = {(r.card_id, r.reviewed_at): r for r in read_apkg(packages["anki21"]).reviews}
    for r in read_apkg(old).reviews:
        before = new[(r.card_id, r.reviewed_at)].rating
        shifted = r.kind in ("learning", "relearning") and before in (2, 3)
        assert r.rating == (before + 1 if shifted else before)


# -- which collection ----------------------------------------------------------------


def test_newest_collection_wins_and_placeholder_alone_is_refused(packages, tmp_path):
    files = members(packages["anki21b"])
    assert len(read_apkg(packages["anki21b"]).cards) == N_CARDS
    only_placeholder = write_zip(tmp_path / "old.apkg", {"collection.anki2": files["collection.anki2"], "media": b"{}"})
    assert "placeholder" in refused(only_placeholder)
    legacy = members(packages["anki21"])
    both = write_zip(
        tmp_path / "both.apkg",
        {"collection.anki2": files["collection.anki2"], "collection.anki21": legacy["collection.anki21"]},
    )
    assert len(read_apkg(both).cards) == N_CARDS


def test_unknown_future_package_version(packages, tmp_path):
    files = members(packages["anki21b"])
    files["meta"] = b"\x08\x09"  # PackageMetadata { version: 9 }
    assert "newer than this quizapp reads" in refused(write_zip(tmp_path / "future.apkg", files))


# -- media names ---------------------------------------------------------------------


def test_traversal_in_legacy_media_map(packages, tmp_path):
    files = members(packages["anki21"])
    files["media"] = json.dumps({"0": "../../etc/passwd", "1": "ok.png"}).encode()
    parsed = read_apkg(write_zip(tmp_path / "evil.apkg", files))
    assert len(parsed.cards) == N_CARDS
    assert any("'../../etc/passwd' is unsafe: kept as 'passwd'" in w.message for w in parsed.warnings)


def test_traversal_in_new_media_map(packages, tmp_path):
    files = members(packages["anki21b"])
    assert unzstd(files["media"])  # the real map: protobuf, zstd-compressed
    files["media"] = media_entries(["views.png", "..\\..\\Windows\\win.ini", "/etc/shadow"])
    parsed = read_apkg(write_zip(tmp_path / "evil.apkg", files))
    assert len(parsed.cards) == N_CARDS
    messages = " ".join(w.message for w in parsed.warnings)
    assert "kept as 'win.ini'" in messages and "kept as 'shadow'" in messages
    assert "views.png" not in messages


def test_traversal_in_a_field_is_neutralised(sample, packages, tmp_path):
    nid = sample.notes["basic"]
    evil = edit_collection(
        packages["anki21"],
        tmp_path / "evil.apkg",
        "collection.anki21",
        [
            (
                "UPDATE notes SET flds = ? WHERE id = ?",
                ('<img src="../../../etc/passwd">\x1f[sound:..\\..\\boot.ini]', nid),
            )
        ],
        tmp_path,
    )
    parsed = read_apkg(evil)
    card = next(c for c in parsed.cards if c.id == f"apkg:{sample.guids['basic']}")
    assert (card.front, card.back) == ("[image: passwd]", "[sound: boot.ini]")
    unsafe = [w.message for w in parsed.warnings if "unsafe" in w.message]
    assert len(unsafe) == 2 and all(f"note {nid}" in m for m in unsafe)


def test_unreadable_media_map_costs_no_card(packages, tmp_path):
    for fmt, junk in (("anki21", b"{not json"), ("anki21b", zstd(b"\xff\xff\xff"))):
        files = members(packages[fmt])
        files["media"] = junk
        parsed = read_apkg(write_zip(tmp_path / f"junk-{fmt}.apkg", files))
        assert len(parsed.cards) == N_CARDS
        assert any(w.message.startswith("media list unreadable, ignored") for w in parsed.warnings)


def test_plain_text_mentioning_src_is_left_alone(sample, packages, tmp_path):
    nid = sample.notes["basic"]
    path = edit_collection(
        packages["anki21"],
        tmp_path / "src.apkg",
        "collection.anki21",
        [("UPDATE notes SET flds = ? WHERE id = ?", ("use src=../x in &lt;img&gt;\x1f<img src='a b.png'>", nid))],
        tmp_path,
    )
    card = next(c for c in read_apkg(path).cards if c.id == f"apkg:{sample.guids['basic']}")
    assert (card.front, card.back) == ("use src=../x in <img>", "[image: a b.png]")


def test_zip_entries_are_never_extracted(packages, tmp_path, monkeypatch):
    files = members(packages["anki21"])
    files["../../escaped.txt"] = b"owned"
    files["/abs/escaped.txt"] = b"owned"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    workdir = tmp_path / "work" / "deep"
    workdir.mkdir(parents=True)
    monkeypatch.chdir(workdir)
    read_apkg(write_zip(tmp_path / "evil.apkg", files))
    assert not list(tmp_path.rglob("escaped.txt"))
    assert list(scratch.iterdir()) == []


# -- hostile and damaged files --------------------------------------------------------


def test_random_bytes(tmp_path):
    path = tmp_path / "random.apkg"
    path.write_bytes(os.urandom(4096))
    assert "not a valid Anki package" in refused(path)


def test_empty_missing_and_directory(tmp_path):
    empty = tmp_path / "empty.apkg"
    empty.write_bytes(b"")
    assert "not a valid Anki package" in refused(empty)
    assert refused(tmp_path / "nope.apkg") == "no such file"
    assert "directory" in refused(tmp_path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_package(packages, tmp_path, fmt):
    data = packages[fmt].read_bytes()
    path = tmp_path / "cut.apkg"
    path.write_bytes(data[: len(data) // 2])
    assert "not a valid Anki package" in refused(path)


def test_truncated_collection(packages, tmp_path):
    files = members(packages["anki21"])
    files["collection.anki21"] = files["collection.anki21"][: len(files["collection.anki21"]) // 3]
    message = refused(write_zip(tmp_path / "cut.apkg", files))
    assert message.startswith("collection.anki21 is not a valid Anki collection")


def test_collection_that_is_not_sqlite(packages, tmp_path):
    files = members(packages["anki21"])
    files["collection.anki21"] = os.urandom(8192)
    assert "not an SQLite database" in refused(write_zip(tmp_path / "junk.apkg", files))


def test_damaged_zstd_collection(packages, tmp_path):
    files = members(packages["anki21b"])
    blob = files["collection.anki21b"]
    files["collection.anki21b"] = blob[:8] + bytes(b ^ 0x55 for b in blob[8:64]) + blob[64:]
    assert "collection.anki21b is damaged" in refused(write_zip(tmp_path / "bad.apkg", files))
    files["collection.anki21b"] = zstd(b"not sqlite at all" * 100)
    assert "not an SQLite database" in refused(write_zip(tmp_path / "bad2.apkg", files))


def test_missing_collection(tmp_path):
    path = write_zip(tmp_path / "nocol.apkg", {"media": b"{}", "0": b"image"})
    assert refused(path).startswith("not an Anki package: no collection inside")


def test_zip_bomb_by_ratio(tmp_path):
    path = write_zip(tmp_path / "bomb.apkg", {"collection.anki21": bytes(64 * 2**20)})
    assert path.stat().st_size < 200_000
    assert "refused as a zip bomb" in refused(path)


def test_zstd_bomb(tmp_path):
    path = write_zip(tmp_path / "bomb.apkg", {"collection.anki21b": zstd(bytes(64 * 2**20))})
    assert "refused as a zip bomb" in refused(path)


def _patch_sizes(path: Path, size: int) -> None:
    """Rewrite the uncompressed size in the zip's local and central headers."""
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        while at != -1:
            struct.pack_into("<I", data, at + offset, size)
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))


def test_zip_bomb_by_declared_size(packages, tmp_path):
    path = write_zip(tmp_path / "huge.apkg", {"collection.anki21": members(packages["anki21"])["collection.anki21"]})
    _patch_sizes(path, MAX_UNCOMPRESSED_BYTES + 100 * 2**20)
    assert refused(path) == (
        "collection.anki21 declares 600.0 MB uncompressed, over the 500 MB limit: refused (zip bomb?)"
    )


def test_size_declared_smaller_than_the_data(packages, tmp_path):
    path = write_zip(tmp_path / "liar.apkg", {"collection.anki21": members(packages["anki21"])["collection.anki21"]})
    _patch_sizes(path, 1000)
    message = refused(path)
    assert "damaged zip file" in message or "not a valid Anki collection" in message


def test_huge_field_names_the_note(tmp_path):
    from anki.collection import Collection

    col = Collection(str(tmp_path / "huge.anki2"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = "big"
    note["Back"] = "x" * (3 * 2**19)  # 1.5 MB
    col.add_note(note, col.decks.id("Big"))
    path = export_package(col, tmp_path / "huge.apkg", legacy=False)
    col.close()
    assert refused(path) == f"note {note.id}: field 'Back' is 1.5 MB, over the 1 MB limit per field"


def test_failures_leave_no_temporary_files(packages, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    bomb = write_zip(tmp_path / "bomb.apkg", {"collection.anki21b": zstd(bytes(64 * 2**20))})
    files = members(packages["anki21"])
    files["collection.anki21"] = files["collection.anki21"][:5000]
    cut = write_zip(tmp_path / "cut.apkg", files)
    for path in (bomb, cut):
        with pytest.raises(DeckError):
            read_apkg(path)
    read_apkg(packages["anki21b"])
    assert list(scratch.iterdir()) == []


def test_image_occlusion_notes_are_skipped_with_a_warning(tmp_path):
    from anki.collection import Collection

    col = Collection(str(tmp_path / "io.anki2"))
    deck = col.decks.id("Anatomy")
    occlusion = col.new_note(col.models.by_name("Image Occlusion"))
    occlusion["Occlusion"] = "{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2:oi=1}}"
    occlusion["Image"] = '<img src="heart.png">'
    col.add_note(occlusion, deck)
    basic = col.new_note(col.models.by_name("Basic"))
    basic["Front"], basic["Back"] = "left ventricle", "pumps to the body"
    col.add_note(basic, deck)
    path = export_package(col, tmp_path / "io.apkg", legacy=False)
    col.close()
    parsed = read_apkg(path)
    assert [(c.front, c.back) for c in parsed.cards] == [("left ventricle", "pumps to the body")]
    assert [w.message for w in parsed.warnings] == [
        f"note {occlusion.id}: image occlusion notes ('Image Occlusion') can't be shown as text, skipped"
    ]


def test_history_becomes_the_learners_own_through_import(packages, tmp_path):
    """quizapp import of an Anki package: the review history lands in the
    learner's log, each card's schedule is derived from it, and importing
    again adds nothing."""
    from sqlmodel import Session, select

    from quizapp.domain import MemoryState
    from quizapp.service import Service
    from quizapp.store.engine import make_engine
    from quizapp.store.models import CardState, ReviewLog

    expected = read_apkg(packages["anki21b"]).reviews
    service = Service(make_engine(f"sqlite:///{tmp_path / 'h.sqlite3'}"), "ana")
    report = service.import_paths([packages["anki21b"]])
    assert report.ok and report.reviews == len(expected) == 8
    with Session(service.engine) as session:
        logs = session.exec(select(ReviewLog).where(ReviewLog.user_id == service.user_id)).all()
        states = {s.card_id: s for s in session.exec(select(CardState))}
    assert sorted((log.card_id, log.reviewed_at, log.rating) for log in logs) == sorted(
        (r.card_id, r.reviewed_at, r.rating) for r in expected
    )
    reviewed = {r.card_id for r in expected}
    assert set(states) == reviewed
    for card_id, state in states.items():
        ratings = [r.rating for r in sorted(expected, key=lambda r: r.reviewed_at) if r.card_id == card_id]
        assert state.reps == len(ratings)
        assert state.state != MemoryState.NEW and state.last_review is not None
    again = service.import_paths([packages["anki21b"]])
    assert again.ok and again.reviews == 0 and again.added == 0
    # Another learner gets no history from the first one's import.
    assert Service(service.engine, "bea").stats()["reviews_today"] == 0


def test_absurd_review_values_are_cut_or_skipped_with_warnings(sample, packages, tmp_path):
    """A package is data from anyone: an interval of 1e15 days, negative or
    huge answer times and impossible dates are not taken as they are."""
    answers = sorted(
        rid for rid, _cid, ease, _ivl, _last, _taken, kind in sample.revlog() if kind in (0, 1, 2) and ease
    )
    huge, negative, ancient, future = answers[:4]
    hostile = edit_collection(
        packages["anki21"],
        tmp_path / "absurd.apkg",
        "collection.anki21",
        [
            ("UPDATE revlog SET ivl = ?, lastIvl = ?, time = ? WHERE id = ?", (10**15, -(10**15), 10**12, huge)),
            ("UPDATE revlog SET time = ? WHERE id = ?", (-5000, negative)),
            ("UPDATE revlog SET id = ? WHERE id = ?", (1000, ancient)),  # 1970
            ("UPDATE revlog SET id = ? WHERE id = ?", (4_000_000_000_000, future)),  # 2096
        ],
        tmp_path,
    )
    parsed = read_apkg(hostile)
    normal = {r.reviewed_at: r for r in read_apkg(packages["anki21"]).reviews}
    got = {r.reviewed_at: r for r in parsed.reviews}
    assert len(got) == len(normal) - 2  # the 1970 and 2096 reviews are skipped
    cut = got[datetime.fromtimestamp(huge / 1000, UTC)]
    assert (cut.interval_after_days, cut.interval_before_days, cut.duration_ms) == (36500.0, 36500.0, 3_600_000)
    assert got[datetime.fromtimestamp(negative / 1000, UTC)].duration_ms == 0
    assert all(0 <= r.duration_ms <= 3_600_000 and 0 <= r.interval_after_days <= 36500 for r in parsed.reviews)
    messages = [(p.file, p.message) for p in parsed.warnings]
    assert (str(hostile), "2 review(s) with impossible times skipped (before 2006 or in the future)") in messages
    assert (str(hostile), "1 review(s) with intervals past 36500 days: cut to that") in messages
    assert (str(hostile), "2 review(s) with answer times below 0 or over 1 hour: cut to 0-1 h") in messages
