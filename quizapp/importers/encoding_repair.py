"""Undo Mac Roman mojibake: UTF-8 text once decoded as Mac Roman and saved again as UTF-8.

The damage turns every non-ASCII character into two to four Mac Roman
characters: "números" becomes "n√∫meros", "¿" becomes "¬ø", "❌" becomes
"‚ùå" and "🤖" becomes "\\uf8ffü§ñ". Each damaged character is therefore a run
of characters from the upper half of Mac Roman (bytes 0x80-0xFF), and
encoding that run as Mac Roman gives back the original UTF-8 bytes.

:func:`repair_mojibake` works span by span and never on the whole text, so
a note where one paragraph is damaged and another was written correctly
comes out right:

* ASCII is never touched; only maximal runs of Mac Roman upper-half
  characters are looked at.
* Inside a run, each UTF-8 sequence is decoded on its own; a character that
  does not start a valid sequence is kept as it is (a correct "ñ" is byte
  0x96 in Mac Roman, a UTF-8 continuation byte, so it never decodes).
* A decoded character must be plausible text: no control characters, no
  private-use or unassigned code points.
* Sequences that correct prose can produce by accident are only trusted in
  a line that is already known to be damaged. Two-byte sequences led by
  "¬" or "√" (0xC2/0xC3: all of Latin-1, so every Spanish accent) and all
  three- and four-byte sequences are "certain": correct text practically
  never holds "√©" or "‚ùå". Two-byte sequences led by common punctuation
  ("«é" is 0xC7 0x8E, valid UTF-8 for "ǎ"; "—É" would become Cyrillic) are
  only decoded in a line that also holds a certain one.

Text damaged twice is repaired by repeating the pass (at most three times).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["damage_count", "looks_damaged", "repair_mojibake"]

#: The 128 characters Mac Roman puts at bytes 0x80-0xFF, in byte order.
_HIGH = bytes(range(0x80, 0x100)).decode("mac_roman")
_SPAN = re.compile("[" + re.escape(_HIGH) + "]+")
#: Characters whose Mac Roman byte is a UTF-8 continuation byte (0x80-0xBF).
_CONTINUATION = set(bytes(range(0x80, 0xC0)).decode("mac_roman"))
#: Two-byte lead bytes whose result (U+0080-U+00FF) is trusted on its own.
_CERTAIN_TWO_BYTE_LEADS = (0xC2, 0xC3)
_REJECTED_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
_MAX_PASSES = 3


def _sequence_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _plausible(char: str) -> bool:
    # U+F8FF (the Apple logo, byte 0xF0 of Mac Roman) is private use, but it is
    # what the lead byte of an emoji becomes: text damaged twice holds it.
    return char == "\uf8ff" or unicodedata.category(char) not in _REJECTED_CATEGORIES


def _decode_span(span: str, *, trust_all: bool) -> tuple[str, int, int]:
    """Decode the UTF-8 sequences of one span: (text, certain repairs, other repairs)."""
    raw = span.encode("mac_roman")  # one byte per character: indices line up
    out: list[str] = []
    certain = other = 0
    i = 0
    while i < len(raw):
        n = _sequence_length(raw[i])
        if n and i + n <= len(raw):
            try:
                char = raw[i : i + n].decode("utf-8")
            except UnicodeDecodeError:
                char = ""
            if len(char) == 1 and _plausible(char):
                is_certain = n > 2 or raw[i] in _CERTAIN_TWO_BYTE_LEADS
                if is_certain or trust_all:
                    out.append(char)
                    certain += is_certain
                    other += not is_certain
                    i += n
                    continue
        out.append(span[i])
        i += 1
    return "".join(out), certain, other


def _repair_line(line: str) -> str:
    spans = list(_SPAN.finditer(line))
    if not spans:
        return line
    # First: is this line damaged at all (does it hold a certain sequence)?
    damaged = any(_decode_span(m.group(), trust_all=False)[1] for m in spans)
    if not damaged:
        return line
    parts: list[str] = []
    last = 0
    for m in spans:
        parts.append(line[last : m.start()])
        parts.append(_decode_span(m.group(), trust_all=True)[0])
        last = m.end()
    parts.append(line[last:])
    return "".join(parts)


def _repair_once(text: str) -> str:
    if text.isascii():
        return text
    return "\n".join(_repair_line(line) for line in text.split("\n"))


def repair_mojibake(text: str) -> str:
    """``text`` with its Mac Roman mojibake undone; undamaged text is returned unchanged."""
    for _ in range(_MAX_PASSES):
        repaired = _repair_once(text)
        if repaired == text:
            break
        text = repaired
    return text


def damage_count(text: str) -> int:
    """How many certain mojibake sequences ``text`` holds (0 for clean text)."""
    if text.isascii():
        return 0
    return sum(_decode_span(m.group(), trust_all=False)[1] for m in _SPAN.finditer(text))


def looks_damaged(text: str) -> bool:
    """True if ``text`` shows Mac Roman mojibake ("√©", "¬ø", "‚ùå"...)."""
    return damage_count(text) > 0
