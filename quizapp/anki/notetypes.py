"""Note types recognised by their structure, not by their name.

A note type's templates say which fields a card asks and which it shows:
a cloze type gives cloze cards; a template with ``{{type:Field}}`` gives a
type-the-answer card; one question field and one answer field per template
(Basic, reversed, optional reversed) is standard; anything else is not, and
is read as Basic from the first field of each side. Renamed copies of the
stock types (and other languages' names) are recognised the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Layout", "NoteType", "Template", "analyse", "cloze_fields", "template_fields"]

#: ``{{Field}}``, ``{{filter:Field}}``, and the conditionals ``{{#F}} {{^F}} {{/F}}``.
_REF = re.compile(r"\{\{([#^/]?)([^{}]*)\}\}")


@dataclass
class Template:
    ord: int
    name: str
    qfmt: str
    afmt: str


@dataclass
class Layout:
    """Which fields a template shows: question, answer, typed answer."""

    question: list[str]
    answer: list[str]
    typed: str | None = None


@dataclass
class NoteType:
    id: int
    name: str
    cloze: bool
    fields: list[str]
    templates: dict[int, Template]
    #: Anki's originalStockKind (6: image occlusion).
    stock_kind: int = 0
    #: Filled by analyse: per template ord, how its card is read.
    layout: dict[int, Layout] = field(default_factory=dict)
    standard: bool = True
    reversed_pair: bool = False
    image_occlusion: bool = False


def template_fields(template: str, fields: list[str]) -> tuple[list[str], list[str]]:
    """Fields a template shows (in order, once each), and those it asks to type."""
    shown: list[str] = []
    typed: list[str] = []
    for sigil, body in _REF.findall(template):
        if sigil:  # {{#F}}, {{^F}}, {{/F}}: conditions, not content
            continue
        parts = [p.strip() for p in body.split(":")]
        name, filters = parts[-1], parts[:-1]
        if name not in fields:  # FrontSide, Tags, Deck, Card...
            continue
        target = typed if "type" in filters else shown
        if name not in target:
            target.append(name)
    return shown, typed


def analyse(nt: NoteType) -> None:
    """Decide how each template's card is read, and whether the type is standard."""
    text = " ".join(t.qfmt + t.afmt for t in nt.templates.values())
    nt.image_occlusion = nt.cloze and (nt.stock_kind == 6 or "image-occlusion" in text)
    for ord_, t in nt.templates.items():
        q_shown, q_typed = template_fields(t.qfmt, nt.fields)
        a_shown, a_typed = template_fields(t.afmt, nt.fields)
        typed_fields = q_typed or a_typed
        typed = typed_fields[0] if typed_fields else None
        question = [f for f in q_shown if f != typed]
        answer = [f for f in a_shown if f not in question and f != typed]
        nt.layout[ord_] = Layout(question, answer, typed)
        if len(question) != 1 or len(answer) > 1 or len(q_typed) + len(a_typed) > (2 if typed else 0):
            nt.standard = False
    if not nt.cloze and len(nt.templates) == 2 and 0 in nt.layout and 1 in nt.layout:
        first, second = nt.layout[0], nt.layout[1]
        nt.reversed_pair = (
            not first.typed and not second.typed and first.question == second.answer and first.answer == second.question
        )
    if not nt.cloze and len(nt.templates) > 1 and not nt.reversed_pair:
        nt.standard = False


def cloze_fields(nt: NoteType, template: Template | None) -> tuple[str, list[str]]:
    """The field holding the cloze text, and the fields shown with the answer."""
    text_field = nt.fields[0] if nt.fields else ""
    if template is not None:
        for sigil, body in _REF.findall(template.qfmt):
            parts = [p.strip() for p in body.split(":")]
            if not sigil and "cloze" in parts[:-1] and parts[-1] in nt.fields:
                text_field = parts[-1]
                break
        shown, _ = template_fields(template.afmt, nt.fields)
        return text_field, [f for f in shown if f != text_field]
    return text_field, []
