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

from sqlalchemy import Table, update
from sqlmodel import Session, SQLModel, col, func, select

from quizapp.domain import BUILTIN_SOURCE, BUILTIN_SOURCE_PREFIX, CardKind, MemoryState, ReviewKind, note_key
from quizapp.importers.base import TYPE_BACK, ParsedCard, ParsedDeck, ParsedReview, ParsedSchedule
from quizapp.optimizing import anki_memory_plan, memory_from_sm2
from quizapp.scheduling import Memory, Scheduler
from quizapp.service.context import Context, Progress
from quizapp.service.languages import shown_filter
from quizapp.service.presets import configs_by_deck, deck_limits
from quizapp.service.queue import queue_counts
from quizapp.service.views import CardView, DeckCounts, card_view
from quizapp.store import bulk, queries
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

#: Rows per bulk INSERT or UPDATE: ORM objects cost ~0.3 ms each, a bulk row far less.
INSERT_CHUNK = 1000
#: The columns of a new card (store.bulk inserts them), in _sync_one's order.
_CARD_COLUMNS = (
    "id",
    "source",
    "created_at",
    "updated_at",
    "deck_id",
    "kind",
    "front",
    "back",
    "data",
    "tags",
    "position",
    "active",
    "note_id",
)
#: The columns of an imported review.
_LOG_COLUMNS = (
    "user_id",
    "card_id",
    "reviewed_at",
    "rating",
    "duration_ms",
    "state_before",
    "interval_before_days",
    "interval_after_days",
    "asked",
)
#: Ids per ``IN (...)`` lookup (SQLite allows 32,766 parameters).
LOOKUP_CHUNK = 500


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
        known: dict[str, Deck] = {}  # decks already looked up in this transaction
        cards = _Prefetched(session, decks)
        reports = [_sync_one(ctx, session, parsed, now, counter, known, cards) for parsed in decks]
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


def _deck(session: Session, known: dict[str, Deck], name: str, description: str = "") -> Deck:
    """queries.ensure_deck, looked up once per transaction (a vault is thousands of files)."""
    deck = known.get(name)
    if deck is None:
        deck = known[name] = queries.ensure_deck(session=session, name=name, description=description)
    elif description and deck.description != description:
        deck.description = description
    return deck


class _Prefetched:
    """The cards a sync looks at, read in a few queries up front rather than
    a few per file (a vault is thousands of small files). What an earlier
    file of the same sync wrote is looked up again, as it is now."""

    def __init__(self, session: Session, decks: list[ParsedDeck]) -> None:
        sources = list(dict.fromkeys(parsed.source for parsed in decks))
        self.by_source: dict[str, dict[str, Card]] = {source: {} for source in sources}
        for i in range(0, len(sources), LOOKUP_CHUNK):
            for card in session.exec(select(Card).where(col(Card.source).in_(sources[i : i + LOOKUP_CHUNK]))):
                self.by_source[card.source][card.id] = card
        found = {card_id for cards in self.by_source.values() for card_id in cards}
        ids = list(dict.fromkeys(pc.id for parsed in decks for pc in parsed.cards if pc.id not in found))
        self.others = queries.cards_by_id(session=session, ids=ids)
        self.synced_sources: set[str] = set()
        self.synced_ids: set[str] = set()

    def existing(self, session: Session, parsed: ParsedDeck) -> dict[str, Card]:
        """The cards of ``parsed``'s source, and those of its cards that exist elsewhere."""
        if parsed.source in self.synced_sources:  # a second file of one source
            existing = {c.id: c for c in session.exec(select(Card).where(Card.source == parsed.source))}
        else:
            existing = dict(self.by_source[parsed.source])
        missing = [pc.id for pc in parsed.cards if pc.id not in existing]
        existing.update(queries.cards_by_id(session=session, ids=[i for i in missing if i in self.synced_ids]))
        existing.update({i: self.others[i] for i in missing if i in self.others and i not in existing})
        self.synced_sources.add(parsed.source)
        self.synced_ids.update(pc.id for pc in parsed.cards)
        return existing


