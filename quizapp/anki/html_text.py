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
from html.parser import HTMLParser

__all__ = ["html_to_text", "text_to_html"]

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
_SOUND = re.compile(r"\[sound:\s*([^\]]+?)\s*\]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._dropping += 1
        elif self._dropping:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.parts.append(f"[image: {src.strip()}]")
        elif tag in _BLOCK:
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <img .../>, <div/>: no content to drop.
        if tag not in _DROP_CONTENT:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self._dropping = max(0, self._dropping - 1)
        elif not self._dropping and tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The plain text of an Anki field (see the module docstring)."""
    if "<" not in html and "&" not in html and "[sound:" not in html:
        return html.strip()
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = _SOUND.sub(lambda m: f"[sound: {m.group(1)}]", text)
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
