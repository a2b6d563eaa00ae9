"""Property-based fuzzing of every importer (TOML, Markdown, Anki text):
FUZZ_CASES mutated and generated files per format, each ending in a parsed
deck or a DeckError whose problems are one line each, never another
exception, within the deadline (tests/fuzz/strategies.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.importers.base import DeckError, ParsedDeck
from quizapp.service.importing import read_deck_file
from tests.conftest import SMALL_DECK
from tests.fuzz.strategies import FUZZ, mutated

pytestmark = pytest.mark.slow

TOML_SEEDS = [
    SMALL_DECK,
    """format = 1
[deck]
id = "code"
name = "Code::Sub"
[[cards]]
id = "c1"
type = "code"
code = "torch.zeros(2, 3).shape"
answer = "shape"
tags = ["a", "b::c"]
""",
    """format = 1
[deck]
id = "gen"
name = "Gen"
[[cards]]
id = "g"
type = "generated"
family = "broadcasting"
""",
]

MARKDOWN_SEEDS = [
    """---
tags: [flashcards/md]
---
# Tensors #flashcards

What is a view?::A tensor sharing storage
Reverse me:::both ways
Multi-line question
?
its answer
spanning lines

A ==highlighted== word and {{c1::torch.cat}} joins ^block-1
<!-- a comment -->
![[embed.png]] [[link|alias]] ![img](x.png)

```python
torch.ones(2).sum()
```
""",
    "#flashcards/deep/er\n> [!note] callout\n> q::a\n\n- item\n- q2::a2\n",
]

ANKI_TEXT_SEEDS = [
    "#separator:tab\n#html:true\n#tags:t1 t2\nfront <b>1</b>\tback &amp; 1\nfront 2\tback<br>2\n",
    "#separator:comma\n#notetype:Cloze\n#deck:D::E\n#columns:Text,Back Extra,Tags\n"
    '"{{c1::a}} b","extra","x y"\n"c {{c2::d::h}}",,\n',
    "#separator:semicolon\n#notetype column:1\n#deck column:2\n#guid column:3\n"
    "Basic;Deck;g1;q;a\nBasic (and reversed card);Deck;g2;q2;a2\n",
    "q1,a1\nq2,a2\n",
]


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="quizapp-fuzz-") as tmp:
        yield Path(tmp)


def _ends_well(path: Path) -> None:
    """The file parses, or is refused with one-line problems naming it."""
    try:
        parsed = read_deck_file(path)
    except DeckError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert "\n" not in problem.message, problem
            assert problem.file.startswith(str(path.parent)), problem
        return
    assert isinstance(parsed, ParsedDeck)
    for warning in parsed.warnings:
        assert "\n" not in warning.message, warning


def _write(folder: Path, name: str, text: str, encoding: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding, "replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass"))
    return path


ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16"])


@FUZZ
@given(text=st.one_of(mutated(TOML_SEEDS), st.text(max_size=200)), encoding=ENCODINGS)
def test_toml(folder, text, encoding):
    _ends_well(_write(folder, "deck.toml", text, encoding))


@FUZZ
@given(text=st.one_of(mutated(MARKDOWN_SEEDS), st.text(max_size=200)), encoding=ENCODINGS)
def test_markdown(folder, text, encoding):
    _ends_well(_write(folder, "note.md", text, encoding))


@FUZZ
@given(text=st.one_of(mutated(ANKI_TEXT_SEEDS), st.text(max_size=200)), encoding=ENCODINGS)
def test_anki_text(folder, text, encoding):
    _ends_well(_write(folder, "cards.txt", text, encoding))
