"""Card text as the terminal shows it.

Scheduling comments (``<!--SR:!2024-01-01,3,250-->``) and every other HTML
comment are removed; so are Obsidian block ids (`` ^abc``). ``![[embeds]]``
become ``[image: name.png]`` (``[embed: name]`` for notes), Markdown images
``[image: alt]``, ``[[links|alias]]`` their alias or target, ``<iframe>``\\s
``[iframe: src]``, ``<br>`` a new line, layout tags (``<div>``,
``<span>``...) are dropped, and callout markers (``> [!tip] Title``) leave
their text.
"""

from __future__ import annotations

import re

from quizapp.importers.markdown.syntax import BLOCK_ID, strip_comments

__all__ = ["display"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif", ".tif", ".tiff")

# Bounded repetitions keep every pattern linear on hostile input.
_EMBED = re.compile(r"!\[\[([^\]|#^\n]{0,400})(?:[#^][^\]|\n]{0,400})?(?:\|[^\]\n]{0,400})?\]\]")
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,400})\]\([ \t]*<?([^)\s>]{0,2000})>?(?:[ \t]+\"[^\"\n]{0,400}\")?[ \t]*\)")
_WIKILINK = re.compile(r"\[\[([^\]|\n]{1,400})(?:\|([^\]\n]{1,400}))?\]\]")
_IFRAME = re.compile(r"<iframe\b([^>]{0,4000})>", re.IGNORECASE)
_IFRAME_END = re.compile(r"</iframe\s{0,20}>", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b([^>]{0,4000})>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|title|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LAYOUT_TAGS = re.compile(
    r"</?(?:div|span|p|font|center|small|big|mark|u|ins|del|s|details|summary|section|article|aside|figure|figcaption)"
    r"\b[^>]{0,1000}>",
    re.IGNORECASE,
)
_CALLOUT = re.compile(r"^[ \t]*>[ \t]*\[!([\w-]+)\][+-]?[ \t]*(.*)$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(text)}


def _embed(m: re.Match) -> str:
    target = m.group(1).strip()
    if not target:
        return ""
    kind = "image" if target.lower().endswith(IMAGE_EXTENSIONS) else "embed"
    return f"[{kind}: {target}]"


def _md_image(m: re.Match) -> str:
    alt, src = m.group(1).strip(), m.group(2).strip()
    label = alt or src.rstrip("/").rsplit("/", 1)[-1]
    return f"[image: {label}]" if label else "[image]"


def _iframe(m: re.Match) -> str:
    attrs = _attrs(m.group(1))
    src = attrs.get("src", "").strip()
    return f"[iframe: {src}]" if src else "[iframe]"


def _img_tag(m: re.Match) -> str:
    attrs = _attrs(m.group(1))
    label = attrs.get("alt") or attrs.get("src", "").rstrip("/").rsplit("/", 1)[-1]
    return f"[image: {label}]" if label else "[image]"


def display(text: str) -> str:
    """Card text as the terminal shows it (see the module docstring)."""
    if not text:
        return ""
    text = strip_comments(text)
    if "<" in text:
        text = _IFRAME_END.sub("", _IFRAME.sub(_iframe, text))
        text = _IMG_TAG.sub(_img_tag, text)
        text = _BR.sub("\n", text)
        text = _LAYOUT_TAGS.sub("", text)
    if "[" in text:
        text = _EMBED.sub(_embed, text)
        text = _MD_IMAGE.sub(_md_image, text)
        text = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)
    if ">" in text:
        text = _CALLOUT.sub(lambda m: m.group(2).strip(), text)
        text = _QUOTE.sub("", text)
    if "^" in text:
        text = BLOCK_ID.sub("", text)
    text = text.replace("&nbsp;", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()
