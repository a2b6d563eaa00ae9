"""read_anki_text: Anki's text-import rules, checked against the real Anki
library where Anki decides something (separator and HTML guessing, its own
exports)."""

from pathlib import Path

import pytest
from anki.collection import Collection, ImportCsvRequest
from anki.import_export_pb2 import CsvMetadata

import quizapp.importers.anki_text as anki_text
from quizapp.importers.anki_text import read_anki_text
from quizapp.importers.base import DeckError


def _file(tmp_path: Path, content: str | bytes, name: str = "deck.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _read(tmp_path: Path, content: str | bytes, name: str = "deck.csv", **kwargs):
    return read_anki_text(_file(tmp_path, content, name), **kwargs)


def _pairs(deck) -> list[tuple[str, str]]:
    return [(c.front, c.back) for c in deck.cards]


def _error(tmp_path: Path, content: str | bytes, name: str = "deck.csv") -> DeckError:
    path = _file(tmp_path, content, name)
    with pytest.raises(DeckError) as info:
        read_anki_text(path)
    for problem in info.value.problems:
        assert problem.file == str(path)
    return info.value


@pytest.fixture(scope="module")
def anki(tmp_path_factory):
    col = Collection(str(tmp_path_factory.mktemp("anki") / "collection.anki2"))
    yield col
    col.close()


_ANKI_DELIMITERS = {
    CsvMetadata.TAB: "\t",
    CsvMetadata.PIPE: "|",
    CsvMetadata.SEMICOLON: ";",
    CsvMetadata.COLON: ":",
    CsvMetadata.COMMA: ",",
    CsvMetadata.SPACE: " ",
}


# -- headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "separator"),
    [
        ("Comma", ","),
        ("comma", ","),
        ("Semicolon", ";"),
        ("Tab", "\t"),
        ("TAB", "\t"),
        ("Space", " "),
        ("Pipe", "|"),
        ("Colon", ":"),
        (" pipe ", "|"),
        (",", ","),
        (";", ";"),
        ("\t", "\t"),
        (" ", " "),
        ("|", "|"),
        (":", ":"),
    ],
)
def test_separator_header(tmp_path, anki, value, separator):
    # Every other separator appears in the row: only the header decides.
    others = "".join(c for c in ",;\t|:" if c != separator)
    row = f"front{others}{separator}back{others}".replace(" ", "") if separator != " " else "front back"
    path = _file(tmp_path, f"#separator:{value}\n{row}\n")
    deck = read_anki_text(path)
    assert [(c.front, c.back) for c in deck.cards] == [tuple(row.split(separator))]
    assert _ANKI_DELIMITERS[anki.get_csv_metadata(path=str(path), delimiter=None).delimiter] == separator


@pytest.mark.parametrize(
    ("body", "separator"),
    [
        ("a,b\tc\n", "\t"),  # tab first
        ("a;b|c\n", "|"),  # then pipe
        ("a,b;c\n", ";"),  # then semicolon
        ("a,b:c\n", ":"),  # then colon
        ("a,b\n", ","),  # then comma
        ("a b\n", " "),  # then space
        ("ab\n", " "),  # nothing found: space
        ("a b\nc,d\n", ","),  # not only the first line: the first 8 KiB
        ('"x,y"|z\n', "|"),  # quotes do not matter
        ("Deck::Sub,q,a\n", ":"),  # a deck column without #separator: colon wins, in Anki too
    ],
)
def test_separator_guess_matches_anki(tmp_path, anki, body, separator):
    path = _file(tmp_path, body)
    assert _ANKI_DELIMITERS[anki.get_csv_metadata(path=str(path), delimiter=None).delimiter] == separator
    try:
        deck = read_anki_text(path)
    except DeckError as exc:  # the guess leaves a row with one field
        assert f"separator: {anki_text._SEPARATOR_NAMES[separator]}" in str(exc)
    else:
        assert deck.cards[0].front == body.splitlines()[0].split(separator)[0].strip('"')


def test_separator_guess_starts_after_the_headers(tmp_path):
    deck = _read(tmp_path, "#tags:a b\n#deck:D\nq;a\n")
    assert _pairs(deck) == [("q", "a")]


