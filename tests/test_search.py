"""The browser's search language (quizapp.search): parsing and folding,
without a database."""

from __future__ import annotations

import subprocess
import sys

from quizapp.search import And, Not, Or, Term, fold, parse


def test_parse_tree():
    assert parse('deck:"PyTorch (ES)::Broadcasting" -is:suspended (a or b)') == And(
        (
            Term("deck", "PyTorch (ES)::Broadcasting"),
            Not(Term("is", "suspended")),
            Or((Term(None, "a"), Term(None, "b"))),
        )
    )


def test_fold():
    assert fold("¿Cuántos NÚMEROS?") == "¿cuantos numeros?"
    assert fold("Straße") == "strasse"
    assert fold("e\u0301") == "e"  # decomposed accents too


def test_the_language_needs_no_database():
    """Parsing is pure: importing quizapp.search loads neither SQLAlchemy nor SQLModel."""
    code = "import sys, quizapp.search; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'sqlalchemy'" not in loaded and "'sqlmodel'" not in loaded
