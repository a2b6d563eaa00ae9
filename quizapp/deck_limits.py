"""Daily limits per deck, as Anki's v3 scheduler applies them (with "limits
start from the top"). Pure: standard library only, so `quizapp due` can use
it without SQLAlchemy.

Each deck has its preset's limits (new cards and reviews per study day).
A card studied today counts against its deck and every ancestor of it. What
is left of a deck is its limit minus what its subtree studied today; a card
of a deck can be shown while its deck and every ancestor have some left, so
a parent's limit caps its children, whichever deck is being studied.

Deck names are hierarchical (``A::B::C``); a name missing from the limits
(never the case for decks in the database, whose parents always exist) has
no limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: "No limit" for decks missing from the table (larger than any count).
UNLIMITED = 10**9


@dataclass(frozen=True)
class Left:
    """What is left today of one deck's own limits (never below 0)."""

    new: int
    review: int


def lineage(name: str) -> list[str]:
    """The deck and its ancestors, top first: ``A::B`` -> ``[A, A::B]``."""
    parts = name.split("::")
    return ["::".join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def parent(name: str) -> str | None:
    """The parent deck's name (None for a top-level deck)."""
    return name.rsplit("::", 1)[0] if "::" in name else None


def remaining(limits: Mapping[str, tuple[int, int]], studied: Mapping[str, tuple[int, int]]) -> dict[str, Left]:
    """Per deck: its (new, review) limits minus what it and its subdecks
    studied today (``studied``: per deck, its own cards only)."""
    in_subtree: dict[str, list[int]] = {name: [0, 0] for name in limits}
    for deck, (new, review) in studied.items():
        for ancestor in lineage(deck):
            if ancestor in in_subtree:
                in_subtree[ancestor][0] += new
                in_subtree[ancestor][1] += review
    return {
        name: Left(max(new - in_subtree[name][0], 0), max(review - in_subtree[name][1], 0))
        for name, (new, review) in limits.items()
    }


def available(left: Mapping[str, Left], deck: str) -> Left:
    """What a card of ``deck`` may still take today: the least left along
    the deck and its ancestors."""
    chain = [left[name] for name in lineage(deck) if name in left]
    return Left(
        min((x.new for x in chain), default=UNLIMITED),
        min((x.review for x in chain), default=UNLIMITED),
    )


def subtree_counts(left: Mapping[str, Left], counts: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Per deck: (new, review) cards its subtree can show today, each deck's
    own cards plus its subdecks' capped by its limits, bottom up (not yet
    capped by its ancestors). ``counts``: per deck, its own new and due
    review cards."""
    names = {ancestor for name in set(counts) | set(left) for ancestor in lineage(name)}
    totals = {name: list(counts.get(name, (0, 0))) for name in names}
    # Deepest first, so a deck is capped before it is added to its parent.
    for name in sorted(totals, key=lambda n: n.count("::"), reverse=True):
        own = left.get(name)
        if own is not None:
            totals[name] = [min(totals[name][0], own.new), min(totals[name][1], own.review)]
        up = parent(name)
        if up is not None:
            above = totals[up]
            above[0] += totals[name][0]
            above[1] += totals[name][1]
    return {name: (new, review) for name, (new, review) in totals.items()}


def capped_counts(left: Mapping[str, Left], subtrees: Mapping[str, tuple[int, int]], deck: str) -> tuple[int, int]:
    """(new, review) cards studying ``deck`` (its subdecks included) can
    show today: its subtree's count (:func:`subtree_counts`) capped by what
    its ancestors have left.

    The same total as taking cards one by one while every deck on a card's
    path has some left (nested limits: any order reaches the same total)."""
    new, review = subtrees.get(deck, (0, 0))
    up = parent(deck)
    above = available(left, up) if up is not None else Left(UNLIMITED, UNLIMITED)
    return min(new, above.new), min(review, above.review)


def open_decks(left: Mapping[str, Left], decks: Iterable[str]) -> tuple[set[str], set[str]]:
    """Of ``decks``: those whose cards may still show a new card today, and
    those that may still show a review."""
    new, review = set(), set()
    for deck in decks:
        room = available(left, deck)
        if room.new > 0:
            new.add(deck)
        if room.review > 0:
            review.add(deck)
    return new, review
