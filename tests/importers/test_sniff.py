"""A .txt is read as what it holds: a Markdown note or an Anki text export;
when that is unclear, one line says so and names --format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.importers.sniff import TextFormat, guess_text_format
from quizapp.service.importing import read_deck_file

# A note shaped like the project's study note (shared/seed/*.txt): front
# matter, an iframe, headings, a callout, encoding damage, fenced code and a
# question; no separator is consistent from line to line.
NOTE = """\
---
sticker: emoji//1f6a7
tags:
  - ai
  - pytorch
---
<iframe width="560" height="315" src="https://www.youtube.com/embed/x" allowfullscreen></iframe>
# PyTorch fundamentales
___
## Deep learning:
Machine learning convierte los datos en n\u221a\u222bmeros y luego busca patrones; con Matem\u221a\u00b0ticas.

>[!abstract] Cita
>I think you can use ML for literally anything, as long as you convert it into numbers.

## Tensores
```python
import torch
x = torch.zeros(2, 3)
print(x.shape)
```
\u00bfQu\u221a\u00a9 forma tiene `torch.zeros(2, 3)`?::`torch.Size([2, 3])`
"""

ANKI_TEXT = """\
#separator:tab
#html:true
#notetype column:1
Basic\tWhat is a tensor?\tAn n-dimensional array
Basic\tdtype of torch.ones(2)?\ttorch.float32
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NOTE, TextFormat.MARKDOWN),
        ("# Title\n\nquestion::answer\n", TextFormat.MARKDOWN),
        (ANKI_TEXT, TextFormat.ANKI_TEXT),
        ('front\tback\nq2\ta2\nq3\t"two\nlines"\n', TextFormat.ANKI_TEXT),  # no header, quoted line break
        ('a;b\nc;d\ne;"f; g"\n', TextFormat.ANKI_TEXT),
        ("one line of prose\nanother line\n", None),  # neither
        ("# Title\nq\ta\nr\tb\ns\tc\n", None),  # both
    ],
)
def test_guess_text_format(text, expected):
    assert guess_text_format(text) is expected


def test_a_txt_note_imports_as_a_note(tmp_path):
    path = tmp_path / "nota.txt"
    path.write_text(NOTE, encoding="utf-8")
    parsed = read_deck_file(path)
    assert parsed.source == "md:nota.txt"
    [card] = [c for c in parsed.cards if c.kind == "basic"]
    assert card.front == "¿Qué forma tiene `torch.zeros(2, 3)`?"  # the damage repaired
    assert any(c.kind == "code" for c in parsed.cards)


def test_the_study_note_as_given_is_a_note():
    # A byte-identical copy of shared/seed/000_b7e405ba434ba0be.txt.
    seed = Path(__file__).parent / "data/seed/000_b7e405ba434ba0be.txt"
    parsed = read_deck_file(seed)
    assert parsed.source.startswith("md:") and parsed.cards


def test_a_txt_anki_export_still_reads_as_anki_text(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(ANKI_TEXT, encoding="utf-8")
    parsed = read_deck_file(path)
    assert parsed.source == "anki-text:export.txt" and len(parsed.cards) == 2


def test_unclear_txt_names_the_flag_and_the_flag_chooses(tmp_path, capsys):
    path = tmp_path / "mixed.txt"
    path.write_text("# Tensores\nvector\ttensor 1-D\nmatriz\ttensor 2-D\nescalar\ttensor 0-D\n", encoding="utf-8")
    db = str(tmp_path / "db.sqlite3")
    assert main(["--db", db, "import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"{path}: cannot tell whether this is a Markdown note or an Anki text export; "
        "choose with --format markdown or --format anki-text (or name it .md or .csv)"
    )
    assert main(["--db", db, "import", str(path), "--format", "anki-text", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 3


def test_format_reads_any_file_name(tmp_path, capsys):
    path = tmp_path / "nota.text"
    path.write_text("# Tensores\n\nvector::tensor 1-D\n", encoding="utf-8")
    db = str(tmp_path / "db.sqlite3")
    assert main(["--db", db, "import", str(path), "--format", "markdown", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 1