@pytest.mark.parametrize(
    ("content", "is_html", "last"),
    [
        ("#html:true\n<b>q</b>|a&amp;b\n", True, ("q", "a&b")),
        ("#html:TRUE\n<b>q</b>|a\n", True, ("q", "a")),
        ("#html:false\n<b>q</b>|a&amp;b\n", False, ("<b>q</b>", "a&amp;b")),
        ("<b>q</b>|a\n", True, ("q", "a")),  # guessed: a tag in a field
        ("q|a &amp; b\n", False, ("q", "a &amp; b")),  # an entity alone is not HTML
        ("q|a\nq2|a\nq3|a\nq4|a\nq5|a\nq6|<b>a</b>\n", False, ("q6", "<b>a</b>")),  # the first five rows decide
        ("q|a\nq2|a\nq3|a\nq4|a\nq5|a<br>\nq6|<b>a</b>\n", True, ("q6", "a")),
        ("<b|x>\n", False, ("<b", "x>")),  # tags are looked for in each field
    ],
)
def test_html_header_and_guess_match_anki(tmp_path, anki, content, is_html, last):
    path = _file(tmp_path, content)
    assert anki.get_csv_metadata(path=str(path), delimiter=None).is_html == is_html
    assert _pairs(read_anki_text(path))[-1] == last


def test_html_fields_become_text(tmp_path):
    deck = _read(
        tmp_path,
        '#html:true\n#separator:tab\nWhat is <b>x</b>?\tline1<br>line2<div>&lt;3 &nbsp;<img src="a.png"></div>\n',
    )
    assert _pairs(deck) == [("What is x?", "line1\nline2\n<3  [image: a.png]")]


def test_plain_fields_are_kept_as_written(tmp_path):
    deck = _read(tmp_path, "#html:false\n#separator:tab\n<b>x</b>\t  a &amp; b  \n")
    assert _pairs(deck) == [("<b>x</b>", "a &amp; b")]


@pytest.mark.parametrize(
    ("content", "tags"),
    [
        ("#tags:a b\nq,a\n", ("a", "b")),
        ("tags:old style\nq,a\n", ("old", "style")),
        ("\ufefftags:bom\nq,a\n", ("bom",)),
        ("q,a,t1 t2\n", ("t1", "t2")),  # a column after the fields holds tags
        ("#tags:g\nq,a,t1 g\n", ("g", "t1")),  # global first, no duplicates
        ("#tags column:1\nt1,q,a\n", ("t1",)),
        ("#separator:comma\n#columns:Tags,Front,Back\nt1 t2,q,a\n", ("t1", "t2")),
        ("#notetype column:1\nBasic,q,a,t1\n", ()),  # no implicit tags column then
        ("#\n#tags:x\nq,a\n", ("x",)),  # any header line
        ("\n#tags:x\nq;a\n", ()),  # not a header after a blank line
    ],
)
def test_tags(tmp_path, content, tags):
    deck = _read(tmp_path, content)
    assert deck.cards[0].tags == tags


@pytest.mark.parametrize(
    ("content", "pair"),
    [
        ("#separator:comma\n#columns:Back,Front\na,q\n", ("q", "a")),
        ("#separator:comma\n#columns:front,back\nq,a\n", ("q", "a")),
        ("#separator:comma\n#columns:Notes,Front,Back\nn,q,a\n", ("q", "a")),
        ("#separator:comma\n#columns:Back,Other\na,q\n", ("q", "a")),  # Front takes what is left
        ("#separator:comma\n#columns:Question,Answer\nq,a\n", ("q", "a")),  # no names match: by position
        ("#columns:Back,Front\n#separator:comma\nq,a\n", ("q", "a")),  # split with tab: one label
        ("#deck column:1\nD,q,a\n", ("q", "a")),  # meta columns are skipped
        ("#guid column:2\nq,g,a\n", ("q", "a")),
    ],
)
def test_columns(tmp_path, content, pair):
    assert _pairs(_read(tmp_path, content))[0] == pair


