"""Checks for the built-in decks in decks/ (format: docs/deck-format.md).

Uses only tomllib and torch, not quizapp, so it runs independently of the
loader. Every `[cards.check]` is executed in-process: the snippet's last line
is evaluated as an expression and str() of its value (or the exception's class
name) must equal `expect`.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
import torch

DECKS_DIR = Path(__file__).resolve().parent.parent / "decks"
DECK_FILES = {
    "es": DECKS_DIR / "pytorch.es.toml",
    "en": DECKS_DIR / "pytorch.en.toml",
}
EXPECTED_DECKS = {
    "es": {"id": "pytorch-es", "name": "PyTorch (ES)", "lang": "es"},
    "en": {"id": "pytorch-en", "name": "PyTorch (EN)", "lang": "en"},
}
SUBDECKS = {
    "es": {
        "Deep learning",
        "PyTorch y tensores",
        "Crear tensores",
        "Tipos de datos",
        "Operaciones",
        "Broadcasting",
        "Predice el resultado",
    },
    "en": {
        "Deep learning",
        "PyTorch and tensors",
        "Creating tensors",
        "Data types",
        "Operations",
        "Broadcasting",
        "Predict the result",
    },
}
MIN_CARDS = 60
MIN_CHECKS = 25

# Fields each card type needs (docs/deck-format.md, "Card types").
REQUIRED = {
    "basic": {"front", "back"},
    "reversed": {"front", "back"},
    "cloze": {"text"},
    "type": {"front", "answer"},
    "generated": {"family"},
}
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.+?)\}\}")
TEXT_FIELDS = ("front", "back", "text", "answer")


def _load(lang: str) -> dict:
    with DECK_FILES[lang].open("rb") as f:
        return tomllib.load(f)


DATA = {lang: _load(lang) for lang in DECK_FILES}


def _cards(lang: str) -> list[dict]:
    return DATA[lang]["cards"]


# ------------------------------------------------------------------ structure


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_deck_header(lang):
    data = DATA[lang]
    assert data.get("format") == 1
    for key, value in EXPECTED_DECKS[lang].items():
        assert data["deck"][key] == value


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_card_count_and_unique_ids(lang):
    cards = _cards(lang)
    assert len(cards) >= MIN_CARDS
    ids = [c["id"] for c in cards]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate ids: {sorted(dupes)}"
    for cid in ids:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", cid), cid


def test_languages_match():
    es, en = _cards("es"), _cards("en")
    assert [c["id"] for c in es] == [c["id"] for c in en]
    assert [c["type"] for c in es] == [c["type"] for c in en]
    # The same cards carry checks in both languages.
    assert [("check" in c) for c in es] == [("check" in c) for c in en]
    # Cloze cards have the same cloze numbers in both languages.
    for a, b in zip(es, en):
        if a["type"] == "cloze":
            na = sorted({m.group(1) for m in CLOZE_RE.finditer(a["text"])})
            nb = sorted({m.group(1) for m in CLOZE_RE.finditer(b["text"])})
            assert na == nb, a["id"]


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_card_fields(lang):
    for card in _cards(lang):
        ctype = card.get("type")
        assert ctype in REQUIRED, f"{card['id']}: unknown type {ctype!r}"
        missing = REQUIRED[ctype] - card.keys()
        assert not missing, f"{card['id']}: missing {sorted(missing)}"
        for field in TEXT_FIELDS:
            if field in card:
                assert isinstance(card[field], str), (card["id"], field)
                assert card[field].strip(), (card["id"], field)
        if ctype == "cloze":
            assert CLOZE_RE.search(card["text"]), card["id"]
            assert card["text"].count("{{") == card["text"].count("}}"), card["id"]
        assert card.get("subdeck") in SUBDECKS[lang], card["id"]
        if "check" in card:
            check = card["check"]
            assert set(check) == {"code", "expect"}, card["id"]
            assert isinstance(check["code"], str) and check["code"].strip()
            assert isinstance(check["expect"], str)


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_type_mix(lang):
    types = [c["type"] for c in _cards(lang)]
    assert types.count("type") >= 8
    assert types.count("cloze") >= 3
    assert types.count("reversed") >= 1
    assert types.count("basic") > len(types) // 3
    assert sum("check" in c for c in _cards(lang)) >= MIN_CHECKS


# --------------------------------------------------------------------- checks


def run_check(code: str) -> str:
    """Run `code` with only `torch` in scope; return str() of the last
    expression's value, or the class name of the exception it raised."""
    tree = ast.parse(code.strip("\n"), mode="exec")
    assert tree.body and isinstance(tree.body[-1], ast.Expr), "the last line of a check must be an expression"
    last = ast.Expression(tree.body.pop().value)
    namespace = {"torch": torch}
    try:
        exec(compile(tree, "<check>", "exec"), namespace)
        value = eval(compile(last, "<check>", "eval"), namespace)
    except Exception as exc:
        return type(exc).__name__
    return str(value)


CHECKS = [
    pytest.param(card["check"]["code"], card["check"]["expect"], id=f"{lang}:{card['id']}")
    for lang in sorted(DECK_FILES)
    for card in _cards(lang)
    if "check" in card
]


@pytest.mark.parametrize(("code", "expect"), CHECKS)
def test_check(code, expect):
    assert run_check(code) == expect


def test_run_check_helper():
    assert run_check("x = 2\nx + 1") == "3"
    assert run_check("torch.ones(2) + torch.ones(3)") == "RuntimeError"
    assert run_check("undefined_name") == "NameError"


# ------------------------------------------------------------ text hygiene

DAMAGED = ("√", "¬ø", "Ã")


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_no_damaged_encoding(lang):
    raw = DECK_FILES[lang].read_text(encoding="utf-8")
    for marker in DAMAGED:
        assert marker not in raw, f"damaged encoding marker {marker!r}"


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_no_wrong_names_from_the_note(lang):
    raw = DECK_FILES[lang].read_text(encoding="utf-8")
    # The note's wrong names are never taught: `torch.bfloat` only ever
    # appears as `torch.bfloat16`, and `torch.empy` only in the card that
    # shows what the typo does (an AttributeError, checked by running it).
    assert not re.search(r"torch\.bfloat(?!16)", raw)
    cards = tomllib.loads(raw)["cards"]
    typo_cards = [card for card in cards if "torch.empy" in str(card)]
    assert [card["id"] for card in typo_cards] == ["empy-typo"]
    assert "AttributeError" in typo_cards[0]["back"]
    assert typo_cards[0]["check"]["expect"] == "AttributeError"


def test_spanish_has_accents():
    raw = DECK_FILES["es"].read_text(encoding="utf-8")
    assert "¿" in raw and re.search(r"[áéíóúñ]", raw)


@pytest.mark.parametrize("lang", sorted(DECK_FILES))
def test_every_question_family_is_a_card(lang):
    """Each generated family is one schedulable card, titled as the family."""
    from quizapp.questions import all_families

    families = all_families()
    generated = [c for c in _cards(lang) if c["type"] == "generated"]
    assert sorted(c["family"] for c in generated) == sorted(families)
    for card in generated:
        assert card["front"] == families[card["family"]].title[lang]
