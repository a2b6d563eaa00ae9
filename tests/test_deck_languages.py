"""Which decks a learner sees by interface language (domain.other_language_decks)."""

from __future__ import annotations

from quizapp.domain import other_language_decks

ES = ("builtin:pytorch-es", "es")
EN = ("builtin:pytorch-en", "en")
MINE = ("/home/ana/notes.md", None)


def test_the_other_languages_deck_and_its_parents_are_hidden():
    names = ["PyTorch (ES)", "PyTorch (ES)::Tensores", "PyTorch (EN)", "PyTorch (EN)::Tensors", "Mine"]
    contents = {"PyTorch (ES)::Tensores": [ES], "PyTorch (EN)::Tensors": [EN], "Mine": [MINE]}
    assert other_language_decks("en", names, contents) == {"PyTorch (ES)", "PyTorch (ES)::Tensores"}
    assert other_language_decks("es", names, contents) == {"PyTorch (EN)", "PyTorch (EN)::Tensors"}


def test_a_learners_own_cards_keep_their_deck_and_its_parents_visible():
    names = ["PyTorch (ES)", "PyTorch (ES)::Tensores", "PyTorch (ES)::Mías", "PyTorch (ES)::Mixto"]
    contents = {
        "PyTorch (ES)::Tensores": [ES],
        "PyTorch (ES)::Mías": [MINE],  # imported into a subdeck of the built-in deck
        "PyTorch (ES)::Mixto": [ES, MINE],
    }
    assert other_language_decks("en", names, contents) == {"PyTorch (ES)::Tensores"}


def test_empty_decks_and_cards_without_a_language_stay():
    names = ["Empty", "Empty::Child", "Old"]
    contents = {"Old": [("builtin:old", None)]}
    assert other_language_decks("en", names, contents) == frozenset()
