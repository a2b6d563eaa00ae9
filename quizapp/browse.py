"""The card browser's core: a search language close to Anki's, each card's
review history, and the browser's card actions. No textual, no torch.

Search syntax (terms are ANDed; see docs/architecture.md, "Browser"):

    tensor view             cards whose front or back contains both words
    "two words"             a phrase
    deck:NAME               the deck and its subdecks; deck:"PyTorch (ES)::Broadcasting"
    tag:NAME                the tag or its children (tag:a matches a and a::b); tag:none;
                            tag:leech also finds this learner's leeches
    is:new|learn|review|suspended|leech|buried|due
    due:N                   due within N days (today is 0; overdue cards included)
    prop:due<=N             also <, =, !=, >=, >; prop:reps>N, prop:lapses>=N
    kind:generated|code|basic|cloze|type
    family:NAME             generated questions of this family
    id:CARD_ID              one card (id:small:* for a prefix)
    front:TEXT, back:TEXT   text on one side only
    -term, -(a or b)        negation
    a or b, ( ... )         alternatives and grouping
    *                       any characters (in words, deck, tag, family, id); \\* a literal *

Matching ignores case and, on SQLite, accents ("numeros" finds "números").
A query that can't be parsed raises QueryError with a one-line message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import JSON, String, and_, false, func, literal, literal_column, not_, or_, true, type_coerce
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from quizapp.domain import CardKind, MemoryState, Rating
from quizapp.store import queries
from quizapp.store.models import Card, CardState, Deck, ReviewLog
from quizapp.study_days import day_start

if TYPE_CHECKING:
    from quizapp.service import CardView, Service

#: Rows a search returns unless told otherwise.
DEFAULT_LIMIT = 500
#: Characters of a card's front kept in a result row.
FRONT_CHARS = 80
#: Source prefix of the cards installed from decks/ (re-synced at every start).
BUILTIN_PREFIX = "builtin:"

KEYS = ("deck", "tag", "is", "due", "prop", "kind", "family", "id", "front", "back")
IS_VALUES = ("new", "learn", "review", "suspended", "leech", "buried", "due")
KINDS = (CardKind.BASIC, CardKind.CLOZE, CardKind.TYPE, CardKind.GENERATED, CardKind.CODE)
_PROP = re.compile(r"^(due|reps|lapses)(<=|>=|!=|=|<|>)(-?\d+)$")
#: Stands for a literal ``*`` (written ``\*``) until patterns are built.
_STAR = "\x00"


class QueryError(ValueError):
    """A search query that can't be parsed; the message is one line."""


class CardLocked(ValueError):
    """The card can't be changed this way (a built-in card, say)."""


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
        return is_builtin(self.source)

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


@dataclass(frozen=True)
class CardInfo:
    """Everything the browser's detail pane shows for one card."""

    card: CardView
    row: BrowseRow
    history: list[HistoryRow] = field(default_factory=list)


def is_builtin(source: str) -> bool:
    return source.startswith(BUILTIN_PREFIX)


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str | None) -> str | None:
    """Lower case without accents: "Números" -> "numeros" (for matching)."""
    if text is None:
        return None
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


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


# -- parsing ------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """``key:value`` (key None: free text). ``*`` in value is a wildcard."""

    key: str | None
    value: str


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or


def parse(query: str) -> Node:
    """The syntax tree of ``query`` (an empty query matches every card)."""
    tokens = _tokens(query)
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.peek() is not None:
        raise QueryError("unbalanced ')': a group closes that was never opened")
    return node


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "-", "or", "term"
    term: Term | None = None


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c == "(":
            tokens.append(_Token("("))
            i += 1
        elif c == ")":
            tokens.append(_Token(")"))
            i += 1
        elif c == "-" and (i + 1 == n or query[i + 1].isspace() or query[i + 1] == ")"):
            raise QueryError("'-' must come right before a search term, as in -is:suspended")
        elif c == "-":
            tokens.append(_Token("-"))
            i += 1
        else:
            token, i = _term(query, i)
            tokens.append(token)
    return tokens


