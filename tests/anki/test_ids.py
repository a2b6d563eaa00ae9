"""How Anki guids and quizapp card ids map onto each other (quizapp.anki.ids),
for text files and packages alike, both ways."""

import pytest

from quizapp.anki.ids import card_id_for_guid, guid_for_card_id


@pytest.mark.parametrize(
    ("guid", "card_id"),
    [
        ("f0>(Vu%8Y,", "apkg:f0>(Vu%8Y,"),  # made by Anki: the .apkg importer's namespace
        ("ab:cdefghi", "apkg:ab:cdefghi"),  # Anki guids may hold ':' too
        ("quizapp:pytorch-es:tensors", "pytorch-es:tensors"),  # written by quizapp
        ("quizapp:apkg:xyz", "apkg:xyz"),
        ("quizapp:", "apkg:quizapp:"),
    ],
)
def test_card_id_for_guid(guid, card_id):
    assert card_id_for_guid(guid) == card_id


@pytest.mark.parametrize(
    "card_id", ["pytorch-es:tensors", "apkg:f0>(Vu%8Y,", "apkg:ab:cd", "anki-text:0123abcd", "x::y"]
)
def test_guid_for_card_id_is_its_inverse(card_id):
    assert card_id_for_guid(guid_for_card_id(card_id)) == card_id


def test_guid_of_a_card_from_anki_is_its_own():
    assert guid_for_card_id("apkg:f0>(Vu%8Y,") == "f0>(Vu%8Y,"
    assert guid_for_card_id("pytorch-es:shape") == "quizapp:pytorch-es:shape"