def _sync_one(
    ctx: Context,
    session: Session,
    parsed: ParsedDeck,
    now: datetime,
    counter: Progress,
    known: dict[str, Deck],
    cards: _Prefetched,
) -> SyncReport:
    report = SyncReport(decks=sorted(parsed.decks))
    deck_ids = {name: _deck(session, known, name, desc).id for name, desc in parsed.decks.items()}
    # Cards that moved here from another source keep their id and schedule.
    existing = cards.existing(session, parsed)
    seen: set[str] = set()
    added: list[tuple[Any, ...]] = []
    for position, pc in enumerate(parsed.cards):
        counter.step()
        seen.add(pc.id)
        if parsed.kept and pc.id in existing:
            pc = _keep_stored(pc, existing[pc.id], parsed.kept)
        if pc.deck not in deck_ids:
            deck_ids[pc.deck] = _deck(session, known, pc.deck).id
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
            added.append((pc.id, parsed.source, now, now, *values.values()))
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
    if added:
        bulk.insert_rows(session, _table(Card), _CARD_COLUMNS, added)
    for card_id, card in existing.items():
        if card_id not in seen and card.active and card.source == parsed.source:
            card.active = False
            card.updated_at = now
            report.removed += 1
    if parsed.reviews or parsed.schedules:
        session.flush()
        report.reviews = _import_reviews(ctx, session, parsed, seen, counter)
    return report


def _keep_stored(pc: ParsedCard, card: Card, kept: frozenset[str]) -> ParsedCard:
    """``pc`` with what its format cannot hold taken from the stored ``card``."""
    stored = json.loads(card.data or "{}")
    data = {**{k: v for k, v in stored.items() if k in kept}, **pc.data}
    back = pc.back
    if TYPE_BACK in kept and pc.kind == CardKind.TYPE and card.kind == CardKind.TYPE and back == data.get("answer"):
        back = card.back
    return replace(pc, data=data, back=back) if (data, back) != (pc.data, pc.back) else pc


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _import_reviews(ctx: Context, session: Session, parsed: ParsedDeck, synced: set[str], counter: Progress) -> int:
    """Add the source's review history as this learner's, skipping reviews
    already there, then derive each card's schedule from its whole log.

    In bulk: the learner's logs of these cards are read in chunks, the new
    ones inserted in chunks, each card replayed in memory (Scheduler.replay)
    and the schedules written in chunks: a few queries per thousand cards,
    whatever the length of the history."""
    by_card: dict[str, list[ParsedReview]] = {}
    for review in parsed.reviews:
        by_card.setdefault(review.card_id, []).append(review)
    # Reviews of cards not in the database (left out of the import) are dropped.
    elsewhere = [card_id for card_id in by_card if card_id not in synced]
    present = synced | set(queries.cards_by_id(session=session, ids=elsewhere))
    card_ids = [card_id for card_id in by_card if card_id in present]
    known = _known_reviews(ctx, session, card_ids)
    rows: list[tuple[Any, ...]] = []
    schedules: dict[str, Memory] = {}
    added = 0
    configs = configs_by_deck(ctx, session)  # each card replayed with its deck preset's steps
    decks = _card_decks(session, card_ids)
    for index, card_id in enumerate(card_ids, 1):
        if index % counter.every == 0:
            counter.ping()
        logs = known.get(card_id, [])
        seen = {at for at, _ in logs}
        first = not logs
        new_reviews: list[ParsedReview] = []
        for review in sorted(by_card[card_id], key=lambda r: r.reviewed_at):
            if review.reviewed_at in seen:
                continue
            state_before = MemoryState.NEW if first and not new_reviews else ReviewKind(review.kind).memory_state
            rows.append(
                (
                    ctx.user_id,
                    card_id,
                    review.reviewed_at,
                    review.rating,
                    review.duration_ms,
                    int(state_before),
                    review.interval_before_days,
                    review.interval_after_days,
                    "(imported)",
                )
            )
            new_reviews.append(review)
        added += len(new_reviews)
        if not new_reviews:
            continue  # nothing new: the card's schedule stands
        deck_id = decks.get(card_id)
        scheduler = ctx.scheduler_for(configs.get(deck_id, ctx.config) if deck_id is not None else ctx.config)
        new = [(r.reviewed_at, r.rating) for r in new_reviews]
        if first:  # the whole log is the package's: its memory as Anki computes it
            schedules[card_id] = _import_memory(ctx, card_id, new_reviews, parsed.schedules.get(card_id), scheduler)
        else:
            # The whole log, oldest first; a tie keeps the older row first (ORDER BY time, id).
            history = sorted(logs + new, key=lambda log: log[0])
            schedules[card_id] = scheduler.replay(history, fuzz_key=card_id)
        if len(rows) >= bulk.CHUNK:
            bulk.insert_rows(session, _table(ReviewLog), _LOG_COLUMNS, rows)
            rows = []
    bulk.insert_rows(session, _table(ReviewLog), _LOG_COLUMNS, rows)
    _store_schedules(ctx, session, schedules)
    _import_schedules(ctx, session, parsed, skip=set(by_card))
    return added