def _term(query: str, i: int) -> tuple[_Token, int]:
    """Read one term from ``query[i:]``: quotes group words, a backslash
    escapes the next character, a ``)`` without a ``(`` of its own ends it."""
    n = len(query)
    chars: list[str] = []
    key_end: int | None = None  # index in chars of an unquoted-or-quoted key's ':'
    quoted = False
    any_quote = False
    depth = 0
    while i < n:
        c = query[i]
        if c == "\\" and i + 1 < n:
            nxt = query[i + 1]
            chars.append(_STAR if nxt == "*" else nxt)
            i += 2
            continue
        if c == '"':
            quoted, any_quote = not quoted, True
            i += 1
            continue
        if not quoted:
            if c.isspace():
                break
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
        if c == ":" and key_end is None and chars and all(ch.isalpha() for ch in chars):
            key_end = len(chars)
        chars.append(c)
        i += 1
    if quoted:
        raise QueryError('unterminated quote: add the closing "')
    text = "".join(chars)
    if key_end is None:
        if not any_quote and text.lower() == "or":
            return _Token("or"), i
        if not any_quote and text.lower() == "and":
            return _Token("and"), i
        return _Token("term", Term(None, text)), i
    key, value = text[:key_end].lower(), text[key_end + 1 :]
    if key not in KEYS:
        raise QueryError(
            f"unknown search {text[:key_end]}: (use {', '.join(k + ':' for k in KEYS)}; "
            f"for the text itself write {text[:key_end]}\\:{value})"
        )
    if not value:
        raise QueryError(f"{key}: needs a value, as in {_EXAMPLES[key]}")
    return _Token("term", Term(key, value)), i


_EXAMPLES = {
    "deck": 'deck:"PyTorch (ES)::Broadcasting"',
    "tag": "tag:tensors",
    "is": "is:due",
    "due": "due:3",
    "prop": "prop:due<=3",
    "kind": "kind:generated",
    "family": "family:broadcasting",
    "id": "id:pytorch-es:dtype-default",
    "front": "front:dtype",
    "back": "back:float32",
}


class _Parser:
    """expression := conjunction ("or" conjunction)*
    conjunction := unary+
    unary := "-" unary | "(" expression ")" | term"""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expression(self) -> Node:
        options = [self.conjunction()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.pos += 1
            if self.peek() is None or self.peek().kind in (")", "or"):
                raise QueryError("'or' needs a search term on both sides")
            options.append(self.conjunction())
        return options[0] if len(options) == 1 else Or(tuple(options))

    def conjunction(self) -> Node:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.pos += 1
                continue
            parts.append(self.unary())
        if not parts and (self.peek() is not None and self.peek().kind == "or"):
            raise QueryError("'or' needs a search term on both sides")
        if not parts and self.depth and (self.peek() is not None and self.peek().kind == ")"):
            raise QueryError("empty group: '()' holds no search term")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        self.pos += 1
        if token.kind == "-":
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "or", "and", "-"):
                raise QueryError("'-' must come right before a search term, as in -is:suspended")
            return Not(self.unary())
        if token.kind == "(":
            self.depth += 1
            inner = self.expression()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError("unbalanced '(': close the group with ')'")
            self.pos += 1
            self.depth -= 1
            return inner
        assert token.term is not None
        return token.term


# -- compiling to SQL -----------------------------------------------------------


@dataclass
class _Context:
    """What a query's conditions depend on."""

    session: Session
    user_id: int
    now: datetime
    day_hour: int
    tz: tzinfo | None
    sqlite: bool
    _decks: list[tuple[int, str]] | None = None

    @property
    def today(self) -> datetime:
        return day_start(self.now, self.day_hour, self.tz)

    def day(self, offset: int) -> datetime:
        """Start (UTC) of the study day ``offset`` days from today."""
        return day_start(self.today + timedelta(days=offset, hours=12), self.day_hour, self.tz)

    def decks(self) -> list[tuple[int, str]]:
        if self._decks is None:
            self._decks = list(self.session.exec(select(Deck.id, Deck.name)))
        return self._decks

    def fold(self, column):
        """SQL: ``column`` folded as fold() does (lower() only, off SQLite)."""
        return func.qz_fold(column, type_=String) if self.sqlite else func.lower(column, type_=String)


