"""The browser's queries (quizapp.store.search): the search language run as
SQL against a learner's schedule, and a card's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from quizapp.domain import MemoryState, Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.search import QueryError
from quizapp.store.models import CardState
from quizapp.store.search import DEFAULT_LIMIT, count, history, search
from tests.store.search_deck import ALL_MINE, MINE, ids, load_decks, review_gen_twice


class Searcher:
    """quizapp.store.search for one learner, at the service's clock and study days."""

    def __init__(self, service) -> None:
        self.service = service

    def _day(self) -> dict:
        return {"day_hour": self.service.config.day_start_hour, "tz": self.service.tz}

    def search(self, query: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0):
        s = self.service
        return search(s.engine, s.user_id, query, s.clock(), limit, offset=offset, **self._day())

    def count(self, query: str) -> int:
        s = self.service
        return count(s.engine, s.user_id, query, s.clock(), **self._day())

    def history(self, card_id: str):
        return history(self.service.engine, self.service.user_id, card_id)


@pytest.fixture
def service(make_service, tmp_path):
    return load_decks(make_service(), tmp_path)


@pytest.fixture
def searcher(service) -> Searcher:
    return Searcher(service)


# -- the query language -------------------------------------------------------------


def test_empty_query_lists_every_active_card_by_deck_then_position(searcher):
    rows = searcher.search("")
    assert [r.deck for r in rows] == ["Core deck"] + ["Mis cosas"] * 5 + ["Mis cosas::Tensores"]
    assert [r.id for r in rows] == ["core:b1"] + [i for i in ALL_MINE if i != "mine:numeros"] + ["mine:numeros"]
    assert searcher.count("") == 7


def test_result_rows_carry_schedule_and_flags(searcher, service):
    service.answer("mine:view", Rating.GOOD)
    service.suspend("mine:view")
    (row,) = searcher.search("id:mine:view")
    assert (row.deck, row.kind, row.state, row.reps, row.lapses) == ("Mis cosas", "basic", MemoryState.LEARNING, 1, 0)
    assert row.due is not None and row.due.tzinfo is not None
    assert (row.suspended, row.leech, row.buried, row.flags) == (True, False, False, "S")
    assert row.tags == ("shapes::view",) and not row.builtin
    assert searcher.search("id:core:b1")[0].builtin


