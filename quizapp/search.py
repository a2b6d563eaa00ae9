"""The card browser's search language, close to Anki's: tokens, the syntax
tree, and what a term's value means. Pure: standard library only; the SQL
that runs a tree is in quizapp.store.search.

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
from dataclasses import dataclass

from quizapp.domain import CardKind

KEYS = ("deck", "tag", "is", "due", "prop", "kind", "family", "id", "front", "back")
IS_VALUES = ("new", "learn", "review", "suspended", "leech", "buried", "due")
KINDS = (CardKind.BASIC, CardKind.CLOZE, CardKind.TYPE, CardKind.GENERATED, CardKind.CODE)
_PROP = re.compile(r"^(due|reps|lapses)(<=|>=|!=|=|<|>)(-?\d+)$")
#: Stands for a literal ``*`` (written ``\*``) in a term's value, until
#: patterns are built.
LITERAL_STAR = "\x00"
#: The largest number of days ``due:`` and ``prop:due`` take (about 100 years;
#: a study day further away is past what dates can hold).
MAX_DAYS = 36_500
#: The largest ``prop:reps`` / ``prop:lapses`` (SQL integers are 64-bit).
MAX_COUNT = 1_000_000_000
#: How deep groups may nest: deeper ones are refused, not left to Python's
#: recursion limit or SQLite's parser stack (about 20 levels of the heaviest
#: terms, ``(prop:due>1 or -(is:due ...))``, fit in it).
MAX_DEPTH = 12
#: How many words, operators and parentheses a search may have, and how long
#: one word may be: SQLite refuses expressions over 1,000 levels and LIKE
#: patterns over 50,000 bytes, and a search box needs far fewer.
MAX_TOKENS = 200
MAX_WORD_CHARS = 1000
_CHECKED_KEYS = frozenset({"due", "prop", "is", "kind"})


class QueryError(ValueError):
    """A search query that can't be parsed; the message is one line."""


# -- matching -----------------------------------------------------------------

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str | None) -> str | None:
    """Lower case without accents: "Números" -> "numeros" (for matching)."""
    if text is None:
        return None
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def wildcard_match(pattern: str, text: str) -> bool:
    """True if ``text`` is all matched by ``pattern``, where ``*`` matches any
    characters and LITERAL_STAR a literal ``*``.

    No regex (``.*`` runs backtrack: ``*a*a*a*ab`` costs a power of the text's
    length): the pieces between stars are found leftmost in turn, which is
    enough for a pattern with ``*`` as its only wildcard, so the cost is one
    pass of ``str.find`` over the text per piece (at most the text's length
    times the pattern's, and linear in practice)."""
    pieces = [p.replace(LITERAL_STAR, "*") for p in pattern.split("*")]
    if len(pieces) == 1:
        return text == pieces[0]
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    pos = len(first)
    for piece in middle:
        if piece:
            found = text.find(piece, pos, end)
            if found < 0:
                return False
            pos = found + len(piece)
    return True


def collapse_stars(value: str) -> str:
    """``value`` with each run of ``*`` cut to one (the same matches, less work)."""
    out: list[str] = []
    for c in value:
        if c != "*" or not out or out[-1] != "*":
            out.append(c)
    return "".join(out)


# -- the syntax tree ----------------------------------------------------------


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
    if len(tokens) > MAX_TOKENS:
        raise QueryError(f"the search has {len(tokens)} words and operators; at most {MAX_TOKENS}")
    for token in tokens:
        # due:, prop:, is: and kind: values are checked, and named, where they are read.
        term = token.term
        if term is not None and term.key not in _CHECKED_KEYS and len(term.value) > MAX_WORD_CHARS:
            size = len(term.value)
            raise QueryError(f"a search word has {size} characters; at most {MAX_WORD_CHARS}")
    return node


# -- what a term's value means ------------------------------------------------


def due_days(value: str) -> int:
    """The days of ``due:value``."""
    if not re.fullmatch(r"\d+", value):
        raise QueryError(f"due: takes a whole number of days, as in due:3 (got due:{_clip(value)})")
    if len(value) > 9 or int(value) > MAX_DAYS:
        raise QueryError(f"due: takes at most {MAX_DAYS} days (got due:{_clip(value)})")
    return int(value)


def prop_term(value: str) -> tuple[str, str, int]:
    """(property, operator, number) of ``prop:value``: "due<=3" -> ("due", "<=", 3)."""
    match = _PROP.match(value.replace(" ", "").lower())
    if match is None:
        raise QueryError(
            f"prop:{_clip(value)} is not understood: use due, reps or lapses with <, <=, =, !=, >=, > "
            "and a whole number, as in prop:due<=3"
        )
    name, op, digits = match.group(1), match.group(2), match.group(3)
    limit = MAX_DAYS if name == "due" else MAX_COUNT
    if len(digits.lstrip("-")) > 12 or abs(int(digits)) > limit:
        raise QueryError(f"prop:{name} takes a number from -{limit} to {limit} (got prop:{_clip(value)})")
    return name, op, int(digits)


def card_kind(value: str) -> str:
    """The kind of card ``kind:value`` names."""
    kind = value.lower()
    if kind not in KINDS:
        raise QueryError(f"kind:{value} is not a kind of card (use {', '.join(KINDS)})")
    return kind


def unknown_is(value: str) -> QueryError:
    """The error for ``is:value`` when value is none of IS_VALUES."""
    return QueryError(f"is:{value} is not understood (use {', '.join('is:' + v for v in IS_VALUES)})")


def _clip(value: str, width: int = 40) -> str:
    """``value`` cut for an error message."""
    return value if len(value) <= width else value[: width - 1] + "…"


# -- tokens and grammar -------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "-", "or", "and", "term"
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
            chars.append(LITERAL_STAR if nxt == "*" else nxt)
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

    def peek_kind(self) -> str | None:
        token = self.peek()
        return None if token is None else token.kind

    def expression(self) -> Node:
        options = [self.conjunction()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.pos += 1
            if self.peek_kind() in (None, ")", "or"):
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
        if not parts and self.peek_kind() == "or":
            raise QueryError("'or' needs a search term on both sides")
        if not parts and self.depth and self.peek_kind() == ")":
            raise QueryError("empty group: '()' holds no search term")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        assert token is not None  # conjunction() calls this only before a token
        self.pos += 1
        if token.kind == "-":
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "or", "and", "-"):
                raise QueryError("'-' must come right before a search term, as in -is:suspended")
            return Not(self.unary())
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"groups nest too deep: at most {MAX_DEPTH} levels of '('")
            inner = self.expression()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError("unbalanced '(': close the group with ')'")
            self.pos += 1
            self.depth -= 1
            return inner
        assert token.term is not None
        return token.term


__all__ = [
    "IS_VALUES",
    "KEYS",
    "KINDS",
    "LITERAL_STAR",
    "MAX_COUNT",
    "MAX_DAYS",
    "MAX_DEPTH",
    "MAX_TOKENS",
    "MAX_WORD_CHARS",
    "And",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "Term",
    "card_kind",
    "collapse_stars",
    "due_days",
    "fold",
    "parse",
    "prop_term",
    "unknown_is",
    "wildcard_match",
]
