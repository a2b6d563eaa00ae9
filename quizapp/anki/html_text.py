"""Anki fields are HTML: turn them into the plain text a terminal shows.

Line-breaking tags (Anki's own list, rslib/src/text.rs HTML_LINEBREAK_TAGS)
become line breaks, other tags are dropped, entities are decoded (``&nbsp;``
is a plain space), ``<script>``/``<style>`` lose their content, and media
keep their file names: ``<img src="a.png">`` -> ``[image: a.png]``,
``[sound:x.mp3]`` -> ``[sound: x.mp3]``. Whitespace of the source is kept
(code in a field keeps its indentation); only the ends are trimmed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape

__all__ = ["has_tag", "html_to_text", "sub_sounds", "tag_spans", "text_to_html"]

# Elements that start a new line (as Anki's html_to_text and its TTS stripper).
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "canvas",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "noscript",
        "ol",
        "output",
        "p",
        "pre",
        "section",
        "table",
        "tfoot",
        "thead",
        "tbody",
        "tr",
        "ul",
        "video",
    ]
)
_DROP_CONTENT = frozenset({"script", "style", "head", "title"})
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
# One attribute inside a tag: a name, then maybe = and a quoted or bare value.
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def tag_spans(html: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each tag and comment in ``html``, in order, in linear time.

    A tag is ``<`` and a letter, ``/``, ``!`` or ``?``, up to the first ``>``
    (as Anki's own stripper, ``<.*?>``: a ``>`` inside a quoted attribute ends
    it too); a comment ``<!--`` runs to ``-->``. A ``<`` with no ``>`` after it
    is text, and then so is every later ``<``: the scan stops there. Each
    character is looked at a bounded number of times (no backtracking)."""
    i, n = 0, len(html)
    comment_ends = True  # False once no "-->" is left: later "<!--" are plain tags
    while i < n:
        lt = html.find("<", i)
        if lt < 0 or lt + 1 >= n:
            return
        nxt = html[lt + 1]
        if not (nxt.isalpha() or nxt in "/!?"):
            i = lt + 1
            continue
        if comment_ends and html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            if end >= 0:
                yield lt, end + 3
                i = end + 3
                continue
            comment_ends = False
        gt = html.find(">", lt + 1)
        if gt < 0:
            return
        yield lt, gt + 1
        i = gt + 1


def sub_sounds(text: str, replace: Callable[[str, str], str]) -> str:
    """``text`` with each ``[sound:NAME]`` replaced by ``replace(whole, NAME)``,
    in linear time (the regex ``\\[sound:([^\\]]*)\\]`` rescans to the end
    from every ``[sound:`` that has no ``]``)."""
    pieces, pos = [], 0
    while True:
        start = text.find("[sound:", pos)
        if start < 0:
            break
        end = text.find("]", start + 7)
        if end < 0:
            break  # no "]" is left: no later tag can close either
        pieces += [text[pos:start], replace(text[start : end + 1], text[start + 7 : end])]
        pos = end + 1
    return "".join(pieces) + text[pos:]


def has_tag(text: str) -> bool:
    """True if ``text`` holds a ``<`` with a ``>`` after it (Anki's is_html)."""
    lt = text.find("<")
    return lt >= 0 and text.find(">", lt + 1) >= 0


def _tag(raw: str) -> tuple[str, bool, str]:
    """(lower-case name, is an end tag, the rest) of a tag's text ``<...>``."""
    body = raw[1:-1]
    closing = body.startswith("/")
    if closing:
        body = body[1:]
    end = 0
    while end < len(body) and not (body[end].isspace() or body[end] in "/>"):
        end += 1
    return body[:end].lower(), closing, body[end:]


def _src(attrs: str) -> str | None:
    for m in _ATTR.finditer(attrs):
        if m.group(1).lower() == "src":
            value = next((g for g in m.groups()[1:] if g is not None), None)
            return None if value is None else unescape(value)
    return None


def _parts(html: str) -> list[str]:
    parts: list[str] = []
    dropping = 0

    def newline() -> None:
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    pos = 0
    for start, end in tag_spans(html):
        if start > pos and not dropping:
            parts.append(unescape(html[pos:start]))
        pos = end
        raw = html[start:end]
        if raw.startswith(("<!", "<?")):
            continue  # comments, doctypes, processing instructions
        tag, closing, rest = _tag(raw)
        if closing:
            if tag in _DROP_CONTENT:
                dropping = max(0, dropping - 1)
            elif not dropping and tag in _BLOCK:
                newline()
        elif tag in _DROP_CONTENT:
            if not rest.rstrip().endswith("/"):
                dropping += 1
        elif dropping:
            continue
        elif tag == "br":
            parts.append("\n")
        elif tag == "img":
            src = _src(rest)
            if src:
                parts.append(f"[image: {src.strip()}]")
        elif tag in _BLOCK:
            newline()
    if pos < len(html) and not dropping:
        parts.append(unescape(html[pos:]))
    return parts


def _sound(whole: str, name: str) -> str:
    name = name.strip()
    return f"[sound: {name}]" if name else whole


def html_to_text(html: str) -> str:
    """The plain text of an Anki field (see the module docstring), in time
    linear in its length."""
    if "<" not in html and "&" not in html and "[sound:" not in html:
        return html.strip()
    text = "".join(_parts(html)).replace("\xa0", " ")
    text = sub_sounds(text, _sound)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def text_to_html(text: str) -> str:
    """Plain text as an HTML field that html_to_text turns back into ``text``.

    ``& < >`` are escaped, line breaks become ``<br>``, and runs of spaces
    (code indentation) are kept as ``&nbsp;`` so Anki shows them too.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in escaped.split("\n"):
        # A leading space and every space after another one become &nbsp;.
        line = re.sub(r"(?:^|(?<= )) ", "&nbsp;", line)
        lines.append(line)
    return "<br>".join(lines)
