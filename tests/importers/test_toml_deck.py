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


SEVERAL_DECKS = """\
[deck]
id = "exported"
name = "Exported"
lang = "en"

[[cards]]
id = "apkg:w<uEP,Zc]q"
type = "reversed"
deck = "Curso::Tensores"
front = "view()"
back = "shares storage"

[[cards]]
id = "md:nota.md#q-6aad5c2d4de0"
deck = "notas"
context = "Tensores > Forma"
lang = "es"
front = "Q"
back = "A"

[[cards]]
id = "md:nota.md#z-1::c1"
type = "basic"
deck = "notas"
front = "orphan reverse"
back = "kept whole"
"""


def _deck(tmp_path: Path, text: str, **kwargs):
    path = tmp_path / "deck.toml"
    path.write_text(text, encoding="utf-8")
    return read_toml_deck(path, **kwargs)


def test_full_ids_and_decks_of_their_own(tmp_path):
    deck = _deck(tmp_path, SEVERAL_DECKS)
    assert [(c.id, c.deck) for c in deck.cards] == [
        ("apkg:w<uEP,Zc]q", "Curso::Tensores"),
        ("apkg:w<uEP,Zc]q::rev", "Curso::Tensores"),
        ("md:nota.md#q-6aad5c2d4de0", "notas"),
        ("md:nota.md#z-1::c1", "notas"),
    ]
    # Every card names its deck: [deck] name is no deck of its own.
    assert deck.decks == {"Curso::Tensores": "", "notas": ""}
    assert deck.cards[0].data == {"lang": "en"}
    assert deck.cards[2].data == {"context": "Tensores > Forma", "lang": "es"}  # its own lang wins
    assert deck.source == "toml:exported"


def test_deck_option_puts_decks_of_their_own_under_it(tmp_path):
    deck = _deck(tmp_path, SEVERAL_DECKS, deck="Mine")
    assert {c.deck for c in deck.cards} == {"Mine::Curso::Tensores", "Mine::notas"}


def test_full_and_local_ids_that_meet_are_duplicates(tmp_path):
    text = '[deck]\nid = "x"\nname = "X"\n\n[[cards]]\nid = "q"\nfront = "a"\nback = "b"\n\n'
    text += '[[cards]]\nid = "x:q"\nfront = "c"\nback = "d"\n'
    err = _error(tmp_path, text)
    assert [str(p).split(": ", 1)[1] for p in err.problems] == ["duplicate card id 'x:q' (first at line 5)"]


@pytest.mark.parametrize("bad", ["md:", ":x", "a b:c", "md:\\u0007bell", "x" * 1001 + ":y"])
def test_bad_full_ids_are_refused(tmp_path, bad):
    err = _error(tmp_path, f'[deck]\nid = "x"\nname = "X"\n\n[[cards]]\nid = "{bad}"\nfront = "a"\nback = "b"\n')
    assert err.problems[0].line == 5 and "card id must be" in err.problems[0].message


def test_code_card_without_params_has_no_params_key(tmp_path):
    deck = _deck(tmp_path, '[deck]\nid = "x"\nname = "X"\n\n[[cards]]\nid = "c"\ntype = "code"\ncode = "print(1)"\n')
    assert deck.cards[0].data == {"code": "print(1)", "answer_kind": "auto"}