def _known_reviews(ctx: Context, session: Session, card_ids: list[str]) -> dict[str, list[tuple[datetime, int]]]:
    """The learner's logs of ``card_ids``: card -> [(time, rating)] in log order."""
    known: dict[str, list[tuple[datetime, int]]] = {}
    for i in range(0, len(card_ids), LOOKUP_CHUNK):
        stmt = (
            select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating)
            .where(ReviewLog.user_id == ctx.user_id, col(ReviewLog.card_id).in_(card_ids[i : i + LOOKUP_CHUNK]))
            .order_by(col(ReviewLog.card_id), col(ReviewLog.reviewed_at), col(ReviewLog.id))
        )
        for card_id, at, rating in session.exec(stmt):
            known.setdefault(card_id, []).append((at, rating))
    return known


#: The CardState columns a schedule fills (queries.store_memory's).
_MEMORY_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def _memory_values(memory: Memory) -> dict[str, Any]:
    """A schedule as CardState column values (queries.store_memory, for bulk writes)."""
    return dict(
        state=int(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due,
        last_review=memory.last_review,
        reps=memory.reps,
        lapses=memory.lapses,
    )


def _store_schedules(ctx: Context, session: Session, schedules: dict[str, Memory]) -> None:
    """Write each card's schedule: new CardState rows inserted, changed ones
    updated by primary key, unchanged ones left alone (all in chunks)."""
    ids = list(schedules)
    current: dict[str, tuple[Any, ...]] = {}
    columns = [getattr(CardState, name) for name in _MEMORY_COLUMNS]
    for i in range(0, len(ids), LOOKUP_CHUNK):
        stmt = select(CardState.card_id, *columns).where(
            CardState.user_id == ctx.user_id, col(CardState.card_id).in_(ids[i : i + LOOKUP_CHUNK])
        )
        for card_id, *values in session.exec(stmt):
            current[card_id] = tuple(values)
    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    for card_id, memory in schedules.items():
        values = _memory_values(memory)
        if card_id not in current:
            inserts.append((ctx.user_id, card_id, *values.values()))
        elif current[card_id] != tuple(values.values()):
            updates.append(dict(user_id=ctx.user_id, card_id=card_id, **values))
    bulk.insert_rows(session, _table(CardState), ("user_id", "card_id", *_MEMORY_COLUMNS), inserts)
    for i in range(0, len(updates), INSERT_CHUNK):
        session.execute(update(CardState), updates[i : i + INSERT_CHUNK])


def _card_decks(session: Session, card_ids: list[str]) -> dict[str, int]:
    """Each card's deck id (in chunks)."""
    decks: dict[str, int] = {}
    for i in range(0, len(card_ids), LOOKUP_CHUNK):
        stmt = select(Card.id, Card.deck_id).where(col(Card.id).in_(card_ids[i : i + LOOKUP_CHUNK]))
        decks.update(dict(session.exec(stmt).all()))
    return decks


def _import_memory(
    ctx: Context,
    card_id: str,
    reviews: list[ParsedReview],
    schedule: ParsedSchedule | None,
    scheduler: Scheduler,
) -> Memory:
    """The schedule of a card whose whole log is ``reviews`` (oldest first),
    its memory state as Anki computes it (quizapp.optimizing.anki_memory_plan):
    replayed from its last learning steps, or, for a history that starts
    mid-way, from the state its first review's ease and interval give."""
    parameters = ctx.config.parameters
    plan = anki_memory_plan(parameters, [(ReviewKind(r.kind), r.ease_factor, r.interval_after_days) for r in reviews])
    if plan is None:
        memory = _sm2_memory(parameters, schedule)
        if memory is None:  # Anki would leave it without a memory state: replay what there is
            return scheduler.replay([(r.reviewed_at, r.rating) for r in reviews], fuzz_key=card_id)
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
    return memory


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