@pytest.mark.parametrize(
    ("content", "deck_arg", "decks"),
    [
        ("q,a\n", None, ["deck"]),  # the file stem
        ("q,a\n", "Given", ["Given"]),
        ("#deck:Header::Sub\nq,a\n", "Given", ["Header::Sub"]),
        ("#separator:comma\n#deck column:1\nA::B,q,a\n,q2,a\n", "Given", ["A::B", "Given"]),
        ("#deck:H\n#deck column:3\nq,a,Col\nq2,a,\n", None, ["Col", "H"]),
    ],
)
def test_deck(tmp_path, content, deck_arg, decks):
    deck = _read(tmp_path, content, deck=deck_arg)
    assert [c.deck for c in deck.cards] == decks
    assert sorted(deck.decks) == sorted(set(decks))
    assert deck.source == "anki-text:deck.csv"


@pytest.mark.parametrize("value", ["update current", "keep current", "keep both"])
def test_if_matches_values(tmp_path, value):
    assert len(_read(tmp_path, f"#if matches:{value}\n#match scope:notetype + deck\nq,a\n").cards) == 1


# -- records ------------------------------------------------------------------


def test_quoted_fields_with_separators_newlines_and_quotes(tmp_path):
    content = (
        "#separator:Semicolon\n"
        'hello;"this is\na two line answer"\n'
        "two;this is a one line field\n"
        '"this includes a ; (semicolon)";another field\n'
        'field one;"field two with ""escaped quotes"" inside it"\n'
        '"#not a comment";x\n'
    )
    deck = _read(tmp_path, content)
    assert _pairs(deck) == [
        ("hello", "this is\na two line answer"),
        ("two", "this is a one line field"),
        ("this includes a ; (semicolon)", "another field"),
        ("field one", 'field two with "escaped quotes" inside it'),
        ("#not a comment", "x"),
    ]
    assert [c.line for c in deck.cards] == [2, 4, 5, 6, 7]


def test_comments_blank_lines_and_crlf(tmp_path):
    content = '# a comment\r\nq1,a1\r\n\r\n# another, with a comma\r\nq2,"a\r\nb"\r\n'
    deck = _read(tmp_path, content)
    # A CRLF inside a field is stored as a newline: no CR reaches a terminal (quizapp.text.visible).
    assert _pairs(deck) == [("q1", "a1"), ("q2", "a\nb")]
    assert [c.line for c in deck.cards] == [2, 5]


def test_utf8_bom_is_accepted(tmp_path):
    deck = _read(tmp_path, "\ufeff#separator:pipe\nñandú|ü\n".encode("utf-8"))
    assert _pairs(deck) == [("ñandú", "ü")]


def test_extra_fields_are_ignored(tmp_path):
    assert _pairs(_read(tmp_path, "#tags column:5\nq,a,x,y,t\n")) == [("q", "a")]


# -- note types ---------------------------------------------------------------


def test_basic_and_reversed(tmp_path):
    deck = _read(tmp_path, "#notetype:Basic (and reversed card)\nq,a\n")
    base = deck.cards[0].id
    assert [(c.id, c.kind, c.front, c.back) for c in deck.cards] == [
        (base, "basic", "q", "a"),
        (f"{base}::rev", "basic", "a", "q"),
    ]


def test_optional_reversed_only_when_asked(tmp_path):
    deck = _read(tmp_path, "#notetype:Basic (optional reversed card)\n#tags column:4\nq1,a1,y,\nq2,a2,,\n")
    assert [(c.front, c.back) for c in deck.cards] == [("q1", "a1"), ("a1", "q1"), ("q2", "a2")]


def test_type_in_the_answer(tmp_path):
    (card,) = _read(tmp_path, "#notetype:Basic (type in the answer)\nWhich dtype?,torch.float32\n").cards
    assert (card.kind, card.front, card.back, card.data) == (
        "type",
        "Which dtype?",
        "torch.float32",
        {"answer": "torch.float32"},
    )


def test_cloze_one_card_per_number(tmp_path):
    deck = _read(tmp_path, "#notetype:Cloze\n#separator:tab\n{{c1::torch}} and {{c2::numpy::lib}}\tsee docs\n")
    c1, c2 = deck.cards
    assert c1.id.endswith("::c1") and c2.id.endswith("::c2") and c1.id[:-4] == c2.id[:-4]
    assert (c1.kind, c1.front, c1.back) == ("cloze", "[...] and numpy", "torch and numpy\n\nsee docs")
    assert (c2.front, c2.data["answers"], c2.data["cloze"]) == ("torch and [lib]", ["numpy"], 2)
    assert c1.data["text"] == "{{c1::torch}} and {{c2::numpy::lib}}"


