"""The built-in decks don't give their answers away: a type-in card's prompt
does not contain an answer the grader accepts, and type-in cards in a row do
not share one answer (found in issue 12: `torch.half` "is another name for…"
accepted `torch.half`; three cards in a row answered (4, 3, 2))."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from quizapp.answers import check_answer, infer_kind

DECKS = sorted((Path(__file__).resolve().parent.parent / "decks").glob("pytorch.*.toml"))


def _type_cards(path: Path) -> list[dict]:
    return [card for card in tomllib.loads(path.read_text(encoding="utf-8"))["cards"] if card["type"] == "type"]


@pytest.mark.parametrize("path", DECKS, ids=lambda p: p.name)
def test_no_prompt_contains_an_accepted_answer(path):
    for card in _type_cards(path):
        kind = infer_kind(card["answer"])
        for quoted in re.findall(r"`([^`]+)`", card["front"]):
            verdict = check_answer(kind, quoted, card["answer"], lang="en")
            assert not verdict.correct, f"{card['id']}: the prompt shows {quoted!r}, which is accepted"


@pytest.mark.parametrize("path", DECKS, ids=lambda p: p.name)
def test_type_in_cards_in_a_row_have_different_answers(path):
    answers = [(card["id"], card["answer"]) for card in _type_cards(path)]
    for (first, answer), (second, following) in zip(answers, answers[1:], strict=False):
        assert answer != following, f"{first} and {second} both answer {answer}"
