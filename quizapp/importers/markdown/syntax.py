"""The inline pieces of Obsidian Markdown the other modules look for: inline
code (where nothing counts), headings, HTML comments (``<!--SR:...-->``
scheduling comments among them) and block ids (`` ^abc``)."""

from __future__ import annotations

import re

__all__ = ["BLOCK_ID", "HEADING", "INLINE_CODE", "block_id", "heading_title", "strip_comments", "unheading"]

INLINE_CODE = re.compile(r"`[^`\n]*`")
BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$", re.MULTILINE)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")


def strip_comments(text: str, *, sr_only: bool = False, replacement: str = "") -> str:
    """``text`` without HTML comments (or only ``<!--SR:...-->`` ones); an
    unclosed comment is left as written."""
    opener = "<!--SR:" if sr_only else "<!--"
    if opener not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        start = text.find(opener, pos)
        end = text.find("-->", start + len(opener)) if start >= 0 else -1
        if end < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        out.append(replacement)
        pos = end + 3


def heading_title(m: re.Match) -> str:
    """A heading's text, without the optional closing ``#`` run."""
    title = m.group(2).rstrip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.rstrip()
    return title


def unheading(text: str) -> str:
    """A question written as a heading (``## What is...?``) without its ``#`` marks."""
    if "#" not in text:
        return text
    return "\n".join(heading_title(m) if (m := HEADING.match(line)) else line for line in text.split("\n"))


def block_id(text: str) -> str | None:
    """The Obsidian block id (``^tensor-shape``) ``text`` carries, if any."""
    m = BLOCK_ID.search(strip_comments(text, sr_only=True))
    return m.group(1) if m else None
