"""quizapp.text: control characters made visible, long text cut, the size budget."""

from __future__ import annotations

import unicodedata

from quizapp.text import MAX_FIELD_BYTES, clip, shown, size_text, too_long, visible


def test_every_control_character_but_newline_and_tab_is_shown_in_caret_notation():
    assert visible("a\x1b]2;TITLE\x07b") == "a^[]2;TITLE^Gb"
    assert visible("\x00\x01\x1f\x7f") == "^@^A^_^?"
    assert visible("\x9b31m\x85") == "M-^[31mM-^E"  # C1 controls, as cat -v writes them
    assert visible("one\ttwo\nthree") == "one\ttwo\nthree"
    assert visible("crlf\r\nlone\rcr") == "crlf\nlone\ncr"
    assert visible("números · 日本 [/] ✓") == "números · 日本 [/] ✓"


def test_visible_leaves_no_control_character_and_is_idempotent():
    every = "".join(chr(c) for c in range(0x200))
    out = visible(every)
    assert not [c for c in out if unicodedata.category(c) == "Cc" and c not in "\n\t"]
    assert visible(out) == out


def test_clip_says_how_much_was_left_out():
    assert clip("short") == "short"
    assert clip("x" * 10, 4) == "xxxx… [cut: 6 more characters not shown]"
    assert shown("\x1b" * 10, 2) == "^[^[… [cut: 8 more characters not shown]"


def test_the_size_budget_counts_utf8_bytes():
    assert too_long("x" * MAX_FIELD_BYTES) is None
    assert too_long("x" * (MAX_FIELD_BYTES + 1)) == MAX_FIELD_BYTES + 1
    assert too_long("é" * (MAX_FIELD_BYTES // 2 + 1)) == MAX_FIELD_BYTES + 2
    assert size_text(20 * 1024 * 1024) == "20.0 MB" and size_text(70 * 1024) == "70 KB"
