"""Which reader a ``.txt`` file needs: a Markdown note (Obsidian saves notes
as ``.md``, but a note copied or mailed often arrives as ``.txt``) or an Anki
text export (Anki's "Notes in Plain Text" is ``.txt`` too). Pure: the first
64 KB of text in, a verdict out.

- Anki's own headers (``#separator:``, ``#html:``, ``#notetype column:``...)
  say Anki text.
- Markdown shows itself by a YAML front matter, ``# headings``, ``` fences,
  ``question::answer`` lines, ``==highlights==``, ``![[embeds]]``.
- Anki text has a consistent separator: most rows split into the same number
  (two or more) of fields by one of tab, ``;``, ``,`` or ``|``.

Markdown signs and no consistent separator: a note. A consistent separator
and no Markdown sign: Anki text. Anything else is unclear, and the caller
asks the learner to choose (``--format markdown|anki-text``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from enum import StrEnum

__all__ = ["SNIFF_CHARS", "TextFormat", "guess_text_format"]

#: How much of a file is looked at.
SNIFF_CHARS = 64 * 1024


class TextFormat(StrEnum):
    MARKDOWN = "markdown"
    ANKI_TEXT = "anki-text"


_ANKI_HEADER = re.compile(
    r"^#(separator|html|notetype|deck|tags|columns|guid column|notetype column|deck column|tags column"
    r"|if matches|match scope):",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^#{1,6}[ \t]+\S")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_MARKDOWN_SIGNS = (
    re.compile(r"\S[ \t]*:{2,3}[ \t]*\S"),  # question::answer (not Anki's "{{c1::")
    re.compile(r"==[^=\n]+=="),
    re.compile(r"!\[\[[^\]\n]+\]\]"),
    re.compile(r"^[ \t]*#flashcards\b", re.IGNORECASE),
)
_SEPARATORS = ("\t", ";", ",", "|")
#: Share of rows that must split alike for a separator to count as consistent.
_CONSISTENT = 0.8


def guess_text_format(text: str) -> TextFormat | None:
    """The format ``text`` (the start of a file) is written in, or None when unclear."""
    lines = text[:SNIFF_CHARS].replace("\r\n", "\n").split("\n")
    if len(text) > SNIFF_CHARS:
        lines = lines[:-1]  # cut mid-line
    if any(_ANKI_HEADER.match(line) for line in lines[:20]):
        return TextFormat.ANKI_TEXT
    markdown = _markdown_signs(lines)
    separated = _consistent_separator([line for line in lines if line.strip()])
    if markdown and not separated:
        return TextFormat.MARKDOWN
    if separated and not markdown:
        return TextFormat.ANKI_TEXT
    return None


def _markdown_signs(lines: list[str]) -> int:
    signs = 0
    if lines and lines[0].rstrip() == "---" and any(line.rstrip() in ("---", "...") for line in lines[1:50]):
        signs += 1
    fences = 0
    for line in lines:
        if _FENCE.match(line):
            fences += 1
        elif _HEADING.match(line) or ("{{c" not in line and any(sign.search(line) for sign in _MARKDOWN_SIGNS)):
            signs += 1
    return signs + fences // 2  # a block opens and closes


def _consistent_separator(rows: list[str]) -> str | None:
    """The separator most records split by into the same 2+ fields, if any
    (quoted fields, with separators or line breaks in them, read as Anki does)."""
    if not rows:
        return None
    text = "\n".join(row for row in rows if not row.startswith("#"))
    for separator in _SEPARATORS:
        try:
            records = [record for record in csv.reader(io.StringIO(text), delimiter=separator) if record]
        except csv.Error:
            continue
        if not records:
            continue
        fields, alike = Counter(len(record) for record in records).most_common(1)[0]
        if fields >= 2 and alike >= _CONSISTENT * len(records):
            return separator
    return None
