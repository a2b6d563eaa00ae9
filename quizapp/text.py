"""Text from outside (decks, file names, what a snippet printed) made safe to show.

Pure, standard library only. Two rules, applied by the importers (once, when a
card is read) and again by every display (the TUI, the CLI's output):

- `visible` turns control characters, other than newline and tab, into caret
  notation (`ESC` -> `^[`, `BEL` -> `^G`, `DEL` -> `^?`; the C1 controls
  U+0080-U+009F as `M-^[`, as `cat -v` writes them), so that a deck can't
  move the cursor, retitle the terminal or write the clipboard.
- `clip` cuts long text for display with a visible note; `too_long` says
  whether a field is over the import budget (`MAX_FIELD_BYTES`).
"""

from __future__ import annotations

import re

#: The largest card field (front, back, a deck name, a tag) an import accepts, in UTF-8 bytes.
MAX_FIELD_BYTES = 64 * 1024
#: The most characters of one text a screen or the CLI shows before cutting it.
MAX_SHOWN_CHARS = 8_000


def _caret(code: int) -> str:
    if code == 0x7F:
        return "^?"
    if code >= 0x80:
        return "M-" + _caret(code - 0x80)
    return "^" + chr(code + 0x40)


_KEEP = {ord("\n"), ord("\t")}
_TABLE = {c: _caret(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in _KEEP}
_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in _TABLE) + "]")


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab shown in caret
    notation; a CRLF or a lone CR becomes a newline. Linear in ``len(text)``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text) is None:  # the usual case, found at C speed
        return text
    return text.translate(_TABLE)


def clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text) - limit:,} more characters not shown]"


def shown(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """What a screen or the CLI prints for ``text`` from outside: cut, then made visible."""
    return visible(clip(text, limit))


def too_long(text: str, limit: int = MAX_FIELD_BYTES) -> int | None:
    """The size of ``text`` in UTF-8 bytes when it is over ``limit``, else None."""
    if len(text) * 4 <= limit:  # fast path: no UTF-8 character takes more than 4 bytes
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def size_text(size: int) -> str:
    """A byte count for a message: ``"20.0 MB"``, ``"70 KB"``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size // 1024} KB"