def _like(value: str) -> str:
    """A LIKE pattern (escape ``\\``) for ``value``: ``*`` -> ``%``."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace(_STAR, "*")


def _wild_regex(value: str) -> re.Pattern:
    parts = [".*" if c == "*" else re.escape("*" if c == _STAR else c) for c in value]
    return re.compile("".join(parts), re.DOTALL)


def _state():
    return func.coalesce(CardState.state, int(MemoryState.NEW))


def _compile(node: Node, ctx: _Context):
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


def _leaf(term: Term, ctx: _Context):
    """The SQL condition of one term; never NULL, so negation is exact."""
    key, value = term.key, term.value
    if key is None or key in ("front", "back"):
        pattern = "%" + _like(fold(value)) + "%"
        sides = {"front": [Card.front], "back": [Card.back]}.get(key, [Card.front, Card.back])
        return or_(*(ctx.fold(side).like(pattern, escape="\\") for side in sides))
    if key == "deck":
        return _deck_condition(value, ctx)
    if key == "tag":
        if value.lower() == "none":
            return Card.tags == ""
        pattern = _like(fold(value))
        padded = literal(" ", String) + ctx.fold(Card.tags) + literal(" ", String)
        tagged = or_(padded.like(f"% {pattern} %", escape="\\"), padded.like(f"% {pattern}::%", escape="\\"))
        if _wild_regex(fold(value)).fullmatch("leech"):  # the learner's leeches carry the tag, as in Anki
            return or_(tagged, func.coalesce(CardState.leech, False) == True)  # noqa: E712
        return tagged
    if key == "is":
        return _is_condition(value.lower(), ctx)
    if key == "due":
        if not re.fullmatch(r"\d+", value):
            raise QueryError(f"due: takes a whole number of days, as in due:3 (got due:{value})")
        return _due_condition("<=", int(value), ctx)
    if key == "prop":
        match = _PROP.match(value.replace(" ", "").lower())
        if match is None:
            raise QueryError(
                f"prop:{value} is not understood: use due, reps or lapses with <, <=, =, !=, >=, > "
                "and a whole number, as in prop:due<=3"
            )
        name, op, number = match.group(1), match.group(2), int(match.group(3))
        if name == "due":
            return _due_condition(op, number, ctx)
        column = func.coalesce(getattr(CardState, name), 0)
        return _compare(column, op, number)
    if key == "kind":
        kind = value.lower()
        if kind not in KINDS:
            raise QueryError(f"kind:{value} is not a kind of card (use {', '.join(KINDS)})")
        return Card.kind == kind
    if key == "family":
        family = func.coalesce(type_coerce(Card.data, JSON)["family"].as_string(), "")
        return ctx.fold(family).like(_like(fold(value)), escape="\\")
    if key == "id":
        return col(Card.id).like(_like(value), escape="\\")
    raise QueryError(f"unknown search {key}:")  # pragma: no cover - KEYS guards this


def _compare(column, op: str, number):
    return {
        "<": column < number,
        "<=": column <= number,
        "=": column == number,
        "!=": column != number,
        ">=": column >= number,
        ">": column > number,
    }[op]


def _deck_condition(value: str, ctx: _Context):
    """The deck (matched without case or accents, ``*`` a wildcard) and its subdecks."""
    wanted = _wild_regex(fold(value))
    ids = []
    for deck_id, name in ctx.decks():
        parts = fold(name).split("::")
        if any(wanted.fullmatch("::".join(parts[:depth])) for depth in range(1, len(parts) + 1)):
            ids.append(deck_id)
    return col(Card.deck_id).in_(ids) if ids else false()


def _is_condition(value: str, ctx: _Context):
    state = _state()
    suspended = func.coalesce(CardState.suspended, False) == True  # noqa: E712
    buried = and_(CardState.buried_until.is_not(None), CardState.buried_until > ctx.now)
    if value == "new":
        return state == MemoryState.NEW
    if value == "learn":
        return state.in_([MemoryState.LEARNING, MemoryState.RELEARNING])
    if value == "review":
        return state.in_([MemoryState.REVIEW, MemoryState.RELEARNING])
    if value == "suspended":
        return suspended
    if value == "leech":
        return func.coalesce(CardState.leech, False) == True  # noqa: E712
    if value == "buried":
        return buried
    if value == "due":
        learning_due = and_(state.in_([MemoryState.LEARNING, MemoryState.RELEARNING]), CardState.due <= ctx.now)
        review_due = and_(state == MemoryState.REVIEW, CardState.due < ctx.day(1))
        return and_(CardState.due.is_not(None), or_(learning_due, review_due), not_(suspended), not_(buried))
    raise QueryError(f"is:{value} is not understood (use {', '.join('is:' + v for v in IS_VALUES)})")


def _due_condition(op: str, days: int, ctx: _Context):
    """Due ``op`` ``days`` study days from today (0 today, 1 tomorrow, -1
    yesterday); new cards have no due date and never match."""
    start, end = ctx.day(days), ctx.day(days + 1)
    due = CardState.due
    window = {
        "<": due < start,
        "<=": due < end,
        "=": and_(due >= start, due < end),
        "!=": or_(due < start, due >= end),
        ">=": due >= start,
        ">": due >= end,
    }[op]
    return and_(due.is_not(None), _state() != MemoryState.NEW, window)


# -- queries --------------------------------------------------------------------


def _register_functions(session: Session) -> bool:
    """Give SQLite the fold() function; True on SQLite."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    connection.connection.driver_connection.create_function("qz_fold", 1, _recent_fold(), deterministic=True)
    return True


