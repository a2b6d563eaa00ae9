"""Use cases: decks and their cards. Syncing parsed decks into the database
(all files in one transaction), today's counts per deck, the card list.

Cards keep their ids, so their schedules survive text edits and moves
between sources; a card another source holds with the same text stays
there (importing an export changes nothing). Review history a source
carries becomes the learner's own, and those cards' schedules are replayed
from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from quizapp.domain import BUILTIN_SOURCE, BUILTIN_SOURCE_PREFIX, CardKind, MemoryState, ReviewKind, note_key
from quizapp.importers.base import TYPE_BACK, ParsedCard, ParsedDeck, ParsedReview, ParsedSchedule
from quizapp.optimizing import anki_memory_plan, memory_from_sm2
from quizapp.scheduling import Memory, Scheduler
from quizapp.service.context import Context, Progress
from quizapp.service.languages import shown_filter
from quizapp.service.presets import configs_by_deck, deck_limits
from quizapp.service.queue import queue_counts
from quizapp.service.views import CardView, DeckCounts, card_view
from quizapp.store import queries
from quizapp.store.models import BuiltinDeckSync, Card, CardState, Deck, ReviewLog


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


#: Anki's card types that have a memory state to infer (review, relearning).
ANKI_REVIEW, ANKI_RELEARNING = 2, 3

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


def sync_builtin_decks(ctx: Context, directory: Path | None = None, *, if_changed: bool = False) -> list[SyncReport]:
    """Install or re-sync every built-in deck (decks/*.toml). With
    ``if_changed`` (how the CLI and the TUI open a database), nothing is
    read when the deck files, the code that reads them and the count of
    active built-in cards are what the last sync recorded (the fingerprint
    in ``builtindecksync``): an empty list."""
    from quizapp.locations import builtin_decks_dir

    directory = directory or builtin_decks_dir()
    paths = sorted(directory.glob("*.toml"))
    fingerprint = builtin_fingerprint(paths)
    if if_changed:
        with ctx.read() as session:
            last = session.get(BuiltinDeckSync, 1)
            if last is not None and last.fingerprint == fingerprint and last.cards == _builtin_cards(session):
                return []
    from quizapp.importers.toml_deck import read_toml_deck

    reports = sync_decks(ctx, [read_toml_deck(path, source_prefix=BUILTIN_SOURCE) for path in paths])
    with ctx.write() as session:
        row = session.get(BuiltinDeckSync, 1) or BuiltinDeckSync(fingerprint=fingerprint)
        row.fingerprint, row.cards, row.synced_at = fingerprint, _builtin_cards(session), ctx.clock()
        session.add(row)
    return reports


#: The code whose output the sync stores: a change to it re-syncs the decks.
_SYNC_CODE = ("importers/toml_deck.py", "importers/base.py", "service/decks.py", "store/models.py")


def builtin_fingerprint(paths: list[Path]) -> str:
    """A hash of the built-in deck files (names and bytes) and of the code
    that turns them into cards."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in [*paths, *(package / name for name in _SYNC_CODE)]:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
    return digest.hexdigest()


def _builtin_cards(session: Session) -> int:
    stmt = (
        select(func.count())
        .select_from(Card)
        .where(col(Card.active), col(Card.source).startswith(BUILTIN_SOURCE_PREFIX))
    )
    return int(session.exec(stmt).one())


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
        if parsed.kept and pc.id in existing:
            pc = _keep_stored(pc, existing[pc.id], parsed.kept)
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
            note_id=note_key(pc.id),
        )
        card = existing.get(pc.id)
        if card is None:
            added.append(dict(id=pc.id, source=parsed.source, created_at=now, updated_at=now, **values))
            report.added += 1
        elif all(getattr(card, k) == v for k, v in values.items() if k != "position") and (
            card.source != parsed.source or card.position == position
        ):
            # Unchanged. A card of another source with the same text (an export
            # of it read back) stays where it came from: a round trip changes nothing.
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
    if parsed.reviews or parsed.schedules:
        session.flush()
        report.reviews = _import_reviews(ctx, session, parsed)
    return report


def _keep_stored(pc: ParsedCard, card: Card, kept: frozenset[str]) -> ParsedCard:
    """``pc`` with what its format cannot hold taken from the stored ``card``."""
    stored = json.loads(card.data or "{}")
    data = {**{k: v for k, v in stored.items() if k in kept}, **pc.data}
    back = pc.back
    if TYPE_BACK in kept and pc.kind == CardKind.TYPE and card.kind == CardKind.TYPE and back == data.get("answer"):
        back = card.back
    return replace(pc, data=data, back=back) if (data, back) != (pc.data, pc.back) else pc


def _import_reviews(ctx: Context, session: Session, parsed: ParsedDeck) -> int:
    """Add the source's review history as this learner's, skipping reviews
    already there, then derive each card's schedule from its whole log.
    A card that arrives with history and none of the learner's own gets its
    memory state as Anki computes it (:func:`_import_memory`); one that
    arrives with an SM-2 schedule and no history at all, from its ease
    factor and interval."""
    by_card: dict[str, list[ParsedReview]] = {}
    for review in parsed.reviews:
        by_card.setdefault(review.card_id, []).append(review)
    added = 0
    configs = configs_by_deck(ctx, session)  # each card replayed with its deck preset's steps
    for card_id, reviews in by_card.items():
        card = session.get(Card, card_id)
        if card is None:
            continue
        known = set(
            session.exec(
                select(ReviewLog.reviewed_at).where(ReviewLog.user_id == ctx.user_id, ReviewLog.card_id == card_id)
            )
        )
        first = not known
        ordered = sorted(reviews, key=lambda r: r.reviewed_at)
        new_reviews = [r for r in ordered if r.reviewed_at not in known]
        for i, review in enumerate(new_reviews):
            state_before = MemoryState.NEW if first and i == 0 else ReviewKind(review.kind).memory_state
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
        if not new_reviews:
            continue  # nothing new: the card's schedule stands
        session.flush()
        scheduler = ctx.scheduler_for(configs.get(card.deck_id, ctx.config))  # the deck preset's steps
        if first:
            _import_memory(ctx, session, card_id, new_reviews, parsed.schedules.get(card_id), scheduler)
        else:
            _replay(ctx, session, card_id, scheduler)
    _import_schedules(ctx, session, parsed, skip=set(by_card))
    return added


def _import_memory(
    ctx: Context,
    session: Session,
    card_id: str,
    reviews: list[ParsedReview],
    schedule: ParsedSchedule | None,
    scheduler: Scheduler,
) -> None:
    """The schedule of a card whose whole log is ``reviews`` (oldest first),
    its memory state as Anki computes it (quizapp.optimizing.anki_memory_plan):
    replayed from its last learning steps, or, for a history that starts
    mid-way, from the state its first review's ease and interval give."""
    parameters = ctx.config.parameters
    plan = anki_memory_plan(parameters, [(ReviewKind(r.kind), r.ease_factor, r.interval_after_days) for r in reviews])
    if plan is None:
        memory = _sm2_memory(parameters, schedule)
        if memory is None:  # Anki would leave it without a memory state: replay what there is
            _replay(ctx, session, card_id, scheduler)
            return
    else:
        start = None
        if plan.start is not None:
            before = reviews[plan.replay_from - 1]
            stability, difficulty = plan.start
            start = Memory(
                state=MemoryState.REVIEW,
                stability=stability,
                difficulty=difficulty,
                due=before.reviewed_at + timedelta(days=max(before.interval_after_days, 1)),
                last_review=before.reviewed_at,
                reps=plan.replay_from,
                lapses=sum(1 for r in reviews[: plan.replay_from] if r.kind == ReviewKind.REVIEW and r.rating == 1),
            )
        memory = scheduler.replay(
            [(r.reviewed_at, r.rating) for r in reviews[plan.replay_from :]], fuzz_key=card_id, start=start
        )
    _store_state(ctx, session, card_id, memory)


def _sm2_memory(parameters: tuple[float, ...], schedule: ParsedSchedule | None) -> Memory | None:
    """A card's memory from its SM-2 ease factor and interval, due when Anki
    had it due (None for a card Anki gives no memory state: new, learning,
    or without an interval, reviews or due date)."""
    if (
        schedule is None
        or schedule.card_type not in (ANKI_REVIEW, ANKI_RELEARNING)
        or schedule.interval_days <= 0
        or schedule.reps <= 0
        or schedule.due is None
    ):
        return None
    stability, difficulty = memory_from_sm2(parameters, schedule.ease_factor, schedule.interval_days)
    relearning = schedule.card_type == ANKI_RELEARNING
    return Memory(
        state=MemoryState.RELEARNING if relearning else MemoryState.REVIEW,
        step=0 if relearning else None,
        stability=stability,
        difficulty=difficulty,
        due=schedule.due,
        last_review=None if relearning else schedule.due - timedelta(days=schedule.interval_days),
        reps=schedule.reps,
        lapses=schedule.lapses,
    )


def _import_schedules(ctx: Context, session: Session, parsed: ParsedDeck, *, skip: set[str]) -> None:
    """Cards that arrive with an SM-2 schedule but no history, new to this
    learner (no state, no log): their memory from ease factor and interval."""
    candidates = {card_id: s for card_id, s in parsed.schedules.items() if card_id not in skip}
    if not candidates:
        return
    parameters = ctx.config.parameters
    memories = {card_id: m for card_id, s in candidates.items() if (m := _sm2_memory(parameters, s)) is not None}
    if not memories:
        return
    studied = set(
        session.exec(
            select(CardState.card_id).where(CardState.user_id == ctx.user_id, CardState.state != MemoryState.NEW)
        )
    )
    logged = set(session.exec(select(ReviewLog.card_id).where(ReviewLog.user_id == ctx.user_id).distinct()))
    for card_id, memory in memories.items():
        if card_id not in studied and card_id not in logged and session.get(Card, card_id) is not None:
            _store_state(ctx, session, card_id, memory)


def _replay(ctx: Context, session: Session, card_id: str, scheduler: Scheduler) -> None:
    """Recompute a card's schedule from its review log, oldest first, with
    ``scheduler`` (its deck preset's)."""
    logs = session.exec(
        select(ReviewLog)
        .where(ReviewLog.user_id == ctx.user_id, ReviewLog.card_id == card_id)
        .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
    ).all()
    memory = scheduler.replay([(log.reviewed_at, log.rating) for log in logs], fuzz_key=card_id)
    _store_state(ctx, session, card_id, memory)


def _store_state(ctx: Context, session: Session, card_id: str, memory: Memory) -> None:
    state = session.get(CardState, (ctx.user_id, card_id))
    if state is None:
        state = CardState(user_id=ctx.user_id, card_id=card_id)
        session.add(state)
    queries.store_memory(state, memory)


def deck_counts(ctx: Context) -> list[DeckCounts]:
    """Every deck with today's counts (subdecks included, daily limits applied),
    except the built-in deck in the other language (service/languages.py)."""
    raw, capped = _raw_counts(ctx, shown_filter(ctx, None))
    return [
        _aggregate(name, [c for n, c in raw.items() if n == name or n.startswith(name + "::")], capped[name])
        for name in sorted(raw, key=lambda n: n.split("::"))
    ]


def today_counts(ctx: Context, deck: str | None = None) -> DeckCounts:
    """What is left today in ``deck`` (None: all decks): from the review
    queue when it is up to date and can say (the review header, at each
    card), else counted as the deck list counts."""
    from_queue = queue_counts(ctx, deck, ctx.clock())
    if from_queue is not None:
        return from_queue
    raw, capped = _raw_counts(ctx, shown_filter(ctx, deck))
    subtree = [c for n, c in raw.items() if deck is None or n == deck or n.startswith(deck + "::")]
    return _aggregate(deck or "All decks", subtree, capped.get(deck or "", (0, 0)))


def _raw_counts(
    ctx: Context, hidden: frozenset[str]
) -> tuple[dict[str, queries.RawCounts], dict[str, tuple[int, int]]]:
    """Per deck, its own counts; and per deck ("" for all), the new and due
    reviews studying it can show today within the decks' limits. ``hidden``:
    decks left out (the other language's built-in deck)."""
    now = ctx.clock()
    start, end = ctx.day_bounds(now)
    with ctx.read() as session:
        limits = deck_limits(ctx, session=session, since=start)
        # New cards counted per deck up to the most any deck may show today.
        cap = max((left.new for left in limits.left.values()), default=0)
        raw = queries.counts_by_deck(session=session, user_id=ctx.user_id, now=now, day_end=end, new_cap=cap)
        raw = {name: counts for name, counts in raw.items() if name not in hidden}
    return raw, limits.capped({name: (c.new, c.due) for name, c in raw.items()})


def _aggregate(name: str, rows: list[queries.RawCounts], capped: tuple[int, int]) -> DeckCounts:
    return DeckCounts(
        name=name,
        new=capped[0],
        learning=sum(c.learning for c in rows),
        due=capped[1],
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