def test_cloze_needs_one_column_only(tmp_path):
    assert len(_read(tmp_path, "#notetype:cloze\n#separator:tab\n{{c1::x}} y\n").cards) == 1


def test_notetype_column(tmp_path):
    content = (
        "#separator:tab\n#notetype column:1\n"
        "Basic\tq\ta\n"
        "Cloze\t{{c1::x}} y\textra\n"
        "Basic (type in the answer)\tq2\tans\n"
        "\tdefault\tbasic\n"
    )
    deck = _read(tmp_path, content)
    assert [(c.kind, c.front) for c in deck.cards] == [
        ("basic", "q"),
        ("cloze", "[...] y"),
        ("type", "q2"),
        ("basic", "default"),
    ]


def test_unknown_note_type_reads_as_basic_with_a_warning(tmp_path):
    deck = _read(tmp_path, "#notetype column:1\nImage Occlusion,q,a,x\nImage Occlusion,q2,a2\nBasic,q3,a3\n")
    assert _pairs(deck) == [("q", "a"), ("q2", "a2"), ("q3", "a3")]
    (warning,) = deck.warnings
    assert warning.line == 2 and "unknown note type 'Image Occlusion' (2 notes)" in warning.message
    deck = _read(tmp_path, "#notetype:My Type\nq,a\n")
    assert _pairs(deck) == [("q", "a")] and "My Type" in deck.warnings[0].message


def test_skipped_notes_are_warnings(tmp_path):
    content = "#notetype column:1\nBasic,,a\nCloze,no deletion,x\nBasic,q,a\nBasic,q,other back\n"
    deck = _read(tmp_path, content)
    assert _pairs(deck) == [("q", "a")]
    assert [w.line for w in deck.warnings] == [2, 3, 5]
    assert deck.warnings[0].message.startswith("empty Front field: note skipped")
    assert deck.warnings[1].message.startswith("cloze note without a {{c1::...}} deletion")
    assert deck.warnings[2].message.startswith("same Front field as the note at line 4")


# -- ids -----------------------------------------------------------------------


def test_ids_are_stable_across_reimport_and_edits_of_the_back(tmp_path):
    first = _read(tmp_path, "q1,a1\nq2,a2\n")
    again = _read(tmp_path, "q1,a1\nq2,a2\n")
    edited = _read(tmp_path, "# now with a comment\nq2,changed\nq1,<b>a1</b> edited\n")
    assert [c.id for c in first.cards] == [c.id for c in again.cards]
    assert [c.id for c in edited.cards] == [first.cards[1].id, first.cards[0].id]
    assert _read(tmp_path, "q1 edited,a1\n").cards[0].id != first.cards[0].id
    assert first.cards[0].id.startswith("anki-text:")


def test_guid_column_gives_the_id(tmp_path):
    deck = _read(tmp_path, "#guid column:1\n#separator:tab\nf0>(Vu%8Y,\tq\ta\nquizapp:pytorch-es:tensors\tq2\ta2\n")
    assert [c.id for c in deck.cards] == ["apkg:f0>(Vu%8Y,", "pytorch-es:tensors"]
    edited = _read(tmp_path, "#guid column:1\n#separator:tab\nf0>(Vu%8Y,\tq edited\ta\n")
    assert edited.cards[0].id == "apkg:f0>(Vu%8Y,"


