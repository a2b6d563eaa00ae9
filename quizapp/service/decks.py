"""Use cases: decks and their cards. Syncing parsed decks into the database
(all files in one transaction), today's counts per deck, the card list.

Cards keep their ids, so their schedules survive text edits and moves
between sources. Review history a source carries becomes the learner's
own, and those cards' schedules are replayed from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from quizapp.domain import BUILTIN_SOURCE, MemoryState, ReviewKind
from quizapp.importers.base import ParsedDeck, ParsedReview
from quizapp.service.context import Context, Progress
from quizapp.service.languages import shown_filter
from quizapp.service.views import CardView, DeckCounts, card_view
from quizapp.store import queries
from quizapp.store.models import Card, CardState, Deck, ReviewLog


@dataclass
class SyncReport:
    """What syncing one source did (or, in a dry run, would do)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Past reviews brought in as the learner's own.
    reviews: int = 0
    decks: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged, "removed": self.removed}


#: Rows per bulk INSERT: ORM objects cost ~0.3 ms each, a bulk row far less.
INSERT_CHUNK = 1000


def sync_decks(
    ctx: Context,
    decks: list[ParsedDeck],
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[SyncReport]:
    """Bring the cards of each source in line with its ParsedDeck, all in
    one transaction: every file lands, or none (``dry_run``: none, but the
    reports say what would change).

    Cards of a source that are gone are deactivated, not deleted: history stays.
    """
    now = ctx.clock()
    counter = Progress(sum(len(d.cards) for d in decks), progress)
    with ctx.write() as session:
        reports = [_sync_one(ctx, session, parsed, now, counter) for parsed in decks]
        if dry_run:
            session.rollback()
    return reports


def sync_builtin_decks(ctx: Context, directory: Path | None = None) -> list[SyncReport]:
    """Install or re-sync every built-in deck (decks/*.toml)."""
    from quizapp.importers.toml_deck import read_toml_deck
    from quizapp.locations import builtin_decks_dir

    directory = directory or builtin_decks_dir()
    paths = sorted(directory.glob("*.toml"))
    return sync_decks(ctx, [read_toml_deck(path, source_prefix=BUILTIN_SOURCE) for path in paths])


def _sync_one(ctx: Context, session: Session, parsed: ParsedDeck, now: datetime, counter: Progress) -> SyncReport:
    report = SyncReport(decks=sorted(parsed.decks))
    deck_ids = {
        name: queries.ensure_deck(session=session, name=name, description=desc).id
        for name, desc in parsed.decks.items()
    }
    existing = {c.id: c for c in session.exec(select(Card).where(Card.source == parsed.source))}
    # Cards that moved here from another source keep their id and schedule.
    missing = [pc.id for pc in parsed.cards if pc.id not in existing]
    existing.update(queries.cards_by_id(session=session, ids=missing))
    seen: set[str] = set()
    added: list[dict[str, Any]] = []
    for position, pc in enumerate(parsed.cards):
        counter.step()
        seen.add(pc.id)
        if pc.deck not in deck_ids:
            deck_ids[pc.deck] = queries.ensure_deck(session=session, name=pc.deck).id
        values = dict(
            deck_id=deck_ids[pc.deck],
            kind=pc.kind,
            front=pc.front,
            back=pc.back,
            data=pc.data_json(),
            tags=" ".join(pc.tags),
            position=position,
            active=True,
        )
        card = existing.get(pc.id)
        if card is None:
            added.append(dict(id=pc.id, source=parsed.source, created_at=now, updated_at=now, **values))
            report.added += 1
        elif all(getattr(card, k) == v for k, v in values.items()) and card.source == parsed.source:
            report.unchanged += 1
        else:
            for k, v in values.items():
                setattr(card, k, v)
            card.source = parsed.source
            card.updated_at = now
            report.updated += 1
    for i in range(0, len(added), INSERT_CHUNK):
        session.execute(insert(Card), added[i : i + INSERT_CHUNK])
    for card_id, card in existing.items():
        if card_id not in seen and card.active and card.source == parsed.source:
            card.active = False
            card.updated_at = now
            report.removed += 1
    if parsed.reviews:
        session.flush()
        report.reviews = _import_reviews(ctx, session, parsed)
    return report


def _import_reviews(ctx: Context, session: Session, parsed: ParsedDeck) -> int:
    """Add the source's review history as this learner's, skipping reviews
    already there, then derive each card's schedule from its whole log."""
    by_card: dict[str, list[ParsedReview]] = {}
    for review in parsed.reviews:
        by_card.setdefault(review.card_id, []).append(review)
    added = 0
    for card_id, reviews in by_card.items():
        if session.get(Card, card_id) is None:
            continue
        known = set(
            session.exec(
                select(ReviewLog.reviewed_at).where(ReviewLog.user_id == ctx.user_id, ReviewLog.card_id == card_id)
            )
        )
        first = not known
        for review in sorted(reviews, key=lambda r: r.reviewed_at):
            if review.reviewed_at in known:
                continue
            state_before = MemoryState.NEW if first else ReviewKind(review.kind).memory_state
            first = False
            session.add(
                ReviewLog(
                    user_id=ctx.user_id,
                    card_id=card_id,
                    reviewed_at=review.reviewed_at,
                    rating=review.rating,
                    duration_ms=review.duration_ms,
                    state_before=int(state_before),
                    interval_before_days=review.interval_before_days,
                    interval_after_days=review.interval_after_days,
                    asked="(imported)",
                )
            )
            added += 1
        session.flush()
        _replay(ctx, session, card_id)
    return added


def _replay(ctx: Context, session: Session, card_id: str) -> None:
    """Recompute a card's schedule from its review log, oldest first."""
    logs = session.exec(
        select(ReviewLog)
        .where(ReviewLog.user_id == ctx.user_id, ReviewLog.card_id == card_id)
        .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
    ).all()
    memory = ctx.scheduler.replay([(log.reviewed_at, log.rating) for log in logs], fuzz_key=card_id)
    state = session.get(CardState, (ctx.user_id, card_id))
    if state is None:
        state = CardState(user_id=ctx.user_id, card_id=card_id)
        session.add(state)
    queries.store_memory(state, memory)


def deck_counts(ctx: Context) -> list[DeckCounts]:
    """Every deck with today's counts (subdecks included, daily limits applied),
    except the built-in deck in the other language (service/languages.py)."""
    raw, new_left, reviews_left = _raw_counts(ctx, shown_filter(ctx, None))
    return [
        _aggregate(name, [c for n, c in raw.items() if n == name or n.startswith(name + "::")], new_left, reviews_left)
        for name in sorted(raw, key=lambda n: n.split("::"))
    ]


def today_counts(ctx: Context, deck: str | None = None) -> DeckCounts:
    """What is left today in ``deck`` (None: all decks)."""
    raw, new_left, reviews_left = _raw_counts(ctx, shown_filter(ctx, deck))
    subtree = [c for n, c in raw.items() if deck is None or n == deck or n.startswith(deck + "::")]
    return _aggregate(deck or "All decks", subtree, new_left, reviews_left)


def _raw_counts(ctx: Context, hidden: frozenset[str]) -> tuple[dict[str, queries.RawCounts], int, int]:
    now = ctx.clock()
    start, end = ctx.day_bounds(now)
    with ctx.read() as session:
        raw = queries.counts_by_deck(session=session, user_id=ctx.user_id, now=now, day_end=end)
        raw = {name: counts for name, counts in raw.items() if name not in hidden}
        _, new_done, reviews_done = queries.studied_since(session=session, user_id=ctx.user_id, since=start)
    new_left = max(ctx.config.new_per_day - new_done, 0)
    reviews_left = max(ctx.config.reviews_per_day - reviews_done, 0)
    return raw, new_left, reviews_left


def _aggregate(name: str, rows: list[queries.RawCounts], new_left: int, reviews_left: int) -> DeckCounts:
    return DeckCounts(
        name=name,
        new=min(sum(c.new for c in rows), new_left),
        learning=sum(c.learning for c in rows),
        due=min(sum(c.due for c in rows), reviews_left),
        total=sum(c.total for c in rows),
    )


def deck_names(ctx: Context) -> list[str]:
    with ctx.read() as session:
        return sorted(session.exec(select(Deck.name)))


def cards(ctx: Context, deck: str | None = None) -> list[CardView]:
    """Active cards, optionally of one deck and its subdecks, in the
    author's order."""
    with ctx.read() as session:
        stmt = (
            select(Card, Deck.name)
            .join(Deck, col(Deck.id) == Card.deck_id)
            .where(Card.active == True, queries.deck_filter(deck))  # noqa: E712
            .order_by(col(Card.source), col(Card.position))
        )
        return [card_view(card, deck_name, None) for card, deck_name in session.exec(stmt)]
