"""Property-based fuzzing of the browser's search: FUZZ_CASES generated and
mutated queries, each parsed into a tree and run on a database, or refused
with a one-line QueryError; never another exception, within the deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.search import QueryError, parse
from quizapp.store.search import count
from tests.fuzz.strategies import FUZZ, mutated

pytestmark = pytest.mark.slow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEEDS = [
    'deck:"PyTorch (ES)::Broadcasting" -is:suspended (a or b)',
    "tag:t* kind:generated family:broad* id:small:*",
    "prop:due<=3 prop:reps>2 prop:lapses!=0 due:7 is:due is:new is:learn is:review is:leech is:buried",
    'front:"two words" back:x\\* -(tag:none or deck:a*b*c)',
    "numeros and tensor or -view",
]
PIECES = st.sampled_from(
    ["(", ")", "-", " ", "or", "and", '"', "\\", "*", ":", "deck:", "tag:", "is:", "due:", "prop:", "kind:",
     "family:", "id:", "front:", "back:", "prop:reps>", "prop:due<=", "9" * 25, "é", "\x00", "%", "_", "::"]
)  # fmt: skip
QUERIES = st.one_of(mutated(SEEDS), st.lists(PIECES, max_size=40).map("".join), st.text(max_size=60))


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Iterator[tuple[object, int]]:
    from quizapp.service import Service
    from quizapp.store.engine import make_engine
    from tests.conftest import SMALL_DECK

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'q.sqlite3'}")
    service = Service(engine, "fuzz", clock=lambda: NOW)
    deck = tmp_path_factory.mktemp("deck") / "small.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    service.import_paths([deck])
    yield engine, service.user_id
    engine.dispose()


@FUZZ
@given(query=QUERIES)
def test_search(searcher, query):
    engine, user_id = searcher
    try:
        parse(query)
        found = count(engine, user_id, query, NOW)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert found >= 0