def test_front_is_short_and_on_one_line(make_service, tmp_path):
    long = MINE.replace('front = "¿Cuántos NÚMEROS tiene x?"', 'front = """line one\nline two ' + "x" * 200 + '"""')
    (tmp_path / "long.toml").write_text(long, encoding="utf-8")
    s = make_service("other")
    s.sync_deck(read_toml_deck(tmp_path / "long.toml"))
    (row,) = Searcher(s).search("id:mine:numeros")
    assert "\n" not in row.front and row.front.startswith("line one line two") and len(row.front) == 80
    assert row.front.endswith("…")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("numeros", ["mine:numeros"]),  # without accents
        ("NÚMEROS", ["mine:numeros"]),  # any case, with accents
        ("cuántos seis", ["mine:numeros"]),  # words are ANDed, front or back
        ("view", ["mine:view", "mine:clz::c1"]),
        ('"x.view(2, 3)"', ["mine:view"]),  # a quoted phrase
        ("x.view(2,", ["mine:view"]),  # a "(" inside a word is text
        ("100%", ["mine:pct"]),  # % and _ are not wildcards
        ("requires_grad", ["mine:pct"]),
        ("requires*100", ["mine:pct"]),  # * is
        ("front:seis", []),
        ("back:seis", ["mine:numeros"]),
        ("front:view", ["mine:view"]),
    ],
)
def test_free_text(searcher, query, expected):
    assert ids(searcher, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("deck:Mis", []),  # a whole name, not a prefix
        ('deck:"Mis cosas"', ALL_MINE[1:] + ALL_MINE[:1]),  # with its subdecks
        ('deck:"mis cosas::tensores"', ["mine:numeros"]),  # any case
        ("deck:mis*", ALL_MINE[1:] + ALL_MINE[:1]),
        ('"deck:Mis cosas::Tensores"', ["mine:numeros"]),  # quotes around the whole term
        ("deck:*tensores", ["mine:numeros"]),
        ("deck:Core*", ["core:b1"]),
        ("deck:nowhere", []),
    ],
)
def test_deck(searcher, query, expected):
    assert ids(searcher, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag:tensores", ["mine:numeros"]),
        ("tag:TENSORES", ["mine:numeros"]),
        ("tag:tensor", []),  # a whole tag
        ("tag:tensor*", ["mine:numeros"]),
        ("tag:shapes", ["mine:view"]),  # and its children
        ("tag:shapes::view", ["mine:view"]),
        ("tag:view", []),
        ("tag:none", ["core:b1", "mine:dtype", "mine:clz::c1", "mine:gen", "mine:pct"]),
    ],
)
def test_tag(searcher, query, expected):
    assert ids(searcher, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind:generated", ["mine:gen"]),
        ("kind:type", ["mine:dtype"]),
        ("kind:cloze", ["mine:clz::c1"]),
        ("KIND:Basic", ["core:b1", "mine:view", "mine:pct", "mine:numeros"]),
        ("kind:code", []),
        ("family:broadcasting", ["mine:gen"]),
        ("family:broad*", ["mine:gen"]),
        ("family:matmul", []),
        ("id:mine:gen", ["mine:gen"]),
        ("id:mine:clz*", ["mine:clz::c1"]),
    ],
)
def test_kind_family_and_id(searcher, query, expected):
    assert ids(searcher, query) == expected


def test_states_and_flags(searcher, service, clock):
    service.answer("mine:view", Rating.GOOD)  # learning, due in 10 minutes
    service.answer("mine:dtype", Rating.EASY)  # review, due in days
    service.answer("mine:pct", Rating.EASY)
    service.suspend("mine:pct")
    service.bury("mine:clz::c1")
    with Session(service.engine) as session:  # a leech (suspended at its 8th lapse)
        session.add(
            CardState(
                user_id=service.user_id,
                card_id="mine:gen",
                state=MemoryState.RELEARNING,
                due=clock.now,
                lapses=8,
                leech=True,
                suspended=True,
            )
        )
        session.commit()
    assert ids(searcher, "is:new") == ["core:b1", "mine:clz::c1", "mine:numeros"]
    assert ids(searcher, "is:learn") == ["mine:view", "mine:gen"]  # relearning counts as learning...
    assert ids(searcher, "is:review") == ["mine:dtype", "mine:gen", "mine:pct"]  # ...and as review, as in Anki
    assert ids(searcher, "is:suspended") == ["mine:gen", "mine:pct"]
    assert ids(searcher, "is:leech") == ["mine:gen"]
    assert ids(searcher, "is:buried") == ["mine:clz::c1"]
    assert ids(searcher, "is:due") == []  # learning not yet due; reviews days away; the leech suspended
    clock.advance(minutes=11)
    assert ids(searcher, "is:due") == ["mine:view"]
    clock.advance(days=1)
    assert ids(searcher, "is:buried") == []  # a new study day
    assert ids(searcher, "prop:reps>=1") == ["mine:view", "mine:dtype", "mine:pct"]
    assert ids(searcher, "prop:lapses=8 is:leech") == ["mine:gen"]
    assert ids(searcher, "tag:leech") == ids(searcher, "tag:LEE*") == ["mine:gen"]  # leeches carry the tag, as in Anki


