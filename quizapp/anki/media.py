"""Media file names, which come from outside: the names a package's media map
lists, and the ones fields refer to (``<img src="a.png">``, ``[sound:x.mp3]``).

quizapp never extracts media, but shows their names (``[image: a.png]``); a
name that climbs directories or holds control characters is cut to its last
component, so it can't point anywhere else when a name is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape, unescape
from urllib.parse import unquote

from quizapp.anki.budget import Budget, unzstd
from quizapp.anki.errors import Refused
from quizapp.anki.html_text import sub_sounds, tag_spans
from quizapp.anki.package import MAX_MEDIA_MAP_BYTES, MEDIA
from quizapp.anki.protobuf import pb_fields, pb_str

__all__ = ["media_map_names", "neutralise_media", "safe_media_name"]

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SRC_ATTR = re.compile(r"""(\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_media_name(name: str) -> str:
    """``name`` if it is a plain file name; else its last component, cleaned."""
    decoded = unquote(name)
    unsafe = any(
        "/" in n or "\\" in n or n in (".", "..") or _CONTROL.search(n) or re.match(r"^[A-Za-z]:", n)
        for n in (name, decoded)
    )
    if not unsafe:
        return name
    last = re.split(r"[/\\]", decoded)[-1]
    last = _CONTROL.sub("", last)
    last = re.sub(r"^[A-Za-z]:", "", last).strip()
    return last if last not in ("", ".", "..") else "unnamed"


def media_map_names(raw: bytes, budget: Budget, *, zstd: bool) -> list[str]:
    """The file names a package's media map lists: a zstd protobuf (2.1.50+)
    or a JSON object. Raises ValueError, UnicodeDecodeError or Damaged when
    the map can't be read, and Refused when it expands like a bomb."""
    if zstd or raw.startswith(_ZSTD_MAGIC):
        data = b"".join(unzstd(iter([raw]), MEDIA, budget, len(raw)))
        if len(data) > MAX_MEDIA_MAP_BYTES:
            raise Refused(f"media expands past {MAX_MEDIA_MAP_BYTES // 2**20} MB: refused (zip bomb?)")
        return _media_entries(data)
    mapping = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValueError("not a JSON object of file names")
    return list(mapping.values())


def _media_entries(data: bytes) -> list[str]:
    """MediaEntries { repeated MediaEntry entries = 1 } -> the entries' names
    (MediaEntry: name 1, size 2, sha1 3, legacy_zip_filename 255)."""
    names = []
    for number, entry in pb_fields(data):
        if number == 1 and isinstance(entry, bytes):
            names.append(pb_str(entry, 1))
    return names


def neutralise_media(html: str, on_unsafe: Callable[[str, str], None]) -> str:
    """Media names in a field's ``html`` that would leave the media folder,
    cut to their last part (``on_unsafe(name, kept_as)`` hears of each);
    URLs are left alone and embedded ``data:`` sources become "embedded"."""
    if "src" not in html.lower() and "[sound:" not in html:
        return html

    def clean(raw: str) -> str:
        if _URL.match(raw):
            return raw
        if raw.lower().startswith("data:"):
            return "embedded"
        safe = safe_media_name(raw)
        if safe != raw:
            on_unsafe(raw, safe)
        return safe

    def src(m: re.Match[str]) -> str:
        raw = unescape(next(g for g in m.groups()[1:] if g is not None))
        safe = clean(raw)
        return m.group(0) if safe == raw else f'{m.group(1)}"{escape(safe)}"'

    def sound(whole: str, name: str) -> str:
        raw = name.strip()
        safe = clean(raw)
        return whole if safe == raw else f"[sound:{safe}]"

    # Tags found by a linear scan (a regex for them backtracks on "<a<a<a...").
    pieces, pos = [], 0
    for start, end in tag_spans(html):
        pieces += [html[pos:start], _SRC_ATTR.sub(src, html[start:end])]
        pos = end
    html = "".join(pieces) + html[pos:]
    return sub_sounds(html, sound)
