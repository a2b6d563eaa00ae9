"""Render text from outside (cards, deck and file names, errors, what a snippet printed).

Such text is data: it reaches the screen as `rich.text.Text` or
`textual.content.Content` built from plain strings, never parsed as markup,
with its control characters made visible and long text cut
(`quizapp.text.shown`). `plain` is the one way to show it in a Static, a Label
or a DataTable cell. Card sides are Markdown as notes write them: `card_text`
and `card_content` show ``**bold**``, ``_italic_``, `` `code` `` and ```
blocks as such (the delimiters go, the text stays data); `card_content` and
`code_content` also highlight Python code with Textual's own highlighter."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.text import Text
from textual.content import Content
from textual.highlight import highlight as highlight_code

from quizapp.answers import Mark
from quizapp.text import shown, visible

_CODE = re.compile(r"```(?:python|py)?[ \t]*\n?(.*?)```|`([^`\n]+)`", re.DOTALL)
#: Emphasis within a line: **bold** or __bold__, then *italic* or _italic_
#: (an underscore inside a word, as in zeros_like, is not emphasis).
_EMPHASIS = re.compile(
    r"(\*\*|__)(?=\S)([^\n]+?)(?<=\S)\1"
    r"|(?<![\w*])([*_])(?=\S)([^\n]+?)(?<=\S)\3(?![\w*])"
)
#: Emphasis nests at most this deep (``_**forma**_`` is two).
_MAX_NESTING = 4
CODE_STYLE = "bold"
#: How a code block inside card text is set apart without colour.
CODE_INDENT = "  "


def plain(source: str, *, style: str = "", limit: int | None = None) -> Text:
    """``source`` as plain text: no markup, control characters visible, cut when long."""
    return Text(shown(source) if limit is None else shown(source, limit), style=style)


def _emphasis(source: str, style: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """``source`` (no code in it) split into (text, style) with emphasis applied."""
    pos = 0
    for m in _EMPHASIS.finditer(source) if depth < _MAX_NESTING else ():
        if m.start() > pos:
            yield source[pos : m.start()], style
        inner, added = (m.group(2), "bold") if m.group(1) else (m.group(4), "italic")
        yield from _emphasis(inner, f"{style} {added}".strip(), depth + 1)
        pos = m.end()
    if pos < len(source):
        yield source[pos:], style


def markdown_pieces(source: str) -> Iterator[tuple[str, str, bool]]:
    """Card text (already ``shown``) as (text, style, is a code block): the
    Markdown delimiters removed, every piece still plain text."""
    pos = 0
    for m in _CODE.finditer(source):
        yield from ((t, st, False) for t, st in _emphasis(source[pos : m.start()]))
        if m.group(1) is not None:
            yield m.group(1).rstrip("\n"), "", True
        else:
            yield m.group(2), CODE_STYLE + " underline", False
        pos = m.end()
    yield from ((t, st, False) for t, st in _emphasis(source[pos:]))


def card_text(source: str, *, highlight: list[str] | None = None) -> Text:
    """Card text with its Markdown shown (emphasis, code); ``highlight``
    marks answer words. Plain text otherwise: no markup."""
    text = Text()
    for piece, style, block in markdown_pieces(shown(source)):
        text.append(piece, style="bold on grey15" if block else style)
    for word in highlight or []:
        text.highlight_words([word], style="bold reverse")
    return text


def code_content(code: str) -> Content:
    """A Python snippet, highlighted by Textual (theme colours; in NO_COLOR
    the text is unchanged, set apart by the widget that shows it)."""
    return highlight_code(shown(code), language="python")


def card_content(source: str, *, highlight: list[str] | None = None) -> Content:
    """As ``card_text``, for the review screen: code blocks are highlighted
    and indented (set apart in NO_COLOR too)."""
    parts: list[Content] = []
    for piece, style, block in markdown_pieces(shown(source)):
        if block:
            code = highlight_code(piece, language="python")
            lines = code.split("\n")
            parts.append(Content("\n").join([Content(CODE_INDENT) + line for line in lines]))
        else:
            parts.append(Content.styled(piece, style) if style else Content(piece))
    content = Content("").join(parts)
    for word in highlight or []:
        if word:
            content = content.highlight_regex(re.escape(word), style="bold reverse")
    return content


def diff_text(marks: list[tuple[str, Mark]]) -> Text:
    """A typed or expected answer with wrong and missing stretches marked by
    style and by brackets, so the difference doesn't rely on colour alone."""
    text = Text()
    for chunk, mark in marks:
        chunk = visible(chunk)
        if mark is Mark.SAME:
            text.append(chunk, style="bold")
        elif mark is Mark.WRONG:
            text.append(f"[-{chunk}]", style="bold strike red")
        else:
            text.append(f"[+{chunk}]", style="bold underline green")
    return text