def test_due_in_days(searcher, service, clock):
    service.answer("mine:dtype", Rating.EASY)
    (row,) = searcher.search("id:mine:dtype")
    days = (row.due.date() - clock.now.date()).days  # TZ is UTC, days start at 04:00
    assert days >= 2
    assert ids(searcher, f"due:{days}") == ["mine:dtype"]
    assert ids(searcher, f"due:{days - 1}") == []
    assert ids(searcher, f"prop:due={days}") == ["mine:dtype"]
    assert ids(searcher, f"prop:due<={days}") == ["mine:dtype"]
    assert ids(searcher, f"prop:due<{days}") == []
    assert ids(searcher, f"prop:due>{days - 1}") == ["mine:dtype"]
    assert ids(searcher, f"prop:due>={days + 1}") == []
    assert ids(searcher, f"prop:due!={days}") == []
    clock.advance(days=days + 3)  # now overdue: due:0 and negative offsets find it
    assert ids(searcher, "due:0") == ["mine:dtype"]
    assert ids(searcher, "prop:due=-3") == ["mine:dtype"]
    assert ids(searcher, "prop:due<0") == ["mine:dtype"]
    assert ids(searcher, "due:0 is:new") == []  # new cards have no due date


def test_negation_grouping_and_or(searcher, service):
    service.suspend("mine:view")
    assert ids(searcher, "-is:new") == []  # suspending made a state row; the card is still new
    assert "mine:view" in ids(searcher, "is:new")
    assert ids(searcher, "-deck:mis*") == ["core:b1"]
    assert ids(searcher, "view -kind:cloze") == ["mine:view"]
    assert ids(searcher, "-view -numeros deck:mis*") == ["mine:dtype", "mine:gen", "mine:pct"]
    assert ids(searcher, "kind:cloze or kind:type") == ["mine:dtype", "mine:clz::c1"]
    assert ids(searcher, "kind:cloze OR kind:type or tag:tensores") == ["mine:dtype", "mine:clz::c1", "mine:numeros"]
    assert ids(searcher, "(kind:cloze or kind:type) view") == ["mine:clz::c1"]
    assert ids(searcher, "-(kind:cloze or kind:basic)") == ["mine:dtype", "mine:gen"]
    assert ids(searcher, "is:suspended and view") == ["mine:view"]
    assert ids(searcher, "dek\\:x") == []  # an escaped colon is text