# -- problems --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("q,a\nonly one\n", [(2, "row has 1 field, Basic needs at least 2 (separator: comma)")]),
        ("q\ta\nx\ny\tz\nw\n", [(2, "row has 1 field"), (4, "row has 1 field")]),
        ("#separator:foo\nq,a\n", [(1, "#separator: unknown value 'foo'")]),
        ("#tags:x\n#html:yes\nq,a\n", [(2, "#html: unknown value 'yes'")]),
        ("#deck column:x\nq,a\n", [(1, "#deck column: 'x' is not a column number")]),
        ("#tags column:0\nq,a\n", [(1, "#tags column: '0' is not a column number")]),
        ("#guid column:-1\nq,a\n", [(1, "#guid column: '-1' is not a column number")]),
        ("#notetype column:2.5\nq,a\n", [(1, "#notetype column:")]),
        ("#if matches:ignore\nq,a\n", [(1, "#if matches: unknown value 'ignore'")]),
        ("#match scope:deck\nq,a\n", [(1, "#match scope: unknown value 'deck'")]),
        ("#deck column:3\nq,a,D\nq2,a2\n", [(3, "row has 2 fields, Basic needs at least 3")]),
        ("#notetype column:1\nCloze\n", [(2, "row has 1 field, Cloze needs at least 2")]),
        ('q,a\nq2,"never closed\nq3,a3\n', [(2, "a quoted field starting in this row is never closed")]),
        ("# only comments\n\n", [(None, "no notes in the file")]),
        ("", [(None, "no notes in the file")]),
        (b"q,a\nq2,\xff\n", [(2, "not valid UTF-8")]),
        (b"\xef\xbb\xbfq,a\n\nq\xe9,a\n", [(3, "not valid UTF-8")]),
    ],
)
def test_malformed_files(tmp_path, content, expected):
    err = _error(tmp_path, content)
    assert [(p.line, p.message[: len(m)]) for p, m in zip(err.problems, [m for _, m in expected])] == expected
    assert len(err.problems) == len(expected)
    for problem in err.problems:
        where = f"{tmp_path / 'deck.csv'}:{problem.line}: " if problem.line else f"{tmp_path / 'deck.csv'}: "
        assert str(problem).startswith(where)


def test_every_problem_is_reported_at_once(tmp_path):
    err = _error(tmp_path, '#html:maybe\n#separator:comma\nq,a\nbad\n"multi\nline"\nq3,a3\nbad again\n')
    assert [p.line for p in err.problems] == [1]  # header problems stop before the rows
    err = _error(tmp_path, '#separator:comma\nq,a\nbad\n"multi\nline"\nq3,a3\nbad again\n')
    assert [p.line for p in err.problems] == [3, 4, 7]


@pytest.mark.parametrize("size", [anki_text.MAX_FIELD_CHARS + 1, 200_000])
def test_field_size_limit(tmp_path, size):
    err = _error(tmp_path, "q,a\nq2," + "x" * size + "\nq3,a\n")
    assert [(p.line, p.message) for p in err.problems][0] == (
        2,
        f"a field is longer than {anki_text.MAX_FIELD_CHARS} characters",
    )


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(anki_text, "MAX_FILE_BYTES", 10)
    err = _error(tmp_path, "q,a\nq2,a2\nq3,a3\n")
    assert err.problems[0].line is None and "the limit is" in err.problems[0].message


def test_missing_file(tmp_path):
    with pytest.raises(DeckError, match="cannot read file"):
        read_anki_text(tmp_path / "absent.csv")


# -- files written by the real Anki ---------------------------------------------


def _anki_collection(tmp_path: Path) -> Collection:
    col = Collection(str(tmp_path / "source.anki2"))
    models = col.models

    def add(notetype: str, deck: str, fields: list[str], tags: list[str]) -> None:
        note = col.new_note(models.by_name(notetype))
        for index, value in enumerate(fields):
            note.fields[index] = value
        note.tags = tags
        col.add_note(note, col.decks.id(deck))

    add(
        "Basic",
        "PyTorch::Tensors",
        ["What does <code>x.shape</code> return?", "a <b>torch.Size</b><br>like a tuple"],
        ["shape", "pytorch::basics"],
    )
    add("Basic (and reversed card)", "PyTorch::Tensors::Dtypes", ["float32", "torch.float"], ["dtype"])
    add("Basic (optional reversed card)", "PyTorch", ["view", "reshape without copy", "y"], [])
    add("Basic (type in the answer)", "PyTorch::Autograd", ["Call to get gradients?", "loss.backward()"], ["autograd"])
    add("Cloze", "PyTorch::Autograd", ["{{c1::requires_grad}} tracks {{c2::operations}}", "see &lt;docs&gt;"], [])
    add("Basic", "Default", ["#starts with a hash", 'tab\there and "quotes"\nand a newline'], [])
    return col


