"""The note types quizapp writes into a package: Anki's stock Basic, Basic
(and reversed card), Basic (type in the answer, with a Back Extra field)
and Cloze, as schema 11 stores them (``col.models`` JSON), with ids fixed
for every export so Anki matches them on import."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = ["BASIC", "CLOZE", "MODELS", "REVERSED", "TYPE_IN", "Model", "stable_id"]

_CSS = """.card {
    font-family: arial;
    font-size: 20px;
    line-height: 1.5;
    text-align: center;
    color: black;
    background-color: white;
}
"""
_CLOZE_CSS = (
    _CSS
    + """.cloze {
    font-weight: bold;
    color: blue;
}
.nightMode .cloze {
    color: lightblue;
}
"""
)
_LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n"
)
_LATEX_POST = "\\end{document}"
_ANSWER = "{{FrontSide}}\n\n<hr id=answer>\n\n"


def stable_id(key: str) -> int:
    """A positive id below 2**53 (JavaScript-safe, as Anki needs), fixed for ``key``."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:6], "big") + 1


@dataclass(frozen=True)
class Model:
    """A note type as a schema 11 collection stores it (Anki's "model")."""

    key: str
    name: str
    fields: tuple[str, ...]
    #: (name, question, answer) per card template.
    templates: tuple[tuple[str, str, str], ...]
    cloze: bool = False
    stock_kind: int = 0

    @property
    def id(self) -> int:
        return stable_id(f"quizapp:model:{self.key}")

    def to_json(self, now: int) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "type": 1 if self.cloze else 0,
            "mod": now,
            "usn": -1,
            "sortf": 0,
            "did": None,
            "tmpls": [
                {
                    "name": name,
                    "ord": ord_,
                    "qfmt": q,
                    "afmt": a,
                    "bqfmt": "",
                    "bafmt": "",
                    "did": None,
                    "bfont": "",
                    "bsize": 0,
                }
                for ord_, (name, q, a) in enumerate(self.templates)
            ],
            "flds": [
                {
                    "name": name,
                    "ord": ord_,
                    "sticky": False,
                    "rtl": False,
                    "font": "Arial",
                    "size": 20,
                    "description": "",
                    "plainText": False,
                    "collapsed": False,
                    "excludeFromSearch": False,
                }
                for ord_, name in enumerate(self.fields)
            ],
            "css": _CLOZE_CSS if self.cloze else _CSS,
            "latexPre": _LATEX_PRE,
            "latexPost": _LATEX_POST,
            "latexsvg": False,
            # Which fields must be non-empty for each card: its question's.
            "req": self._requirements(),
            "tags": [],
            "vers": [],
            "originalStockKind": self.stock_kind,
        }

    def _requirements(self) -> list:
        if self.cloze:
            return [[0, "any", [0]]]
        return [[o, "any", [self.fields.index(_question_field(q))]] for o, (_, q, _) in enumerate(self.templates)]


def _question_field(qfmt: str) -> str:
    m = re.search(r"\{\{(?:type:)?([^#/^}][^}]*)\}\}", qfmt)
    if m is None:
        raise ValueError(f"template shows no field: {qfmt!r}")
    return m.group(1)


BASIC = Model("basic", "Basic", ("Front", "Back"), (("Card 1", "{{Front}}", _ANSWER + "{{Back}}"),), stock_kind=1)
REVERSED = Model(
    "reversed",
    "Basic (and reversed card)",
    ("Front", "Back"),
    (("Card 1", "{{Front}}", _ANSWER + "{{Back}}"), ("Card 2", "{{Back}}", _ANSWER + "{{Front}}")),
    stock_kind=2,
)
TYPE_IN = Model(
    "type",
    "Basic (type in the answer)",
    ("Front", "Back", "Back Extra"),
    (("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}\n\n{{Back Extra}}"),),
    stock_kind=4,
)
CLOZE = Model(
    "cloze",
    "Cloze",
    ("Text", "Back Extra"),
    (("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}"),),
    cloze=True,
    stock_kind=5,
)
MODELS = (BASIC, REVERSED, TYPE_IN, CLOZE)
