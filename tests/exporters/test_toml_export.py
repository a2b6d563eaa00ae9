"""TOML export imports back identically."""

from __future__ import annotations

import json

import pytest

from quizapp.cli import main
from quizapp.importers.toml_deck import read_toml_deck

DECK = """\
format = 1
[deck]
id = "round"
name = "Round"

[[cards]]
id = "basic"
front = "Q \\"quoted\\" ñ"
back = "line 1\\nline 2"
tags = ["a", "b"]

[[cards]]
id = "both-ways"
type = "reversed"
subdeck = "Sub::Deeper"
front = "vector"
back = "1-D tensor"

[[cards]]
id = "holes"
type = "cloze"
text = "{{c1::torch.zeros}} fills with {{c2::zeros::what?}}"
back = "extra note"

[[cards]]
id = "typed"
type = "type"
front = "dtype?"
answer = "torch.float32"

[[cards]]
id = "gen"
type = "generated"
family = "matmul"
front = "Matmul"
back = ""

[[cards]]
id = "snippet"
type = "code"
front = "Shape?"
code = "torch.ones({n}, 2).shape"
answer = "shape"
params = { n = [1, 2] }
"""


def _parsed(path):
    return [(c.id, c.deck, c.kind, c.front, c.back, c.data, c.tags) for c in read_toml_deck(path).cards]


@pytest.mark.torch  # its deck has code cards, settled in the kernel
def test_export_then_import_is_identical(tmp_path, capsys):
    source = tmp_path / "round.toml"
    source.write_text(DECK, encoding="utf-8")
    db = str(tmp_path / "db.sqlite3")
    assert main(["--db", db, "import", str(source)]) == 0
    out = tmp_path / "out.toml"
    assert main(["--db", db, "export", "--deck", "Round", "--format", "toml", "-o", str(out)]) == 0
    assert _parsed(out) == _parsed(source)
    capsys.readouterr()
    assert main(["--db", db, "import", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["updated"]) == (0, 0) and report["unchanged"] == 8


def test_export_errors_leave_no_file(tmp_path, capsys):
    db = str(tmp_path / "db.sqlite3")
    assert main(["--db", db, "export", "--format", "toml", "-o", str(tmp_path / "no" / "x.toml")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main(["--db", db, "export", "--deck", "Nope", "--format", "toml", "-o", str(tmp_path / "x.toml")]) == 2
    assert not (tmp_path / "x.toml").exists()
    assert list(tmp_path.glob(".x.toml*")) == []