@pytest.mark.parametrize(
    "query",
    [
        "numeros",
        "is:new",
        "is:suspended",
        "is:buried",
        "is:leech",
        "is:due",
        "is:learn",
        "family:broadcasting",
        "tag:shapes",
        "tag:none",
        "tag:leech",
        "prop:due<=3",
        "due:1",
        "prop:reps>0",
        "deck:Core*",
        "kind:type",
    ],
)
def test_a_term_and_its_negation_split_the_cards(searcher, service, query):
    """Every condition is NULL-safe: a card without a state row lands on one side."""
    service.answer("mine:dtype", Rating.EASY)
    service.suspend("mine:view")
    everything = set(ids(searcher, ""))
    yes, no = set(ids(searcher, query)), set(ids(searcher, f"-{query}"))
    assert yes | no == everything and not yes & no


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("dek:x", "unknown search dek:"),
        ("is:bogus", "is:bogus is not understood"),
        ("prop:due<<3", "prop:due<<3 is not understood"),
        ("prop:ivl>3", "prop:ivl>3 is not understood"),
        ("due:soon", "due: takes a whole number"),
        ("kind:flash", "kind:flash is not a kind of card"),
        ('"unterminated', "unterminated quote"),
        ("(a", "unbalanced '('"),
        ("a)", "unbalanced ')'"),
        ("- a", "'-' must come right before"),
        ("a -", "'-' must come right before"),
        ("a or", "'or' needs a search term"),
        ("or a", "'or' needs a search term"),
        ("()", "empty group"),
        ("deck:", "deck: needs a value"),
        ("prop:reps>99999999999999999999", "prop:reps takes a number from -1000000000 to 1000000000"),
        ("prop:due<=-99999999", "prop:due takes a number from -36500 to 36500"),
        ("due:3000000", "due: takes at most 36500 days"),
        ("due:" + "9" * 5000, "due: takes at most 36500 days"),
        ("(" * 5000 + "a" + ")" * 5000, "groups nest too deep"),
        ("-(" * 5000 + "a" + ")" * 5000, "groups nest too deep"),
    ],
)
def test_errors_are_one_line(searcher, query, message):
    with pytest.raises(QueryError) as info:
        searcher.search(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_the_deepest_groups_and_largest_numbers_allowed_still_run(searcher):
    from quizapp.search import MAX_COUNT, MAX_DAYS, MAX_DEPTH

    nested = "".join(f"(w{i} or -(" for i in range(MAX_DEPTH // 2)) + "a" + "))" * (MAX_DEPTH // 2)
    assert searcher.count(nested) == len(searcher.search(nested))
    heavy = "".join(f"(prop:due>{i} or -(is:due " for i in range(MAX_DEPTH // 2)) + "a" + "))" * (MAX_DEPTH // 2)
    assert searcher.count(heavy) >= 0
    assert set(ids(searcher, f"due:{MAX_DAYS}")) >= set(ids(searcher, "due:30"))
    assert ids(searcher, f"prop:reps<{MAX_COUNT} kind:basic") == ids(searcher, "kind:basic")
    assert searcher.count(f"prop:due>-{MAX_DAYS}") == searcher.count("-is:new")


@pytest.mark.parametrize(
    "query",
    [
        "tag:" + "*" * 200 + "x",
        "deck:*a*a*a*a*a*ab",
        "*a*a*a*a*a*ab",
        "family:" + "*a" * 100 + "b",
        "id:" + "*" * 300,
    ],
)
def test_many_wildcards_match_as_one(searcher, query):
    """Wildcards are matched without backtracking (see benchmarks/parsers.py for
    the times); runs of them match as one does."""
    collapsed = query.replace("*" * 300, "*").replace("*" * 200, "*")
    assert ids(searcher, query) == ids(searcher, collapsed)


def test_limit_offset_and_count(searcher):
    everything = ids(searcher, "")
    assert [r.id for r in searcher.search("", 2)] == everything[:2]
    assert [r.id for r in searcher.search("", 2, offset=3)] == everything[3:5]
    assert searcher.count("deck:mis*") == 6


def test_inactive_cards_and_other_learners(searcher, service, make_service, tmp_path):
    (tmp_path / "mine.toml").write_text(MINE.replace('id = "pct"', 'id = "pct2"'), encoding="utf-8")
    service.sync_deck(read_toml_deck(tmp_path / "mine.toml"))
    assert "mine:pct" not in ids(searcher, "") and "mine:pct2" in ids(searcher, "")
    other = make_service("ana")
    other.suspend("mine:view")
    assert ids(searcher, "is:suspended") == []
    assert ids(Searcher(other), "is:suspended") == ["mine:view"]


# -- history ---------------------------------------------------------------------------


def test_history_newest_first_with_what_was_asked(searcher, service, clock):
    review_gen_twice(service, clock)
    newest, oldest = searcher.history("mine:gen")
    assert (newest.rating, newest.rating_name, newest.seed, newest.answered) == (Rating.GOOD, "Good", 43, "(4, 2)")
    assert (oldest.rating_name, oldest.state_before, oldest.duration_ms) == ("Again", MemoryState.NEW, 5000)
    assert (oldest.asked, oldest.correct_answer, oldest.mistake) == (
        "Shape?\ntorch.ones(2, 1) + torch.ones(3)",
        "(2, 3)",
        "aligned_left",
    )
    assert oldest.interval_before_days == 0 and oldest.interval_after_days > 0
    assert newest.reviewed_at - oldest.reviewed_at == timedelta(minutes=2)
    assert searcher.history("mine:view") == []