def test_reads_a_notes_export_made_by_anki(tmp_path):
    col = _anki_collection(tmp_path)
    out = tmp_path / "anki-export.txt"
    count = col.export_note_csv(
        out_path=str(out),
        limit=None,
        with_html=True,
        with_tags=True,
        with_deck=True,
        with_notetype=True,
        with_guid=True,
    )
    guids = {
        col.get_note(nid)["Front"] if "Front" in col.get_note(nid) else "cloze": col.get_note(nid).guid
        for nid in col.find_notes("")
    }
    col.close()
    assert count == 6
    deck = read_anki_text(out)
    assert deck.warnings == []
    got = {c.id: (c.deck, c.kind, c.front, c.back, c.tags) for c in deck.cards}
    shape = f"apkg:{guids['What does <code>x.shape</code> return?']}"
    assert got[shape] == (
        "PyTorch::Tensors",
        "basic",
        "What does x.shape return?",
        "a torch.Size\nlike a tuple",
        ("pytorch::basics", "shape"),
    )
    f32 = f"apkg:{guids['float32']}"
    assert got[f32] == ("PyTorch::Tensors::Dtypes", "basic", "float32", "torch.float", ("dtype",))
    assert got[f"{f32}::rev"] == ("PyTorch::Tensors::Dtypes", "basic", "torch.float", "float32", ("dtype",))
    view = f"apkg:{guids['view']}"
    assert got[view][2:4] == ("view", "reshape without copy") and got[f"{view}::rev"][2:4] == (
        "reshape without copy",
        "view",
    )
    typed = f"apkg:{guids['Call to get gradients?']}"
    assert got[typed] == ("PyTorch::Autograd", "type", "Call to get gradients?", "loss.backward()", ("autograd",))
    cloze = f"apkg:{guids['cloze']}"
    assert got[f"{cloze}::c1"][1:4] == (
        "cloze",
        "[...] tracks operations",
        "requires_grad tracks operations\n\nsee <docs>",
    )
    assert got[f"{cloze}::c2"][2] == "requires_grad tracks [...]"
    hashed = f"apkg:{guids['#starts with a hash']}"
    assert got[hashed][2:4] == ("#starts with a hash", 'tab\there and "quotes"\nand a newline')
    assert len(deck.cards) == 9
    assert set(deck.decks) == {
        "PyTorch::Tensors",
        "PyTorch::Tensors::Dtypes",
        "PyTorch",
        "PyTorch::Autograd",
        "Default",
    }
    assert {c.id: c.data for c in deck.cards}[typed] == {"answer": "loss.backward()"}


def test_reads_a_plain_export_made_by_anki(tmp_path):
    """Anki's bare export: no html, no guid, deck, note type or tags columns."""
    col = _anki_collection(tmp_path)
    out = tmp_path / "plain.txt"
    col.export_note_csv(
        out_path=str(out),
        limit=None,
        with_html=False,
        with_tags=False,
        with_deck=False,
        with_notetype=False,
        with_guid=False,
    )
    col.close()
    deck = read_anki_text(out, deck="Imported")
    fronts = sorted(c.front for c in deck.cards)
    assert "What does x.shape return?" in fronts and "#starts with a hash" in fronts
    assert {c.deck for c in deck.cards} == {"Imported"} and all(c.kind == "basic" for c in deck.cards)
    # The optional-reversed note's third field ("y") lands in the implicit tags column.
    assert {c.front: c.tags for c in deck.cards}["view"] == ("y",)
    assert [c.id for c in read_anki_text(out).cards] == [c.id for c in deck.cards]


def test_file_imports_into_anki_as_read(tmp_path):
    """The same file through the real Anki importer gives the same notes."""
    path = _file(
        tmp_path,
        "#separator:Semicolon\n#tags:imported\n#deck:Course::Week 1\n"
        'What is a tensor?;"An n-dimensional\narray";t1\n'
        "dtype?;float32;t2 t3\n",
    )
    col = Collection(str(tmp_path / "target.anki2"))
    try:
        meta = col.get_csv_metadata(path=str(path), delimiter=None)
        col.import_csv(ImportCsvRequest(path=str(path), metadata=meta))
        notes = [col.get_note(nid) for nid in sorted(col.find_notes(""))]
        in_anki = [(n["Front"], n["Back"].replace("<br>", "\n"), sorted(n.tags)) for n in notes]
        decks = {col.decks.name(card.did) for n in notes for card in n.cards()}
    finally:
        col.close()
    ours = read_anki_text(path)
    assert in_anki == [(c.front, c.back, sorted(c.tags)) for c in ours.cards]
    assert decks == {c.deck for c in ours.cards} == {"Course::Week 1"}
