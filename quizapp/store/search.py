"""The card browser's queries: a search tree (quizapp.search) compiled to SQL
and run with one learner's schedule, and each card's review history.

Matching folds case everywhere and accents on SQLite, where fold() is
registered as the SQL function ``qz_fold``; elsewhere it is SQL's lower().
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache

from sqlalchemy import (
    JSON,
    ColumnElement,
    SQLColumnExpression,
    String,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    true,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from quizapp.domain import BUILTIN_SOURCE_PREFIX, DEFAULT_DAY_START_HOUR, MemoryState, Rating
from quizapp.search import (
    LITERAL_STAR,
    And,
    Node,
    Not,
    Or,
    QueryError,
    Term,
    card_kind,
    collapse_stars,
    due_days,
    fold,
    parse,
    prop_term,
    unknown_is,
    wildcard_match,
)
from quizapp.store.models import Card, CardState, Deck, ReviewLog
from quizapp.study_days import StudyDays

#: Rows a search returns unless told otherwise.
DEFAULT_LIMIT = 500
#: Characters of a card's front kept in a result row.
FRONT_CHARS = 80


# -- results ------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseRow:
    """One card in the search results, with this learner's schedule."""

    id: str
    deck: str
    kind: str
    #: The front on one line, at most FRONT_CHARS characters.
    front: str
    state: MemoryState
    #: When it is due (aware UTC); None for a new card.
    due: datetime | None
    reps: int
    lapses: int
    suspended: bool
    leech: bool
    #: Buried until the next study day (at the time of the search).
    buried: bool
    #: Where the card came from (``builtin:pytorch-es``, ``toml:mydeck``...).
    source: str
    tags: tuple[str, ...] = ()

    @property
    def builtin(self) -> bool:
        """A built-in card: decks/ owns its text and deck."""
        return self.source.startswith(BUILTIN_SOURCE_PREFIX)

    @property
    def flags(self) -> str:
        """ "S" suspended, "L" leech, "B" buried, separated by spaces."""
        return " ".join(f for f, on in (("S", self.suspended), ("L", self.leech), ("B", self.buried)) if on)

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]


STATE_NAMES = {
    MemoryState.NEW: "new",
    MemoryState.LEARNING: "learning",
    MemoryState.REVIEW: "review",
    MemoryState.RELEARNING: "relearning",
}


@dataclass(frozen=True)
class HistoryRow:
    """One review of a card, as the browser's history table shows it."""

    id: int
    reviewed_at: datetime
    rating: Rating
    #: The card's state before this review.
    state_before: MemoryState
    #: Days from the previous review to the due date, before and after it.
    interval_before_days: float
    interval_after_days: float
    duration_ms: int
    #: What was asked (a generated question's prompt and snippet), what the
    #: learner answered and the right answer; empty for plain flashcards.
    asked: str
    answered: str
    correct_answer: str
    family: str | None
    seed: int | None
    mistake: str | None

    @property
    def rating_name(self) -> str:
        return self.rating.name.capitalize()


def short(text: str, width: int = FRONT_CHARS) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


# -- compiling to SQL -----------------------------------------------------------


@dataclass
class _Context:
    """What a query's conditions depend on."""

    session: Session
    user_id: int
    now: datetime
    days: StudyDays
    sqlite: bool
    _decks: list[tuple[int | None, str]] | None = None

    def day(self, offset: int) -> datetime:
        """Start (UTC) of the study day ``offset`` days from today."""
        return self.days.start_of(self.days.day_of(self.now) + timedelta(days=offset))

    def decks(self) -> list[tuple[int | None, str]]:
        if self._decks is None:
            self._decks = list(self.session.exec(select(col(Deck.id), col(Deck.name))))
        return self._decks

    def fold(self, column: SQLColumnExpression[str]) -> ColumnElement[str]:
        """SQL: ``column`` folded as fold() does. Off SQLite (PostgreSQL):
        translate() maps each letter whose fold is one character (accented
        Latin, Greek, Cyrillic) to it, then lower() does ASCII; the few
        letters that fold to two (ß, ligatures) are left as they are."""
        if self.sqlite:
            return func.qz_fold(column, type_=String)
        source, target = _fold_table()
        return func.lower(func.translate(column, source, target, type_=String), type_=String)


