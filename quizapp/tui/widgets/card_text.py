"""Render text from outside (cards, deck and file names, errors, what a snippet printed).

Such text is data: it reaches the screen as `rich.text.Text`, never parsed as
markup, with its control characters made visible and long text cut
(`quizapp.text.shown`). `plain` is the one way to show it in a Static, a Label
or a DataTable cell; `card_text` also styles `code` spans and ``` blocks."""

from __future__ import annotations

import re

from rich.text import Text

from quizapp.answers import Mark
from quizapp.text import shown, visible

_CODE = re.compile(r"```(?:python)?\n?(.*?)```|`([^`\n]+)`", re.DOTALL)
CODE_STYLE = "bold"


def plain(source: str, *, style: str = "", limit: int | None = None) -> Text:
    """``source`` as plain text: no markup, control characters visible, cut when long."""
    return Text(shown(source) if limit is None else shown(source, limit), style=style)


def card_text(source: str, *, highlight: list[str] | None = None) -> Text:
    """Plain text with code spans styled; ``highlight`` marks answer words."""
    source = shown(source)
    text = Text()
    pos = 0
    for m in _CODE.finditer(source):
        text.append(source[pos : m.start()])
        if m.group(1) is not None:
            text.append(m.group(1).rstrip("\n"), style="bold on grey15")
        else:
            text.append(m.group(2), style=CODE_STYLE + " underline")
        pos = m.end()
    text.append(source[pos:])
    for word in highlight or []:
        text.highlight_words([word], style="bold reverse")
    return text


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
