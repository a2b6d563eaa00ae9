"""A small collection for the browser's tests (tests/store/test_search.py,
tests/test_browse.py): a deck of the learner's own with every kind of card,
a built-in deck, and a generated card reviewed twice."""

from __future__ import annotations

from quizapp.domain import Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import Answer

MINE = """\
format = 1
[deck]
id = "mine"
name = "Mis cosas"

[[cards]]
id = "numeros"
subdeck = "Tensores"
front = "¿Cuántos NÚMEROS tiene x?"
back = "Seis"
tags = ["tensores", "basico"]

[[cards]]
id = "view"
front = "Shape of x.view(2, 3)?"
back = "(2, 3)"
tags = ["shapes::view"]

[[cards]]
id = "dtype"
type = "type"
front = "dtype of torch.zeros(1)?"
answer = "torch.float32"

[[cards]]
id = "clz"
type = "cloze"
text = "A {{c1::view}} shares storage"

[[cards]]
id = "gen"
type = "generated"
family = "broadcasting"
front = "Broadcasting: result shape"

[[cards]]
id = "pct"
front = "requires_grad 100%"
back = "50 per cent"
"""

BUILTIN = """\
format = 1
[deck]
id = "core"
name = "Core deck"

[[cards]]
id = "b1"
front = "Built-in question"
back = "Built-in answer"
"""

ALL_MINE = ["mine:numeros", "mine:view", "mine:dtype", "mine:clz::c1", "mine:gen", "mine:pct"]


def load_decks(service, tmp_path):
    """Sync MINE and BUILTIN (as built-in cards) into ``service``'s database."""
    (tmp_path / "mine.toml").write_text(MINE, encoding="utf-8")
    (tmp_path / "core.toml").write_text(BUILTIN, encoding="utf-8")
    service.sync_deck(read_toml_deck(tmp_path / "mine.toml"))
    service.sync_deck(read_toml_deck(tmp_path / "core.toml", source_prefix="builtin"))
    return service


def ids(searcher, query: str) -> list[str]:
    """The ids ``searcher.search(query)`` finds, in order."""
    return [row.id for row in searcher.search(query)]


def review_gen_twice(service, clock) -> None:
    """mine:gen answered wrong (a broadcasting question, seed 42), then right two minutes later."""
    service.answer(
        "mine:gen",
        Rating.AGAIN,
        duration_ms=5000,
        answer=Answer(
            asked="Shape?\ntorch.ones(2, 1) + torch.ones(3)",
            answered="(2, 1)",
            correct_answer="(2, 3)",
            family="broadcasting",
            seed=42,
            mistake="aligned_left",
        ),
    )
    clock.advance(minutes=2)
    service.answer(
        "mine:gen",
        Rating.GOOD,
        answer=Answer(
            asked="Shape?\ntorch.ones(4, 1) * torch.ones(2)",
            answered="(4, 2)",
            correct_answer="(4, 2)",
            family="broadcasting",
            seed=43,
        ),
    )
