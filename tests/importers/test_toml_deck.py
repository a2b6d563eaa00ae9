from pathlib import Path

import pytest

from quizapp.importers.base import DeckError
from quizapp.importers.toml_deck import read_toml_deck


def test_small_deck_expands_card_types(small_deck):
    deck = read_toml_deck(small_deck)
    ids = [c.id for c in deck.cards]
    assert ids == ["small:one", "small:two", "small:two::rev", "small:three::c1", "small:three::c2", "small:four"]
    by_id = {c.id: c for c in deck.cards}
    assert by_id["small:two::rev"].front == "two" and by_id["small:two::rev"].back == "2?"
    assert by_id["small:three::c1"].front == "a [...] c d"
    assert by_id["small:three::c2"].front == "a b c [hint]"
    assert by_id["small:three::c2"].back == "a b c d"
    assert by_id["small:four"].data == {"answer": "torch.float32"}
    assert by_id["small:two"].deck == "Small::Sub"
    assert set(deck.decks) == {"Small", "Small::Sub"}
    assert deck.source == "toml:small"


def _error(tmp_path: Path, text: str) -> DeckError:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError) as info:
        read_toml_deck(path)
    return info.value


def test_toml_syntax_error_names_file_and_line(tmp_path):
    err = _error(tmp_path, '[deck]\nid = "x"\nname = "X"\n\n[[cards]]\nid = "a"\nfront = "unterminated\n')
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.file.endswith("bad.toml") and problem.line == 7
    assert str(problem).startswith(f"{problem.file}:7: invalid TOML")


def test_every_card_problem_is_reported_with_its_line(tmp_path):
    text = (
        '[deck]\nid = "x"\nname = "X"\n'
        '\n[[cards]]\nid = "a"\nfront = "q"\n'  # line 5: missing back
        '\n[[cards]]\nid = "b"\ntype = "nope"\n'  # line 9: unknown type
        '\n[[cards]]\nid = "c"\ntype = "cloze"\ntext = "no deletion"\n'  # line 13
        '\n[[cards]]\nid = "a"\nfront = "q"\nback = "r"\n'  # line 18: duplicate
    )
    err = _error(tmp_path, text)
    assert [p.line for p in err.problems] == [5, 9, 13, 18]
    assert "needs back" in err.problems[0].message
    assert "unknown type 'nope'" in err.problems[1].message
    assert "no {{c1::...}}" in err.problems[2].message
    assert "duplicate card id 'a' (first at line 5)" in err.problems[3].message


def test_missing_deck_table_and_missing_file(tmp_path):
    assert "missing [deck]" in str(_error(tmp_path, "format = 1\n"))
    with pytest.raises(DeckError, match="cannot read file"):
        read_toml_deck(tmp_path / "absent.toml")


def test_not_utf8_is_reported_with_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[deck]\nid = "x"\nname = "\xe9"\n')
    with pytest.raises(DeckError) as info:
        read_toml_deck(path)
    assert info.value.problems[0].line == 3