def _select_rows(ctx: _Context, condition):
    return (
        select(
            Card.id,
            Deck.name,
            Card.kind,
            func.substr(Card.front, 1, 4 * FRONT_CHARS),
            Card.source,
            Card.tags,
            CardState.state,
            CardState.due,
            CardState.reps,
            CardState.lapses,
            CardState.suspended,
            CardState.leech,
            CardState.buried_until,
        )
        .select_from(Card)
        # "+deck.id": no index on that side, so SQLite walks the decks in name
        # order (ix_deck_name) and each deck's cards (ix_card_deck_id): rows
        # come out in the browser's order and LIMIT stops the scan early.
        .join(Deck, literal_column("+" + Deck.__tablename__ + ".id") == Card.deck_id)
        .join(CardState, and_(CardState.card_id == Card.id, CardState.user_id == ctx.user_id), isouter=True)
        .where(Card.active == True, condition)  # noqa: E712
    )


def _row(values, now: datetime) -> BrowseRow:
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


def short(text: str, width: int = FRONT_CHARS) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _context(session: Session, user_id: int, now: datetime, day_hour: int, tz: tzinfo | None) -> _Context:
    return _Context(session, user_id, now, day_hour, tz, _register_functions(session))


def search(
    engine: Engine,
    user_id: int,
    query: str,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    *,
    offset: int = 0,
    day_hour: int = 4,
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
            .order_by(Deck.name, Card.source, Card.position, Card.id)
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        return [_row(values, now) for values in session.exec(stmt)]


def count(
    engine: Engine, user_id: int, query: str, now: datetime, *, day_hour: int = 4, tz: tzinfo | None = None
) -> int:
    """How many active cards match ``query`` (no limit)."""
    tree = parse(query)
    with Session(engine) as session:
        ctx = _context(session, user_id, now, day_hour, tz)
        stmt = (
            select(func.count(Card.id))
            .join(Deck, Deck.id == Card.deck_id)
            .join(CardState, and_(CardState.card_id == Card.id, CardState.user_id == user_id), isouter=True)
            .where(Card.active == True, _compile(tree, ctx))  # noqa: E712
        )
        return int(session.exec(stmt).one())


def history(engine: Engine, user_id: int, card_id: str) -> list[HistoryRow]:
    """Every review ``user_id`` gave ``card_id``, newest first."""
    with Session(engine) as session:
        logs = session.exec(
            select(ReviewLog)
            .where(ReviewLog.user_id == user_id, ReviewLog.card_id == card_id)
            .order_by(col(ReviewLog.reviewed_at).desc(), col(ReviewLog.id).desc())
        ).all()
        return [
            HistoryRow(
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
            for log in logs
        ]


# -- the learner's browser: search and card actions -------------------------------


class Browser:
    """The browser of one learner (a Service): search with the learner's
    study days, card details, and the actions on cards. Each call is its own
    unit of work, so it is safe from a worker thread."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def _day(self) -> dict:
        return {"day_hour": self.service.config.day_start_hour, "tz": self.service.tz}

    def search(self, query: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0) -> list[BrowseRow]:
        s = self.service
        return search(s.engine, s.user_id, query, s.clock(), limit, offset=offset, **self._day())

    def count(self, query: str) -> int:
        s = self.service
        return count(s.engine, s.user_id, query, s.clock(), **self._day())

    def history(self, card_id: str) -> list[HistoryRow]:
        return history(self.service.engine, self.service.user_id, card_id)

    def row(self, card_id: str) -> BrowseRow:
        """One card's result row (KeyError if there is no such active card)."""
        s = self.service
        now = s.clock()
        with Session(s.engine) as session:
            ctx = _context(session, s.user_id, now, **self._day())
            values = session.exec(_select_rows(ctx, Card.id == card_id)).first()
        if values is None:
            raise KeyError(card_id)
        return _row(values, now)

    def info(self, card_id: str) -> CardInfo:
        """The card, its result row and its history, for the detail pane."""
        return CardInfo(self.service.card(card_id), self.row(card_id), self.history(card_id))

    # -- actions ------------------------------------------------------------

    def toggle_suspend(self, card_id: str) -> bool:
        """Suspend the card, or unsuspend it if it was; returns the new value."""
        suspended = not self.row(card_id).suspended
        self.service.suspend(card_id, suspended)
        return suspended

    def toggle_bury(self, card_id: str) -> bool:
        """Bury the card until the next study day, or unbury it; returns
        whether it is buried now."""
        if self.row(card_id).buried:
            self._update_state(card_id, lambda state: setattr(state, "buried_until", None))
            return False
        self.service.bury(card_id)
        return True

    def reset(self, card_id: str) -> None:
        """Forget the card: this learner's schedule for it goes (it is new
        again, unsuspended); its review history stays."""
        with Session(self.service.engine) as session:
            if session.get(Card, card_id) is None:
                raise KeyError(card_id)
            state = session.get(CardState, (self.service.user_id, card_id))
            if state is not None:
                session.delete(state)
            session.commit()

    def edit(self, card_id: str, front: str, back: str) -> None:
        """Change the text of one of the learner's own cards; its id, and so
        its schedule, stay. Built-in cards raise CardLocked."""
        front, back = front.strip(), back.strip()
        if not front:
            raise ValueError("The front can't be empty.")
        with Session(self.service.engine) as session:
            card = self._own_card(session, card_id, "edited")
            if (card.front, card.back) != (front, back):
                card.front, card.back = front, back
                card.updated_at = self.service.clock()
                session.commit()

    def move(self, card_id: str, deck: str) -> str:
        """Move one of the learner's own cards to ``deck`` (created with its
        parents if missing); returns the deck's name. Built-in cards raise
        CardLocked."""
        name = deck_name(deck)
        with Session(self.service.engine) as session:
            card = self._own_card(session, card_id, "moved")
            target = queries.ensure_deck(session=session, name=name)
            if card.deck_id != target.id:
                card.deck_id = target.id
                card.updated_at = self.service.clock()
            session.commit()
        return name

    @staticmethod
    def _own_card(session: Session, card_id: str, verb: str) -> Card:
        card = session.get(Card, card_id)
        if card is None:
            raise KeyError(card_id)
        if is_builtin(card.source):
            raise CardLocked(
                f"Built-in cards can't be {verb}: they are re-synced from decks/ at every start, "
                "so the change would be lost. Import a deck of your own instead."
            )
        return card

    def _update_state(self, card_id: str, change: Callable[[CardState], None]) -> None:
        with Session(self.service.engine) as session:
            if session.get(Card, card_id) is None:
                raise KeyError(card_id)
            state = session.get(CardState, (self.service.user_id, card_id))
            if state is None:
                state = CardState(user_id=self.service.user_id, card_id=card_id)
                session.add(state)
            change(state)
            session.commit()


def deck_name(text: str) -> str:
    """A deck name tidied ("A :: B" -> "A::B"); ValueError if it is empty
    or has an empty part."""
    parts = [part.strip() for part in text.split("::")]
    if not text.strip() or not all(parts):
        raise ValueError(f"Not a deck name: {text.strip()!r} (use names like My deck::Subdeck).")
    return "::".join(parts)


__all__ = [
    "DEFAULT_LIMIT",
    "BrowseRow",
    "Browser",
    "CardInfo",
    "CardLocked",
    "HistoryRow",
    "QueryError",
    "count",
    "deck_name",
    "fold",
    "history",
    "is_builtin",
    "parse",
    "search",
]
