"""The browser's search language (quizapp.search): parsing and folding,
without a database."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from quizapp.search import LITERAL_STAR, And, Not, Or, QueryError, Term, collapse_stars, fold, parse, wildcard_match


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


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("a*", "a", True),
        ("*a", "ba", True),
        ("*a*b", "xaxb", True),
        ("*a*b", "xbxa", False),
        ("a*a", "a", False),  # the two pieces may not overlap
        ("*aa*aa*", "aaa", False),
        ("*aa*aa*", "aaaa", True),
        ("*", "", True),
        ("", "", True),
        ("a" + LITERAL_STAR, "a*", True),
        ("a" + LITERAL_STAR, "ab", False),
        ("*a*a*a*a*a*ab", "a" * 100_000, False),  # instant: no backtracking
        ("*" * 200 + "x", "leech", False),
    ],
)
def test_wildcard_match(pattern, text, matches):
    assert wildcard_match(pattern, text) is matches


def test_wildcard_match_agrees_with_a_regex_on_small_cases():
    alphabet = "ab*" + LITERAL_STAR

    def regex(pattern: str) -> re.Pattern[str]:
        return re.compile("".join(".*" if c == "*" else re.escape("*" if c == LITERAL_STAR else c) for c in pattern))

    def words(n: int, letters: str) -> list[str]:
        return [""] if n == 0 else [w + c for w in words(n - 1, letters) for c in letters] + words(n - 1, letters)

    patterns, texts = set(words(4, alphabet)), set(words(4, "ab*"))
    for pattern in patterns:
        for text in texts:
            expected = regex(pattern).fullmatch(text) is not None
            assert wildcard_match(pattern, text) is expected, (pattern, text)
            assert wildcard_match(collapse_stars(pattern), text) is expected


def test_collapse_stars():
    assert collapse_stars("a***b**") == "a*b*"
    assert collapse_stars(LITERAL_STAR * 3) == LITERAL_STAR * 3


@pytest.mark.parametrize(
    "query, message",
    [
        (" ".join(["a"] * 1100), "at most 200"),
        (" or ".join(["a"] * 600), "at most 200"),
        ("x" * 60_000, "at most 1000"),
        ("tag:" + "y" * 5000, "at most 1000"),
    ],
)
def test_searches_too_long_for_the_database_are_search_errors(query, message):
    """SQLite refuses expressions 1,000 levels deep and LIKE patterns over
    50 KB; the parser refuses such searches first, in one line."""
    with pytest.raises(QueryError, match=message):
        parse(query)


def test_a_long_but_reasonable_search_parses():
    assert parse(" ".join(["word"] * 60) + " " + "z" * 1000) is not None
