"""Text from outside is data: every importer's cards carry no control character
(shown in caret notation, quizapp.text.visible), and a field over the size
budget refuses the file with one line naming the file and the line."""

from __future__ import annotations

import json
import time

import pytest

from quizapp.importers import DeckError
from quizapp.importers.anki_text import read_anki_text
from quizapp.importers.markdown import read_markdown
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.text import MAX_FIELD_BYTES

ESCAPES = "t\x1b]2;PWNED\x07 b\x1b[5m c\x1b]52;c;aGk=\x07 d\x7f e\x9b"
SHOWN = "t^[]2;PWNED^G b^[[5m c^[]52;c;aGk=^G d^? eM-^["


def _controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]


def _toml_string(text: str) -> str:
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in text) + '"'


def test_toml_texts_deck_names_and_tags_lose_their_control_characters(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(
        f"format = 1\n[deck]\nid = 'evil'\nname = {_toml_string('Evil ' + ESCAPES)}\n\n"
        f"[[cards]]\nid = 'one'\nfront = {_toml_string(ESCAPES)}\nback = {_toml_string('x' + ESCAPES)}\n"
        f"tags = [{_toml_string('tag' + ESCAPES)}]\n",
        encoding="utf-8",
    )
    parsed = read_toml_deck(path)
    (card,) = parsed.cards
    assert card.front == SHOWN and card.back == "x" + SHOWN
    assert card.deck == "Evil " + SHOWN and list(parsed.decks) == ["Evil " + SHOWN]
    assert not _controls(card.tags[0])
    assert read_toml_deck(path).cards == parsed.cards  # the same again: re-imports change nothing


def test_markdown_and_anki_text_lose_their_control_characters(tmp_path):
    note = tmp_path / "note.md"
    note.write_text(f"#flashcards\n\nfront {ESCAPES}\n?\nback {ESCAPES}\n", encoding="utf-8")
    csv = tmp_path / "deck.txt"
    csv.write_text(f"#separator:tab\nfront {ESCAPES}\tback {ESCAPES}\n", encoding="utf-8")
    for parsed in (read_markdown(note), read_anki_text(csv)):
        assert parsed.cards
        for card in parsed.cards:
            assert not _controls(card.front + card.back + card.deck), card
            assert SHOWN in card.front + card.back


@pytest.mark.parametrize("field", ["front", "back"])
def test_a_toml_field_over_the_budget_is_one_line_naming_file_and_line(tmp_path, field):
    path = tmp_path / "huge.toml"
    big = "x" * (20 * 1024 * 1024)
    other = "back" if field == "front" else "front"
    path.write_text(
        f"format = 1\n[deck]\nid = 'big'\nname = 'Big'\n\n[[cards]]\nid = 'ok'\nfront = 'a'\nback = 'b'\n\n"
        f"[[cards]]\nid = 'huge'\n{other} = 'fine'\n{field} = '{big}'\n",
        encoding="utf-8",
    )
    started = time.process_time()
    with pytest.raises(DeckError) as caught:
        read_toml_deck(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.line == 11
    assert str(problem) == f"{path}:11: card 'big:huge': {field} is 20.0 MB; the limit is 64 KB per field"
    assert "\n" not in str(problem)
    assert time.process_time() - started < 10  # refused, not shown: no 30 s freeze later


def test_a_csv_field_over_the_budget_is_refused(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(f"#separator:tab\nsmall\tone\n{'y' * (MAX_FIELD_BYTES + 1)}\ttwo\n", encoding="utf-8")
    with pytest.raises(DeckError) as caught:
        read_anki_text(path)
    (problem,) = caught.value.problems
    assert problem.line == 3 and "front is 64 KB; the limit is 64 KB per field" in problem.message


def test_a_field_at_the_budget_is_taken(tmp_path):
    path = tmp_path / "edge.csv"
    path.write_text(f"#separator:tab\n{'é' * (MAX_FIELD_BYTES // 2)}\ttwo\n", encoding="utf-8")
    (card,) = read_anki_text(path).cards
    assert len(card.front.encode()) == MAX_FIELD_BYTES


def test_cloze_and_typed_answers_lose_their_control_characters_too(tmp_path):
    """A cloze's source text and answers and a typed answer live in the card's
    data: they are made visible as the front is (exporters write them out)."""
    path = tmp_path / "data.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "d"\nname = "D"\n'
        '[[cards]]\nid = "c"\ntype = "cloze"\ntext = "A {{c1::\\u001b]52;c;QUFB\\u0007}} b"\n'
        '[[cards]]\nid = "t"\ntype = "type"\nfront = "F"\nanswer = "x\\u001b[2Jy"\n',
        encoding="utf-8",
    )
    cards = {card.id: card for card in read_toml_deck(path).cards}
    cloze, typed = cards["d:c::c1"], cards["d:t"]
    assert cloze.data["text"] == "A {{c1::^[]52;c;QUFB^G}} b"
    assert cloze.data["answers"] == ["^[]52;c;QUFB^G"]
    assert typed.data["answer"] == "x^[[2Jy"
    for card in cards.values():
        assert "\x1b" not in json.dumps(card.data, ensure_ascii=False)
