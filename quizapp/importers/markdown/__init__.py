"""Markdown notes in the Obsidian Spaced Repetition plugin's syntax.

``read_markdown(path)`` turns one note into a :class:`ParsedDeck`. It is pure
(file in, cards out: no database, no torch, no textual) and reads the note the
way the plugin (st3v3nmw/obsidian-spaced-repetition) does with its default
settings, so a vault written for the plugin imports unchanged.

Each module does one job, and its docstring gives its rules:

    reader.py      read_markdown: the file (size, encoding, repair), the source, the base deck
    note.py        one note, from its lines to its questions (the other modules' work put together)
    blocks.py      the plugin's block grammar: which lines make a card, and of which form
    clozes.py      ``==highlight==`` and ``{{c1::...}}`` deletions, and the cloze cards of a paragraph
    code_cards.py  fenced ``python`` blocks -> predict-the-output cards
    decks.py       ``#flashcards`` tags -> decks, the cards' tags, what leads a question
    display.py     card text as the terminal shows it (comments, embeds, links, HTML)
    syntax.py      inline pieces the others look for: inline code, headings, comments, block ids
    ids.py         stable card ids: hashes of what does not change when a card is edited

As in the plugin's defaults, ``**bold**`` and ``{{curly}}`` are not clozes.
Deliberate differences from the plugin: whitespace-only lines count as blank;
HTML comments don't nest; a fence closes with a fence at least as long (the
plugin wants the same length); a card is not dropped for lacking a deck tag;
``{{c1::...}}`` Anki clozes are read (the plugin only with a custom pattern);
all the tags leading a question count (the plugin reads the first), also
after a heading; leading headings become context instead of question text.
"""

from quizapp.importers.markdown.code_cards import DEFAULT_CODE_FRONT
from quizapp.importers.markdown.reader import MAX_FILE_BYTES, MAX_LINE_CHARS, read_markdown

__all__ = ["DEFAULT_CODE_FRONT", "MAX_FILE_BYTES", "MAX_LINE_CHARS", "read_markdown"]
