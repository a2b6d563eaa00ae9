"""Anki's formats: what the importers and the exporters both need to know.

    ids.py         note guid <-> quizapp card id, the same both ways and for every format
    cloze.py       ``{{c1::answer::hint}}`` deletions: the card sides and answers
    html_text.py   a field's HTML <-> the plain text a terminal shows
    collection.py  how a collection's columns encode fields, deck names and intervals
    notetypes.py   note types recognised by their structure (which fields a template asks and shows)
    package.py     the .apkg zip: which member holds the collection, its format version, the media map
    budget.py      bytes out of a zip member or a zstd stream within a size budget (zip bombs)
    protobuf.py    just enough protobuf for Anki 2.1.50+ configs, meta and media map
    media.py       media file names from outside, made safe
    errors.py      why a package is refused

The reader is quizapp.importers.apkg and quizapp.importers.anki_text; the
writers, quizapp.exporters.apkg and quizapp.exporters.anki_text. Pure: the
standard library only (zstandard, for .anki21b, is loaded when one is read).
"""