@cache
def _fold_table() -> tuple[str, str]:
    """(letters, their folds) for SQL translate(): every non-ASCII character
    from U+00A0 to U+04FF and U+1E00 to U+1EFF whose fold is one other character."""
    source, target = [], []
    for code in (*range(0xA0, 0x500), *range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold(char)
        if folded is not None and len(folded) == 1 and folded != char:
            source.append(char)
            target.append(folded)
    return "".join(source), "".join(target)


def _like(value: str) -> str:
    """A LIKE pattern (escape ``\\``) for ``value``: ``*`` -> ``%``."""
    escaped = collapse_stars(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace(LITERAL_STAR, "*")


def _folded(value: str) -> str:
    """fold() of a term's value."""
    folded = fold(value)
    assert folded is not None  # fold() gives None only for None
    return folded


def _state() -> ColumnElement[int]:
    return func.coalesce(col(CardState.state), int(MemoryState.NEW))


def _compile(node: Node, ctx: _Context) -> ColumnElement[bool]:
    if isinstance(node, And):
        if not node.nodes:
            return true()
        # Cheap terms first: SQLite stops at the first false one, so text is
        # folded (in Python, the costly part) only for cards that pass the rest.
        return and_(*(_compile(n, ctx) for n in sorted(node.nodes, key=_costly)))
    if isinstance(node, Or):
        return or_(*(_compile(n, ctx) for n in node.nodes))
    if isinstance(node, Not):
        return not_(_compile(node.node, ctx))
    return _leaf(node, ctx)


def _costly(node: Node) -> bool:
    """True if the node folds text in Python (free words, front:, back:, tag:, family:)."""
    if isinstance(node, Term):
        return node.key in (None, "front", "back", "tag", "family")
    if isinstance(node, Not):
        return _costly(node.node)
    return any(_costly(n) for n in node.nodes)


def _leaf(term: Term, ctx: _Context) -> ColumnElement[bool]:
    """The SQL condition of one term; never NULL, so negation is exact."""
    key, value = term.key, term.value
    if key is None or key in ("front", "back"):
        pattern = "%" + _like(_folded(value)) + "%"
        front, back = col(Card.front), col(Card.back)
        sides = {"front": [front], "back": [back], None: [front, back]}[key]
        return or_(*(ctx.fold(side).like(pattern, escape="\\") for side in sides))
    if key == "deck":
        return _deck_condition(value, ctx)
    if key == "tag":
        if value.lower() == "none":
            return col(Card.tags) == ""
        pattern = _like(_folded(value))
        padded = literal(" ", String) + ctx.fold(col(Card.tags)) + literal(" ", String)
        tagged = or_(padded.like(f"% {pattern} %", escape="\\"), padded.like(f"% {pattern}::%", escape="\\"))
        if wildcard_match(collapse_stars(_folded(value)), "leech"):  # the learner's leeches carry the tag, as in Anki
            return or_(tagged, func.coalesce(col(CardState.leech), False) == True)  # noqa: E712
        return tagged
    if key == "is":
        return _is_condition(value.lower(), ctx)
    if key == "due":
        return _due_condition("<=", due_days(value), ctx)
    if key == "prop":
        name, op, number = prop_term(value)
        if name == "due":
            return _due_condition(op, number, ctx)
        column = func.coalesce(getattr(CardState, name), 0)
        return _compare(column, op, number)
    if key == "kind":
        return col(Card.kind) == card_kind(value)
    if key == "family":
        # The column is text: PostgreSQL's JSON operators need a cast (SQLite's a plain JSON-typed view).
        data = type_coerce(col(Card.data), JSON) if ctx.sqlite else cast(col(Card.data), JSON)
        family = func.coalesce(data["family"].as_string(), "")
        return ctx.fold(family).like(_like(_folded(value)), escape="\\")
    if key == "id":
        return col(Card.id).like(_like(value), escape="\\")
    raise QueryError(f"unknown search {key}:")  # pragma: no cover - parse() checks KEYS


def _compare(column: SQLColumnExpression[int], op: str, number: int) -> ColumnElement[bool]:
    return {
        "<": column < number,
        "<=": column <= number,
        "=": column == number,
        "!=": column != number,
        ">=": column >= number,
        ">": column > number,
    }[op]


def _deck_condition(value: str, ctx: _Context) -> ColumnElement[bool]:
    """The deck (matched without case or accents, ``*`` a wildcard) and its subdecks."""
    wanted = collapse_stars(_folded(value))
    ids = []
    for deck_id, name in ctx.decks():
        parts = _folded(name).split("::")
        if any(wildcard_match(wanted, "::".join(parts[:depth])) for depth in range(1, len(parts) + 1)):
            ids.append(deck_id)
    return col(Card.deck_id).in_(ids) if ids else false()


def _is_condition(value: str, ctx: _Context) -> ColumnElement[bool]:
    state = _state()
    suspended = func.coalesce(col(CardState.suspended), False) == True  # noqa: E712
    buried_until, due = col(CardState.buried_until), col(CardState.due)
    buried = and_(buried_until.is_not(None), buried_until > ctx.now)
    if value == "new":
        return state == MemoryState.NEW
    if value == "learn":
        return state.in_([MemoryState.LEARNING, MemoryState.RELEARNING])
    if value == "review":
        return state.in_([MemoryState.REVIEW, MemoryState.RELEARNING])
    if value == "suspended":
        return suspended
    if value == "leech":
        return func.coalesce(col(CardState.leech), False) == True  # noqa: E712
    if value == "buried":
        return buried
    if value == "due":
        learning_due = and_(state.in_([MemoryState.LEARNING, MemoryState.RELEARNING]), due <= ctx.now)
        review_due = and_(state == MemoryState.REVIEW, due < ctx.day(1))
        return and_(due.is_not(None), or_(learning_due, review_due), not_(suspended), not_(buried))
    raise unknown_is(value)


def _due_condition(op: str, days: int, ctx: _Context) -> ColumnElement[bool]:
    """Due ``op`` ``days`` study days from today (0 today, 1 tomorrow, -1
    yesterday); new cards have no due date and never match."""
    start, end = ctx.day(days), ctx.day(days + 1)
    due = col(CardState.due)
    window = {
        "<": due < start,
        "<=": due < end,
        "=": and_(due >= start, due < end),
        "!=": or_(due < start, due >= end),
        ">=": due >= start,
        ">": due >= end,
    }[op]
    return and_(due.is_not(None), _state() != MemoryState.NEW, window)


# -- running ------------------------------------------------------------------


def _recent_fold() -> Callable[[str | None], str | None]:
    """fold() remembering its last few inputs: a query with several words
    folds each card's text once, not once per word."""
    recent: dict[str, str | None] = {}

    def cached(text: str | None) -> str | None:
        if text is None or text.isascii():
            return fold(text)
        try:
            return recent[text]
        except KeyError:
            if len(recent) >= 16:
                recent.clear()
            folded = recent[text] = fold(text)
            return folded

    return cached


def _register_functions(session: Session) -> bool:
    """Give SQLite the fold() function; True on SQLite."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    driver = connection.connection.driver_connection
    assert driver is not None  # the session's connection is open
    driver.create_function("qz_fold", 1, _recent_fold(), deterministic=True)
    return True


def _context(session: Session, user_id: int, now: datetime, day_hour: int, tz: tzinfo | None) -> _Context:
    return _Context(session, user_id, now, StudyDays(tz, day_hour), _register_functions(session))


#: A result row as selected: id, deck, kind, front, source, tags, then the
#: learner's schedule (all None for a card without a state row).
_RowValues = tuple[
    str,
    str,
    str,
    str,
    str,
    str,
    int | None,
    datetime | None,
    int | None,
    int | None,
    bool | None,
    bool | None,
    datetime | None,
]


def _state_join(user_id: int) -> ColumnElement[bool]:
    return and_(col(CardState.card_id) == Card.id, col(CardState.user_id) == user_id)


def _select_rows(ctx: _Context, condition: ColumnElement[bool]) -> Select[*_RowValues]:
    # sqlmodel's select() is typed for up to four columns; for more it builds this same Select.
    columns: Select[*_RowValues] = Select(
        col(Card.id),
        col(Deck.name),
        col(Card.kind),
        func.substr(col(Card.front), 1, 4 * FRONT_CHARS),
        col(Card.source),
        col(Card.tags),
        col(CardState.state),
        col(CardState.due),
        col(CardState.reps),
        col(CardState.lapses),
        col(CardState.suspended),
        col(CardState.leech),
        col(CardState.buried_until),
    )
    return (
        columns.select_from(Card)
        # "+deck.id": no index on that side, so SQLite walks the decks in name
        # order (ix_deck_name) and each deck's cards (ix_card_deck_id): rows
        # come out in the browser's order and LIMIT stops the scan early.
        .join(Deck, literal_column(f"+{Deck.__tablename__}.id") == Card.deck_id)
        .join(CardState, _state_join(ctx.user_id), isouter=True)
        .where(Card.active == True, condition)  # noqa: E712
    )


def _row(values: _RowValues, now: datetime) -> BrowseRow:
    card_id, deck, kind, front, source, tags, state, due, reps, lapses, suspended, leech, buried_until = values
    return BrowseRow(
        id=card_id,
        deck=deck,
        kind=kind,
        front=short(front),
        state=MemoryState(state if state is not None else MemoryState.NEW),
        due=due,
        reps=reps or 0,
        lapses=lapses or 0,
        suspended=bool(suspended),
        leech=bool(leech),
        buried=buried_until is not None and buried_until > now,
        source=source,
        tags=tuple(tags.split()),
    )


@contextmanager
def _too_deep_is_a_query_error() -> Iterator[None]:
    """SQLite refuses SQL nested too deep ("parser stack overflow"), too large
    ("Expression tree is too large") or LIKE patterns too long ("pattern too
    complex"): say so as a search error. parse() bounds groups, words and
    word length so that this does not happen; this is the net under it."""
    try:
        yield
    except OperationalError as exc:
        if not any(s in str(exc) for s in _TOO_BIG):
            raise
        raise QueryError("the search is too large for the database: use fewer or shorter words") from None


#: How SQLite words a statement it refuses for its size.
_TOO_BIG = ("stack overflow", "too deep", "Expression tree is too large", "pattern too complex")


def search(
    engine: Engine,
    user_id: int,
    query: str,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    *,
    offset: int = 0,
    day_hour: int = DEFAULT_DAY_START_HOUR,
    tz: tzinfo | None = None,
) -> list[BrowseRow]:
    """Active cards matching ``query`` with ``user_id``'s schedule, ordered by
    deck then the author's order, ``limit`` rows from ``offset``.

    ``now`` (aware UTC) decides what is buried or due; study days start at
    ``day_hour`` o'clock in ``tz`` (None: the machine's zone). Raises
    QueryError for a query that can't be parsed.
    """
    tree = parse(query)
    with Session(engine) as session:
        ctx = _context(session, user_id, now, day_hour, tz)
        stmt = (
            _select_rows(ctx, _compile(tree, ctx))
            .order_by(col(Deck.name), col(Card.source), col(Card.position), col(Card.id))
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        with _too_deep_is_a_query_error():
            return [_row(values, now) for values in session.exec(stmt)]


def count(
    engine: Engine,
    user_id: int,
    query: str,
    now: datetime,
    *,
    day_hour: int = DEFAULT_DAY_START_HOUR,
    tz: tzinfo | None = None,
) -> int:
    """How many active cards match ``query`` (no limit)."""
    tree = parse(query)
    with Session(engine) as session:
        ctx = _context(session, user_id, now, day_hour, tz)
        stmt = (
            select(func.count(col(Card.id)))
            .join(Deck, col(Deck.id) == Card.deck_id)
            .join(CardState, _state_join(user_id), isouter=True)
            .where(Card.active == True, _compile(tree, ctx))  # noqa: E712
        )
        with _too_deep_is_a_query_error():
            return int(session.exec(stmt).one())


def card_row(
    engine: Engine,
    user_id: int,
    card_id: str,
    now: datetime,
    *,
    day_hour: int = DEFAULT_DAY_START_HOUR,
    tz: tzinfo | None = None,
) -> BrowseRow | None:
    """One active card's result row, as search() gives it; None if there is no such card."""
    with Session(engine) as session:
        ctx = _context(session, user_id, now, day_hour, tz)
        values = session.exec(_select_rows(ctx, col(Card.id) == card_id)).first()
    return None if values is None else _row(values, now)


def history(engine: Engine, user_id: int, card_id: str) -> list[HistoryRow]:
    """Every review ``user_id`` gave ``card_id``, newest first."""
    with Session(engine) as session:
        logs = session.exec(
            select(ReviewLog)
            .where(ReviewLog.user_id == user_id, ReviewLog.card_id == card_id)
            .order_by(col(ReviewLog.reviewed_at).desc(), col(ReviewLog.id).desc())
        ).all()
        return [_history_row(log) for log in logs]


def _history_row(log: ReviewLog) -> HistoryRow:
    assert log.id is not None  # a row read from the database has its id
    return HistoryRow(
        id=log.id,
        reviewed_at=log.reviewed_at,
        rating=Rating(log.rating),
        state_before=MemoryState(log.state_before),
        interval_before_days=log.interval_before_days,
        interval_after_days=log.interval_after_days,
        duration_ms=log.duration_ms,
        asked=log.asked,
        answered=log.answered,
        correct_answer=log.correct_answer,
        family=log.family,
        seed=log.seed,
        mistake=log.mistake,
    )


__all__ = [
    "DEFAULT_LIMIT",
    "FRONT_CHARS",
    "STATE_NAMES",
    "BrowseRow",
    "HistoryRow",
    "card_row",
    "count",
    "history",
    "search",
    "short",
]
