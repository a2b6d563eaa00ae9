"""How Anki note guids and quizapp card ids map onto each other, the same
way for Anki text files and Anki packages, in both directions: a note keeps
its id whichever way it travels (quizapp -> Anki -> quizapp, or Anki ->
quizapp -> Anki)."""

from __future__ import annotations

#: Guids written by quizapp's exporters: the card id after this prefix.
GUID_PREFIX = "quizapp:"
#: The namespace of notes that come from Anki (the .apkg importer's too).
ANKI_NAMESPACE = "apkg:"


def card_id_for_guid(guid: str) -> str:
    """The quizapp id of the note with Anki guid ``guid``.

    A guid written by quizapp (``quizapp:pytorch-es:tensors``) gives back
    the card id it was written for; any other guid, one Anki made, is the
    ``apkg:`` namespace + the guid, as the .apkg importer names notes, so a
    note keeps its id whichever way it travels.
    """
    if guid.startswith(GUID_PREFIX) and len(guid) > len(GUID_PREFIX):
        return guid[len(GUID_PREFIX) :]
    return f"{ANKI_NAMESPACE}{guid}"


def guid_for_card_id(card_id: str) -> str:
    """The inverse of card_id_for_guid: the guid to write for a note."""
    if card_id.startswith(ANKI_NAMESPACE) and len(card_id) > len(ANKI_NAMESPACE):
        return card_id[len(ANKI_NAMESPACE) :]
    return f"{GUID_PREFIX}{card_id}"


__all__ = ["ANKI_NAMESPACE", "GUID_PREFIX", "card_id_for_guid", "guid_for_card_id"]
