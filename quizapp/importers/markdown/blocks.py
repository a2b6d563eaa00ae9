"""The plugin's block grammar: which lines make a card, and of which form.

The note is read block by block, each block starting at a line, trying in
this order (the plugin's grammar, with its default separators):

1. an HTML comment starting the line (``<!-- ... -->``, possibly over several
   lines): skipped, with any card written inside it;
2. a fenced code block (```` ``` ```` or ``~~~``, closed by a fence of the
   same character at least as long): skipped (but see code_cards.py);
3. ``question:::answer`` on one line: two sibling cards, both ways;
4. ``question::answer`` on one line: one card. The separator is the first
   ``::`` outside inline code (and outside ``{{c1::...}}`` clozes). A
   ``<!--SR:...-->`` comment on the next line belongs to the card;
5. a paragraph with a line holding only ``??``: the lines above it (back to
   where the block started) are one side, the lines below it up to the next
   blank line are the other; two sibling cards;
6. the same with ``?``: one card. Fenced code blocks in the answer may hold
   blank lines;
7. a paragraph (up to the next blank line) with a cloze in one of its lines
   (clozes.py);
8. anything else is plain text, one line at a time.

A blank (or whitespace-only) line ends every multi-line card and cloze, as
the plugin's default empty "end marker" does. Every pass is linear in the
length of the note.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from quizapp.importers.markdown.clozes import has_cloze, mask

__all__ = [
    "INLINE_REVERSED_SEPARATOR",
    "INLINE_SEPARATOR",
    "MAX_CARD_CHARS",
    "MULTILINE_REVERSED_SEPARATOR",
    "MULTILINE_SEPARATOR",
    "Block",
    "Fence",
    "find_blocks",
    "find_fences",
]

INLINE_SEPARATOR = "::"
INLINE_REVERSED_SEPARATOR = ":::"
MULTILINE_SEPARATOR = "?"
MULTILINE_REVERSED_SEPARATOR = "??"
#: Longest card (question and answer, or cloze paragraph, or code block) read.
MAX_CARD_CHARS = 20_000

_FENCE = re.compile(r"^ *(`{3,}|~{3,})(.*)$")


@dataclass
class Block:
    """One question as the plugin's parser finds it (0-based line numbers)."""

    kind: str  # inline | inline_rev | multi | multi_rev | cloze
    first: int
    last: int
    separator: int | None = None  # the "?"/"??" line, or the "::" offset on the first line


@dataclass
class Fence:
    first: int
    last: int
    info: str


def find_fences(lines: list[str]) -> dict[int, Fence]:
    """Fenced code blocks: opening line -> fence (unclosed fences are not blocks)."""
    n = len(lines)
    closers: dict[str, list[tuple[int, int]]] = {"`": [], "~": []}
    for index, line in enumerate(lines):
        stripped = line.strip()
        if len(stripped) >= 3 and stripped[0] in closers and stripped == stripped[0] * len(stripped):
            closers[stripped[0]].append((index, len(stripped)))
    fences: dict[int, Fence] = {}
    index = 0
    while index < n:
        m = _FENCE.match(lines[index])
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            char, length = m.group(1)[0], len(m.group(1))
            candidates = closers[char]
            k = bisect.bisect_right(candidates, (index, 1 << 30))
            while k < len(candidates) and candidates[k][1] < length:
                k += 1
            if k < len(candidates):
                end = candidates[k][0]
                fences[index] = Fence(index, end, m.group(2).strip())
                index = end + 1
                continue
        index += 1
    return fences


def find_blocks(lines: list[str], blank: list[bool], fences: dict[int, Fence]) -> tuple[list[Block], list[Fence]]:
    """The note's cards, and the code blocks standing alone (outside any card)."""
    n = len(lines)
    # Per line: end of its paragraph, and the next "?" / "??" / cloze line (n if none).
    para_end = [n] * (n + 1)
    next_q = [n] * (n + 1)
    next_qq = [n] * (n + 1)
    next_cloze = [n] * (n + 1)
    next_close = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_close[i] = i if "-->" in lines[i] else next_close[i + 1]
        stripped = lines[i].strip()
        para_end[i] = i if blank[i] else para_end[i + 1]
        next_q[i] = i if stripped == MULTILINE_SEPARATOR else next_q[i + 1]
        next_qq[i] = i if stripped == MULTILINE_REVERSED_SEPARATOR else next_qq[i + 1]
        next_cloze[i] = i if has_cloze(lines[i]) else next_cloze[i + 1]

    def comment_end(start: int) -> int | None:
        """Line where the comment opened at the start of ``start`` closes."""
        if "-->" in lines[start][4:]:
            return start
        end = next_close[start + 1]
        return end if end < n else None

    blocks: list[Block] = []
    top_fences: list[Fence] = []
    i = 0
    while i < n:
        line = lines[i]
        if blank[i]:
            i += 1
            continue
        if line.startswith("<!--"):
            end = comment_end(i)
            # "<!-- note --> Q::A": the text after a one-line comment is read.
            if end is not None and not (end == i and line[line.find("-->", 4) + 3 :].strip()):
                i = end + 1
                continue
        if i in fences:
            top_fences.append(fences[i])
            i = fences[i].last + 1
            continue
        inline = inline_separator(line)
        if inline is not None:
            kind, offset = inline
            last = i + 1 if i + 1 < n and lines[i + 1].startswith("<!--SR:") else i
            blocks.append(Block(kind, i, last, offset))
            i = last + 1
            continue
        j = next_qq[i]
        if i < j < para_end[i] and j + 1 < n and not blank[j + 1]:
            last = para_end[j + 1] - 1
            blocks.append(Block("multi_rev", i, last, j))
            i = last + 1
            continue
        j = next_q[i]
        if i < j < para_end[i] and j + 1 < n and not blank[j + 1]:
            k = j + 1
            while k < n and not blank[k]:
                k = fences[k].last + 1 if k in fences else k + 1
            blocks.append(Block("multi", i, k - 1, j))
            i = k
            continue
        if next_cloze[i] < para_end[i]:
            last = para_end[i] - 1
            blocks.append(Block("cloze", i, last))
            i = last + 1
            continue
        i += 1
    return blocks, top_fences


def inline_separator(line: str) -> tuple[str, int] | None:
    """("inline" or "inline_rev", offset of the separator) of a one-line card."""
    if INLINE_SEPARATOR not in line:
        return None
    masked = mask(line, clozes=True)
    k = masked.find(INLINE_REVERSED_SEPARATOR)
    if k > 0:
        return "inline_rev", k
    k = masked.find(INLINE_SEPARATOR)
    if k > 0:
        return "inline", k
    return None
