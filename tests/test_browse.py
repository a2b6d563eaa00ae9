"""The card browser's core: the search language, card history and the
actions, checked against the database and against what Service.next_card
serves afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from quizapp.browse import Browser, CardLocked, QueryError, fold, parse
from quizapp.domain import MemoryState, Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import Answer
from quizapp.store.models import Card, CardState, Deck, ReviewLog

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


@pytest.fixture
def service(make_service, tmp_path):
    s = make_service()
    (tmp_path / "mine.toml").write_text(MINE, encoding="utf-8")
    (tmp_path / "core.toml").write_text(BUILTIN, encoding="utf-8")
    s.sync_deck(read_toml_deck(tmp_path / "mine.toml"))
    s.sync_deck(read_toml_deck(tmp_path / "core.toml", source_prefix="builtin"))
    return s


@pytest.fixture
def browser(service) -> Browser:
    return Browser(service)


def ids(browser: Browser, query: str) -> list[str]:
    return [row.id for row in browser.search(query)]


def state_row(service, card_id: str) -> CardState | None:
    with Session(service.engine) as session:
        return session.get(CardState, (service.user_id, card_id))


# -- the query language -------------------------------------------------------------


def test_empty_query_lists_every_active_card_by_deck_then_position(browser):
    rows = browser.search("")
    assert [r.deck for r in rows] == ["Core deck"] + ["Mis cosas"] * 5 + ["Mis cosas::Tensores"]
    assert [r.id for r in rows] == ["core:b1"] + [i for i in ALL_MINE if i != "mine:numeros"] + ["mine:numeros"]
    assert browser.count("") == 7


def test_result_rows_carry_schedule_and_flags(browser, service):
    service.answer("mine:view", Rating.GOOD)
    service.suspend("mine:view")
    (row,) = browser.search("id:mine:view")
    assert (row.deck, row.kind, row.state, row.reps, row.lapses) == ("Mis cosas", "basic", MemoryState.LEARNING, 1, 0)
    assert row.due is not None and row.due.tzinfo is not None
    assert (row.suspended, row.leech, row.buried, row.flags) == (True, False, False, "S")
    assert row.tags == ("shapes::view",) and not row.builtin
    assert browser.search("id:core:b1")[0].builtin


def test_front_is_short_and_on_one_line(make_service, tmp_path):
    long = MINE.replace('front = "¿Cuántos NÚMEROS tiene x?"', 'front = """line one\nline two ' + "x" * 200 + '"""')
    (tmp_path / "long.toml").write_text(long, encoding="utf-8")
    s = make_service("other")
    s.sync_deck(read_toml_deck(tmp_path / "long.toml"))
    (row,) = Browser(s).search("id:mine:numeros")
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
def test_free_text(browser, query, expected):
    assert ids(browser, query) == expected


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
def test_deck(browser, query, expected):
    assert ids(browser, query) == expected


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
def test_tag(browser, query, expected):
    assert ids(browser, query) == expected


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
def test_kind_family_and_id(browser, query, expected):
    assert ids(browser, query) == expected


def test_states_and_flags(browser, service, clock):
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
    assert ids(browser, "is:new") == ["core:b1", "mine:clz::c1", "mine:numeros"]
    assert ids(browser, "is:learn") == ["mine:view", "mine:gen"]  # relearning counts as learning...
    assert ids(browser, "is:review") == ["mine:dtype", "mine:gen", "mine:pct"]  # ...and as review, as in Anki
    assert ids(browser, "is:suspended") == ["mine:gen", "mine:pct"]
    assert ids(browser, "is:leech") == ["mine:gen"]
    assert ids(browser, "is:buried") == ["mine:clz::c1"]
    assert ids(browser, "is:due") == []  # learning not yet due; reviews days away; the leech suspended
    clock.advance(minutes=11)
    assert ids(browser, "is:due") == ["mine:view"]
    clock.advance(days=1)
    assert ids(browser, "is:buried") == []  # a new study day
    assert ids(browser, "prop:reps>=1") == ["mine:view", "mine:dtype", "mine:pct"]
    assert ids(browser, "prop:lapses=8 is:leech") == ["mine:gen"]
    assert ids(browser, "tag:leech") == ids(browser, "tag:LEE*") == ["mine:gen"]  # leeches carry the tag, as in Anki


def test_due_in_days(browser, service, clock):
    service.answer("mine:dtype", Rating.EASY)
    (row,) = browser.search("id:mine:dtype")
    days = (row.due.date() - clock.now.date()).days  # TZ is UTC, days start at 04:00
    assert days >= 2
    assert ids(browser, f"due:{days}") == ["mine:dtype"]
    assert ids(browser, f"due:{days - 1}") == []
    assert ids(browser, f"prop:due={days}") == ["mine:dtype"]
    assert ids(browser, f"prop:due<={days}") == ["mine:dtype"]
    assert ids(browser, f"prop:due<{days}") == []
    assert ids(browser, f"prop:due>{days - 1}") == ["mine:dtype"]
    assert ids(browser, f"prop:due>={days + 1}") == []
    assert ids(browser, f"prop:due!={days}") == []
    clock.advance(days=days + 3)  # now overdue: due:0 and negative offsets find it
    assert ids(browser, "due:0") == ["mine:dtype"]
    assert ids(browser, "prop:due=-3") == ["mine:dtype"]
    assert ids(browser, "prop:due<0") == ["mine:dtype"]
    assert ids(browser, "due:0 is:new") == []  # new cards have no due date


def test_negation_grouping_and_or(browser, service):
    service.suspend("mine:view")
    assert ids(browser, "-is:new") == []  # suspending made a state row; the card is still new
    assert "mine:view" in ids(browser, "is:new")
    assert ids(browser, "-deck:mis*") == ["core:b1"]
    assert ids(browser, "view -kind:cloze") == ["mine:view"]
    assert ids(browser, "-view -numeros deck:mis*") == ["mine:dtype", "mine:gen", "mine:pct"]
    assert ids(browser, "kind:cloze or kind:type") == ["mine:dtype", "mine:clz::c1"]
    assert ids(browser, "kind:cloze OR kind:type or tag:tensores") == ["mine:dtype", "mine:clz::c1", "mine:numeros"]
    assert ids(browser, "(kind:cloze or kind:type) view") == ["mine:clz::c1"]
    assert ids(browser, "-(kind:cloze or kind:basic)") == ["mine:dtype", "mine:gen"]
    assert ids(browser, "is:suspended and view") == ["mine:view"]
    assert ids(browser, "dek\\:x") == []  # an escaped colon is text


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
def test_a_term_and_its_negation_split_the_cards(browser, service, query):
    """Every condition is NULL-safe: a card without a state row lands on one side."""
    service.answer("mine:dtype", Rating.EASY)
    service.suspend("mine:view")
    everything = set(ids(browser, ""))
    yes, no = set(ids(browser, query)), set(ids(browser, f"-{query}"))
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
    ],
)
def test_errors_are_one_line(browser, query, message):
    with pytest.raises(QueryError) as info:
        browser.search(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_parse_tree():
    from quizapp.browse import And, Not, Or, Term

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


def test_limit_offset_and_count(browser):
    everything = ids(browser, "")
    assert [r.id for r in browser.search("", 2)] == everything[:2]
    assert [r.id for r in browser.search("", 2, offset=3)] == everything[3:5]
    assert browser.count("deck:mis*") == 6


def test_inactive_cards_and_other_learners(browser, service, make_service, tmp_path):
    (tmp_path / "mine.toml").write_text(MINE.replace('id = "pct"', 'id = "pct2"'), encoding="utf-8")
    service.sync_deck(read_toml_deck(tmp_path / "mine.toml"))
    assert "mine:pct" not in ids(browser, "") and "mine:pct2" in ids(browser, "")
    other = make_service("ana")
    other.suspend("mine:view")
    assert ids(browser, "is:suspended") == []
    assert ids(Browser(other), "is:suspended") == ["mine:view"]


# -- history ---------------------------------------------------------------------------


def test_history_newest_first_with_what_was_asked(browser, service, clock):
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
    newest, oldest = browser.history("mine:gen")
    assert (newest.rating, newest.rating_name, newest.seed, newest.answered) == (Rating.GOOD, "Good", 43, "(4, 2)")
    assert (oldest.rating_name, oldest.state_before, oldest.duration_ms) == ("Again", MemoryState.NEW, 5000)
    assert (oldest.asked, oldest.correct_answer, oldest.mistake) == (
        "Shape?\ntorch.ones(2, 1) + torch.ones(3)",
        "(2, 3)",
        "aligned_left",
    )
    assert oldest.interval_before_days == 0 and oldest.interval_after_days > 0
    assert newest.reviewed_at - oldest.reviewed_at == timedelta(minutes=2)
    assert browser.history("mine:view") == []
    info = browser.info("mine:gen")
    assert info.card.front == "Broadcasting: result shape" and info.row.reps == 2 and len(info.history) == 2


# -- actions -----------------------------------------------------------------------------


def test_reset_makes_the_card_new_and_keeps_history(browser, service, clock):
    deck = "Mis cosas::Tensores"  # holds one card
    service.answer("mine:numeros", Rating.EASY)
    assert service.next_card(deck) is None  # in review, days away
    browser.reset("mine:numeros")
    assert state_row(service, "mine:numeros") is None
    (row,) = browser.search("id:mine:numeros")
    assert (row.state, row.reps, row.due) == (MemoryState.NEW, 0, None)
    card = service.next_card(deck)
    assert card is not None and card.id == "mine:numeros" and card.state is MemoryState.NEW
    assert len(browser.history("mine:numeros")) == 1
    with pytest.raises(KeyError):
        browser.reset("mine:nope")


def test_suspend_and_bury_toggle_and_the_schedule_follows(browser, service, clock):
    deck = "Mis cosas::Tensores"
    assert service.next_card(deck).id == "mine:numeros"
    assert browser.toggle_suspend("mine:numeros") is True
    assert state_row(service, "mine:numeros").suspended
    assert service.next_card(deck) is None
    assert browser.toggle_suspend("mine:numeros") is False
    assert service.next_card(deck).id == "mine:numeros"
    assert browser.toggle_bury("mine:numeros") is True
    assert service.next_card(deck) is None and ids(browser, "is:buried") == ["mine:numeros"]
    assert browser.toggle_bury("mine:numeros") is False
    assert service.next_card(deck).id == "mine:numeros"


def test_edit_own_card_keeps_its_schedule(browser, service, clock):
    service.answer("mine:view", Rating.GOOD)
    before = state_row(service, "mine:view").model_dump()
    clock.advance(minutes=1)
    browser.edit("mine:view", "  New front  ", "New back\n")
    view = service.card("mine:view")
    assert (view.front, view.back) == ("New front", "New back")
    assert state_row(service, "mine:view").model_dump() == before
    with Session(service.engine) as session:
        assert session.get(Card, "mine:view").updated_at == clock.now
    assert ids(browser, "front:new") == ["mine:view"]
    with pytest.raises(ValueError, match="front can't be empty"):
        browser.edit("mine:view", "  ", "x")


def test_builtin_cards_refuse_edit_and_move(browser, service):
    with pytest.raises(CardLocked, match=r"Built-in cards can.t be edited.*re-synced from decks/"):
        browser.edit("core:b1", "x", "y")
    with pytest.raises(CardLocked, match="Built-in cards can't be moved"):
        browser.move("core:b1", "Elsewhere")
    assert service.card("core:b1").front == "Built-in question"
    assert service.card("core:b1").deck == "Core deck"


def test_move_creates_the_deck_and_counts_follow(browser, service):
    service.answer("mine:view", Rating.GOOD)
    before = state_row(service, "mine:view").model_dump()
    counts = {c.name: c for c in service.deck_counts()}
    assert (counts["Mis cosas"].total, counts["Mis cosas"].learning) == (6, 1)
    assert browser.move("mine:view", " Nuevo :: Sub ") == "Nuevo::Sub"
    counts = {c.name: c for c in service.deck_counts()}
    assert (counts["Mis cosas"].total, counts["Mis cosas"].learning) == (5, 0)
    assert (counts["Nuevo"].total, counts["Nuevo::Sub"].total, counts["Nuevo::Sub"].learning) == (1, 1, 1)
    assert service.card("mine:view").deck == "Nuevo::Sub"
    assert state_row(service, "mine:view").model_dump() == before
    assert ids(browser, "deck:nuevo") == ["mine:view"]
    with Session(service.engine) as session:
        assert session.exec(select(Deck).where(Deck.name == "Nuevo")).first() is not None
    for bad in ("", "  ", "A::", "::B"):
        with pytest.raises(ValueError, match="Not a deck name"):
            browser.move("mine:view", bad)


def test_history_survives_reset_and_edit(browser, service, engine):
    service.answer("mine:view", Rating.GOOD)
    browser.edit("mine:view", "Other", "Text")
    browser.reset("mine:view")
    with Session(engine) as session:
        assert [log.card_id for log in session.exec(select(ReviewLog))] == ["mine:view"]
