"""The review queue, built as Anki builds it: once per deck and study day,
from indexed queries that stop at the daily limits, then kept up to date as
the learner answers, buries and suspends, so that taking the next card costs
the same at 1,000 cards as at 200,000.

Three lists, in Anki's order of service: learning cards (by due time),
reviews due today (most overdue first, at most the reviews left today), new
cards (the author's order, at most the new cards left today). The card at the
head is checked against the database when it is taken (one primary-key
read): another terminal may have answered it, and then it is put where its
new state belongs, or left out.

The queue is rebuilt when anything else writes through the same Context
(an import, a settings change, the browser's actions: ``Context.writes``
counts the write transactions), when the study day changes, when the deck
changes, after an undo, and once more before it says that nothing is left
(so cards another process added or made due are not missed). When siblings
are buried (or a card suspended) out of a list cut at a daily limit, only
the new and review lists are read again, up to the limits.

:func:`limits_left` is the one place where the queue applies the daily
limits, each deck's from its preset (service/presets.py): the lists hold only
cards of decks that may still show one today, along their ancestors too, and
after each new card or review answered they are read again, so a deck that
reaches its limit (or its parent's) closes at once while the others go on.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from quizapp.domain import LIVE_KINDS, MemoryState
from quizapp.scheduling import SchedulingConfig
from quizapp.service.context import Context
from quizapp.service.languages import shown_filter
from quizapp.service.presets import deck_limits
from quizapp.service.settings import deck_view
from quizapp.service.views import CardView, DeckCounts, card_view
from quizapp.store import queries
from quizapp.store.models import CardState


@dataclass(frozen=True)
class Limits:
    """What studying a deck may still show today, and from which decks."""

    #: At most this many new cards and reviews (an upper bound when several
    #: decks with limits of their own are studied together).
    new: int
    reviews: int
    #: Ids of the decks studied (None: every deck): the deck and its
    #: subdecks, less the built-in deck in the other language (service/languages.py).
    decks: list[int] | None
    #: Ids of the decks whose new cards / reviews may still be shown (None: any).
    new_decks: list[int] | None
    review_decks: list[int] | None
    #: Every deck studied has the same limit chain (one deck, no subdecks with
    #: limits of their own): the counts above are exact.
    exact: bool


def limits_left(
    ctx: Context, session: Session, start: datetime, deck: str | None = None, hidden: frozenset[str] = frozenset()
) -> Limits:
    """What studying ``deck`` (None: every deck) may still show today: each
    deck's preset limits less what its subtree studied since ``start``, a
    card shown only while its deck and every ancestor have some left.
    ``hidden``: decks left out (the other language's built-in deck)."""
    limits = deck_limits(ctx, session=session, since=start)
    new_decks, review_decks = limits.open_deck_ids(deck)
    names = [n for n in limits.ids if (deck is None or n == deck or n.startswith(deck + "::")) and n not in hidden]
    decks = None if deck is None and not hidden else [limits.ids[n] for n in names]
    if deck is not None and deck in limits.ids and names == [deck]:
        room = limits.available(deck)
        return Limits(room.new, room.review, decks, new_decks, review_decks, exact=True)
    # Several decks: each served card takes one from its deck's room, so the
    # rooms added up bound what can be shown; the lists are read again after
    # each answer, when a deck may close.
    rooms = [limits.available(n) for n in names]
    new = sum(r.new for r in rooms)
    reviews = sum(r.review for r in rooms)
    return Limits(new, reviews, decks, new_decks, review_decks, exact=False)


def _scope(decks: list[int] | None, open_ids: list[int] | None) -> list[int] | None:
    """The decks a list is read from: those studied that are still open."""
    if open_ids is None:
        return decks
    allowed = set(open_ids)
    return [d for d in (decks if decks is not None else open_ids) if d in allowed]


@dataclass
class ReviewQueue:
    """One deck's cards left today, in the order they are served."""

    deck: str | None
    #: Start of the study day it was built for.
    day_start: datetime
    day_end: datetime
    #: Learning cards due before ``day_end`` plus the learn-ahead margin:
    #: (due, card id, kind), soonest first.
    learning: list[tuple[datetime, str, str]]
    #: Reviews due today: card id -> kind, in order.
    reviews: dict[str, str]
    #: New cards: card id -> kind, in order.
    new: dict[str, str]
    #: Active cards in the deck.
    total: int
    #: The lists were cut at the daily limits (a card taken out other than by
    #: an answer then leaves room that only a rebuild fills).
    reviews_cut: bool
    new_cut: bool
    #: ``Context.writes`` the queue is in step with.
    writes: int
    #: The settings the queue was built with (a change rebuilds it).
    config: SchedulingConfig
    #: Built since the last time it said nothing was left.
    fresh: bool = True
    #: A card left a list cut at a daily limit other than by an answer: the
    #: new and review lists are read again (up to the limits) before the next card.
    refill: bool = False
    #: One deck's limits decide (its counts are the lists' lengths); False:
    #: several decks with limits of their own, read again after each answer.
    exact: bool = True
    #: Decks left out (the other language's built-in deck), as when it was built.
    hidden: frozenset[str] = frozenset()
    #: The learner's (language, other deck shown) it was built for.
    view: tuple[str, bool] = ("", False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def learning_today(self) -> int:
        return sum(1 for due, _, _ in self.learning if due < self.day_end)

    def remove(self, card_id: str) -> str | None:
        """Take a card out; returns the list it was in ("learning", "review",
        "new") or None."""
        if self.reviews.pop(card_id, None) is not None:
            return "review"
        if self.new.pop(card_id, None) is not None:
            return "new"
        for i, (_, cid, _) in enumerate(self.learning):
            if cid == card_id:
                del self.learning[i]
                return "learning"
        return None

    def add_learning(self, due: datetime, card_id: str, kind: str) -> None:
        bisect.insort(self.learning, (due, card_id, kind))


def current_queue(ctx: Context, deck: str | None, now: datetime) -> ReviewQueue | None:
    """The queue of ``deck`` if it is up to date at ``now`` (else None)."""
    queue = ctx.queue
    if (
        not isinstance(queue, ReviewQueue)
        or queue.deck != deck
        or queue.writes != ctx.writes
        or queue.config is not ctx.config
    ):
        return None
    if not queue.day_start <= now < queue.day_end:
        return None
    if deck_view(ctx) != queue.view:  # the language changed (maybe in another terminal)
        return None
    return queue


def build(ctx: Context, deck: str | None, now: datetime) -> ReviewQueue:
    """Build the queue of ``deck`` for the study day of ``now``."""
    start, end = ctx.day_bounds(now)
    writes = ctx.writes
    view = deck_view(ctx)
    hidden = shown_filter(ctx, deck)
    with ctx.read() as session:
        limits = limits_left(ctx, session, start, deck, hidden)
        decks = limits.decks
        learning = queries.queue_learning(
            session=session, user_id=ctx.user_id, decks=decks, before=end + ctx.config.learn_ahead, now=now
        )
        reviews = queries.queue_reviews(
            session=session,
            user_id=ctx.user_id,
            decks=_scope(decks, limits.review_decks),
            day_end=end,
            now=now,
            limit=limits.reviews,
        )
        new = queries.queue_new(
            session=session, user_id=ctx.user_id, decks=_scope(decks, limits.new_decks), now=now, limit=limits.new
        )
        total = queries.active_total(session=session, decks=decks)
    queue = ReviewQueue(
        deck=deck,
        day_start=start,
        day_end=end,
        learning=learning,
        reviews=dict(reviews),
        new=dict(new),
        total=total,
        reviews_cut=len(reviews) >= limits.reviews,
        new_cut=len(new) >= limits.new,
        writes=writes,
        config=ctx.config,
        exact=limits.exact,
        hidden=hidden,
        view=view,
    )
    ctx.queue = queue
    return queue


def refill(ctx: Context, queue: ReviewQueue, now: datetime) -> None:
    """Read the new and review lists again, up to what the limits leave
    (cards were buried or suspended out of lists cut at a limit)."""
    with ctx.read() as session:
        limits = limits_left(ctx, session, queue.day_start, queue.deck, queue.hidden)
        decks = limits.decks
        reviews = queries.queue_reviews(
            session=session,
            user_id=ctx.user_id,
            decks=_scope(decks, limits.review_decks),
            day_end=queue.day_end,
            now=now,
            limit=limits.reviews,
        )
        new = queries.queue_new(
            session=session, user_id=ctx.user_id, decks=_scope(decks, limits.new_decks), now=now, limit=limits.new
        )
    with queue.lock:
        queue.reviews, queue.new = dict(reviews), dict(new)
        queue.reviews_cut, queue.new_cut = len(reviews) >= limits.reviews, len(new) >= limits.new
        queue.exact = limits.exact
        queue.refill = False


def queue_counts(ctx: Context, deck: str | None, now: datetime) -> DeckCounts | None:
    """What is left today in ``deck``, from its queue if it is up to date
    (None: it is not; count as the deck list does)."""
    queue = current_queue(ctx, deck, now)
    if queue is None:
        return None
    if queue.refill:
        refill(ctx, queue, now)
    if not queue.exact:  # decks with limits of their own: count as the deck list does
        return None
    with queue.lock:
        return DeckCounts(
            name=deck or "All decks",
            new=len(queue.new),
            learning=queue.learning_today,
            due=len(queue.reviews),
            total=queue.total,
        )


def get_queue(ctx: Context, deck: str | None, now: datetime) -> ReviewQueue:
    """The up-to-date queue of ``deck`` (built if needed)."""
    return current_queue(ctx, deck, now) or build(ctx, deck, now)


def forget_queue(ctx: Context) -> None:
    """Drop the queue: the next card rebuilds it (after an undo)."""
    ctx.queue = None


def take(ctx: Context, deck: str | None, *, generated: bool = True) -> CardView | None:
    """The card to show next (not removed: it stays at the head until it is
    answered, buried or suspended), as its state is now; None when nothing
    is left today. ``generated=False`` passes over live cards."""
    now = ctx.clock()
    queue = get_queue(ctx, deck, now)
    if queue.refill:
        refill(ctx, queue, now)
    while True:
        with queue.lock:
            head = _head(queue, now, ctx, generated)
        if head is None:
            if queue.fresh:
                return None
            queue = build(ctx, deck, now)  # once more: another process may have added or moved cards
            continue
        source, card_id = head
        with ctx.read() as session:
            card, deck_name, state = queries.card_with_state(session=session, user_id=ctx.user_id, card_id=card_id)
            if card is not None and card.active and _still(source, state, queue, now):
                queue.fresh = False
                return card_view(card, deck_name, state)
        # Changed since the queue was built (another terminal): put it where it belongs now.
        with queue.lock:
            queue.remove(card_id)
            if card is not None and card.active and state is not None:
                hidden = state.suspended or (state.buried_until is not None and state.buried_until > now)
                place(queue, card_id, card.kind, MemoryState(state.state), state.due, hidden=hidden)


def update_queue(
    ctx: Context,
    seen: int,
    *,
    answered: str | None = None,
    removed: tuple[str, ...] = (),
    placed: tuple[str, MemoryState, datetime | None, bool] | None = None,
) -> None:
    """Keep the queue in step after a write of the review's own (an answer,
    a bury, a suspend) that began when ``ctx.writes`` was ``seen``: the
    ``answered`` card and the ``removed`` ones leave it, and the answered
    card comes back where its new state (``placed``: kind, state, due,
    hidden) belongs. The queue is rebuilt instead when another write came in
    between; when a card left a list cut at a daily limit other than by an
    answer, the lists are read again before the next card (``refill``)."""
    queue = ctx.queue
    if not isinstance(queue, ReviewQueue):
        return
    with queue.lock:
        in_step = queue.writes == seen and ctx.writes == seen + 1
        queue.fresh = False
        if answered is not None:
            source = queue.remove(answered)
            if source in ("new", "review") and not queue.exact:
                queue.refill = True  # a deck (or its parent) may have reached its limit
            if placed is not None:
                kind, state, due, hidden = placed
                place(queue, answered, kind, state, due, hidden=hidden)
        for card_id in removed:
            source = queue.remove(card_id)
            if (source == "new" and queue.new_cut) or (source == "review" and queue.reviews_cut):
                queue.refill = True
        if in_step:
            queue.writes = ctx.writes


def _head(queue: ReviewQueue, now: datetime, ctx: Context, generated: bool) -> tuple[str, str] | None:
    """(list, card id) of the card Anki's order serves next."""

    def allowed(kind: str) -> bool:
        return generated or kind not in LIVE_KINDS

    learning = next(((due, cid) for due, cid, kind in queue.learning if allowed(kind)), None)
    if learning is not None and learning[0] <= now:
        return "learning", learning[1]
    for source, cards in (("review", queue.reviews), ("new", queue.new)):
        for cid, kind in cards.items():
            if allowed(kind):
                return source, cid
    if learning is not None and learning[0] <= now + ctx.config.learn_ahead:
        return "learning", learning[1]
    return None


def _still(source: str, state: CardState | None, queue: ReviewQueue, now: datetime) -> bool:
    """The card is still what the queue took it for."""
    if state is not None and (state.suspended or (state.buried_until is not None and state.buried_until > now)):
        return False
    if source == "new":
        return state is None or state.state == MemoryState.NEW
    assert state is not None
    if source == "review":
        return state.state == MemoryState.REVIEW and state.due is not None and state.due < queue.day_end
    for due, cid, _ in queue.learning:
        if cid == state.card_id:
            return state.state in (MemoryState.LEARNING, MemoryState.RELEARNING) and state.due == due
    return False


def place(
    queue: ReviewQueue, card_id: str, kind: str, state: MemoryState, due: datetime | None, *, hidden: bool
) -> None:
    """Put a card whose state changed where it belongs today (learning cards
    due today go back in; the rest wait for another day)."""
    learning = state in (MemoryState.LEARNING, MemoryState.RELEARNING)
    if learning and not hidden and due is not None and due < queue.day_end + queue.config.learn_ahead:
        queue.add_learning(due, card_id, kind)
