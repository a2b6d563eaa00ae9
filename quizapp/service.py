"""Use cases shared by the TUI and the CLI: what to review next, answering,
undo, bury, suspend, deck counts, syncing decks, statistics.

A Service belongs to one learner and one database. Each call is its own unit
of work (one Session, one transaction), so it is safe to call from a worker
thread; don't share a Service call's objects across threads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from quizapp.domain import FLASHCARD_KINDS, CardKind, MemoryState, Rating, ReviewKind
from quizapp.importers.base import ParsedDeck
from quizapp.optimizing import ReviewRow
from quizapp.scheduling import Memory, Outcome, Scheduler, SchedulingConfig
from quizapp.stats import Statistics, compute_statistics
from quizapp.store import queries
from quizapp.store.models import Card, CardState, Deck, ReviewLog, User, UserSettings
from quizapp.study_days import StudyDays
from quizapp.study_settings import (
    StudySettings,
    check_parameters,
    store_study_settings,
    study_settings_from_row,
    validate_changes,
)


@dataclass(frozen=True)
class DeckCounts:
    """A row of the deck list: today's counts, subdecks included."""

    name: str
    new: int
    learning: int
    due: int
    total: int

    @property
    def depth(self) -> int:
        return self.name.count("::")

    def to_json(self) -> dict:
        return {"name": self.name, "new": self.new, "learning": self.learning, "due": self.due, "total": self.total}


@dataclass(frozen=True)
class CardView:
    """A card as the review screen shows it."""

    id: str
    deck: str
    kind: str
    front: str
    back: str
    data: dict
    tags: tuple[str, ...]
    state: MemoryState

    @property
    def lang(self) -> str:
        """The card's language, "es" or "en" (its deck's ``lang``; Spanish,
        the study note's language, when the deck names none)."""
        return "en" if self.data.get("lang") == "en" else "es"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "deck": self.deck,
            "kind": self.kind,
            "front": self.front,
            "back": self.back,
            "tags": list(self.tags),
        }


@dataclass(frozen=True)
class Answer:
    """What the learner was asked and answered (typed and generated cards)."""

    asked: str = ""
    answered: str = ""
    correct_answer: str = ""
    family: str | None = None
    seed: int | None = None
    torch_version: str | None = None
    #: The misconception the learner's wrong answer matched, if any.
    mistake: str | None = None


@dataclass(frozen=True)
class AnswerResult:
    log_id: int
    outcome: Outcome
    #: The answer made the card a leech: it is now suspended.
    leech: bool


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Past reviews brought in as the learner's own.
    reviews: int = 0
    decks: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged, "removed": self.removed}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Service:
    """The learner ``user``'s view of the database behind ``engine``."""

    def __init__(
        self,
        engine: Engine,
        user: str,
        *,
        config: SchedulingConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        tz: tzinfo | None = None,
    ) -> None:
        self.engine = engine
        self.user_name = user
        #: A config given here overrides the learner's stored settings (tests, tools).
        self._fixed_config = config
        self.config = config or SchedulingConfig()
        self.scheduler = Scheduler(self.config)
        self.clock = clock
        #: Time zone of the learner's days (None: the machine's local zone).
        self.tz = tz
        with Session(engine) as session:
            self.user_id = queries.get_or_create_user(session=session, name=user).id
            session.commit()
        if config is None:
            self._apply_settings(self.study_settings())

    # -- settings -----------------------------------------------------------

    def study_settings(self) -> StudySettings:
        """The learner's stored settings (Anki's defaults when none are stored)."""
        with Session(self.engine) as session:
            return study_settings_from_row(session.get(UserSettings, self.user_id))

    def update_settings(self, **changes: object) -> StudySettings:
        """Validate and store ``changes`` (values may be text, as typed): a
        SettingsError names the first bad one and nothing is written. The
        Service schedules with the new settings at once."""
        with Session(self.engine) as session:
            row = session.get(UserSettings, self.user_id)
            updated = validate_changes(study_settings_from_row(row), changes)
            store_study_settings(session=session, user_id=self.user_id, settings=updated)
            session.commit()
        self._apply_settings(updated)
        return updated

    def _apply_settings(self, settings: StudySettings) -> None:
        if self._fixed_config is None:
            self.config = settings.config(self.config)
            self.scheduler = Scheduler(self.config)

    # -- days -------------------------------------------------------------

    def day_bounds(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """(start, end) in UTC of the study day containing ``now``."""
        now = now or self.clock()
        return StudyDays(self.tz, self.config.day_start_hour).bounds(now)

    # -- decks ------------------------------------------------------------

    def sync_deck(self, parsed: ParsedDeck, *, dry_run: bool = False) -> SyncReport:
        """Bring the cards of one source in line with ``parsed``, atomically."""
        return self.sync_decks([parsed], dry_run=dry_run)[0]

    def sync_decks(
        self,
        decks: list[ParsedDeck],
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[SyncReport]:
        """Bring the cards of each source in line with its ParsedDeck, all in
        one transaction: every file lands, or none (``dry_run``: none, but the
        reports say what would change).

        Cards keep their ids, so their schedules survive text edits. Cards of
        a source that are gone are deactivated, not deleted: history stays.
        Review history a source carries becomes this learner's own, and the
        schedules of those cards are derived from it.
        """
        now = self.clock()
        total = sum(len(d.cards) for d in decks)
        counter = _Progress(total, progress)
        with Session(self.engine) as session:
            reports = [self._sync_one(session, parsed, now, counter) for parsed in decks]
            if dry_run:
                session.rollback()
            else:
                session.commit()
        return reports

    def _sync_one(self, session: Session, parsed: ParsedDeck, now: datetime, counter: _Progress) -> SyncReport:
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
        added: list[dict] = []  # inserted in bulk: ORM objects cost ~0.3 ms each
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
        for i in range(0, len(added), 1000):
            session.execute(insert(Card), added[i : i + 1000])
        for card_id, card in existing.items():
            if card_id not in seen and card.active and card.source == parsed.source:
                card.active = False
                card.updated_at = now
                report.removed += 1
        if parsed.reviews:
            session.flush()
            report.reviews = self._import_reviews(session, parsed)
        return report

    def _import_reviews(self, session: Session, parsed: ParsedDeck) -> int:
        """Add the source's review history as this learner's, skipping reviews
        already there, then derive each card's schedule from its whole log."""
        by_card: dict[str, list] = {}
        for review in parsed.reviews:
            by_card.setdefault(review.card_id, []).append(review)
        added = 0
        for card_id, reviews in by_card.items():
            if session.get(Card, card_id) is None:
                continue
            known = set(
                session.exec(
                    select(ReviewLog.reviewed_at).where(ReviewLog.user_id == self.user_id, ReviewLog.card_id == card_id)
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
                        user_id=self.user_id,
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
            self._replay(session, card_id)
        return added

    def _replay(self, session: Session, card_id: str) -> None:
        """Recompute a card's schedule from its review log, oldest first."""
        logs = session.exec(
            select(ReviewLog)
            .where(ReviewLog.user_id == self.user_id, ReviewLog.card_id == card_id)
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        ).all()
        memory = self.scheduler.replay([(log.reviewed_at, log.rating) for log in logs], fuzz_key=card_id)
        state = session.get(CardState, (self.user_id, card_id))
        if state is None:
            state = CardState(user_id=self.user_id, card_id=card_id)
            session.add(state)
        _store(state, memory)

    def sync_builtin_decks(self, directory: Path | None = None) -> list[SyncReport]:
        """Install or re-sync every built-in deck (decks/*.toml)."""
        from quizapp.importers.toml_deck import read_toml_deck
        from quizapp.locations import builtin_decks_dir

        directory = directory or builtin_decks_dir()
        return self.sync_decks(
            [read_toml_deck(path, source_prefix="builtin") for path in sorted(directory.glob("*.toml"))]
        )

    def deck_counts(self) -> list[DeckCounts]:
        """Every deck with today's counts (subdecks included, daily limits applied)."""
        raw, new_left, reviews_left = self._raw_counts()
        return [
            _aggregate(
                name, [c for n, c in raw.items() if n == name or n.startswith(name + "::")], new_left, reviews_left
            )
            for name in sorted(raw, key=lambda n: n.split("::"))
        ]

    def today_counts(self, deck: str | None = None) -> DeckCounts:
        """What is left today in ``deck`` (None: all decks)."""
        raw, new_left, reviews_left = self._raw_counts()
        subtree = [c for n, c in raw.items() if deck is None or n == deck or n.startswith(deck + "::")]
        return _aggregate(deck or "All decks", subtree, new_left, reviews_left)

    def _raw_counts(self) -> tuple[dict[str, queries.RawCounts], int, int]:
        now = self.clock()
        start, end = self.day_bounds(now)
        with Session(self.engine) as session:
            raw = queries.counts_by_deck(session=session, user_id=self.user_id, now=now, day_end=end)
            _, new_done, reviews_done = queries.studied_since(session=session, user_id=self.user_id, since=start)
        new_left = max(self.config.new_per_day - new_done, 0)
        reviews_left = max(self.config.reviews_per_day - reviews_done, 0)
        return raw, new_left, reviews_left

    def deck_names(self) -> list[str]:
        with Session(self.engine) as session:
            return sorted(session.exec(select(Deck.name)))

    def cards(self, deck: str | None = None) -> list[CardView]:
        """Active cards, optionally of one deck and its subdecks."""
        with Session(self.engine) as session:
            stmt = (
                select(Card, Deck.name)
                .join(Deck, Deck.id == Card.deck_id)
                .where(Card.active == True, queries.deck_filter(deck))  # noqa: E712
                .order_by(Card.source, Card.position)
            )
            return [self._view(card, deck_name, None) for card, deck_name in session.exec(stmt)]

    # -- review -----------------------------------------------------------

    def next_card(self, deck: str | None = None, *, generated: bool = True) -> CardView | None:
        """What to show next, in Anki's order: learning cards that are due,
        reviews due today, new cards (within the daily limits), then learning
        cards due within the learn-ahead limit. None: done for today.

        ``generated=False`` leaves out generated questions (while torch loads).
        """
        now = self.clock()
        start, end = self.day_bounds(now)
        kinds = None if generated else FLASHCARD_KINDS
        with Session(self.engine) as session:
            kw = dict(session=session, user_id=self.user_id, deck=deck, now=now, kinds=kinds)
            _, new_done, reviews_done = queries.studied_since(session=session, user_id=self.user_id, since=start)
            card_id = queries.next_learning(due_by=now, **kw)
            if card_id is None and reviews_done < self.config.reviews_per_day:
                card_id = queries.next_review(day_end=end, **kw)
            if card_id is None and new_done < self.config.new_per_day:
                card_id = queries.next_new(**kw)
            if card_id is None:
                card_id = queries.next_learning(due_by=now + self.config.learn_ahead, **kw)
            if card_id is None:
                return None
            return self._load_view(session, card_id)

    def card(self, card_id: str) -> CardView:
        with Session(self.engine) as session:
            return self._load_view(session, card_id)

    def _load_view(self, session: Session, card_id: str) -> CardView:
        card = session.get(Card, card_id)
        if card is None:
            raise KeyError(card_id)
        deck = session.get(Deck, card.deck_id)
        state = session.get(CardState, (self.user_id, card_id))
        return self._view(card, deck.name if deck else "", state)

    @staticmethod
    def _view(card: Card, deck: str, state: CardState | None) -> CardView:
        return CardView(
            id=card.id,
            deck=deck,
            kind=card.kind,
            front=card.front,
            back=card.back,
            data=json.loads(card.data or "{}"),
            # "leech" is per learner (CardState.leech), shown as a tag, as Anki does.
            tags=tuple(card.tags.split())
            + (("leech",) if state is not None and state.leech and "leech" not in card.tags.split() else ()),
            state=MemoryState(state.state) if state else MemoryState.NEW,
        )

    def memory(self, card_id: str) -> Memory:
        with Session(self.engine) as session:
            return _memory(session.get(CardState, (self.user_id, card_id)))

    def preview(self, card_id: str) -> dict[Rating, Outcome]:
        """What each grade would do now: the intervals on the grade buttons."""
        return self.scheduler.preview(self.memory(card_id), self.clock(), fuzz_key=card_id)

    def answer(
        self, card_id: str, rating: Rating, *, duration_ms: int = 0, answer: Answer | None = None
    ) -> AnswerResult:
        """Grade a card: its new schedule and the review log row commit together."""
        answer = answer or Answer()
        now = self.clock()
        with Session(self.engine) as session:
            if session.get(Card, card_id) is None:
                raise KeyError(card_id)
            state = session.get(CardState, (self.user_id, card_id))
            snapshot = queries.state_snapshot(state)
            before = _memory(state)
            outcome = self.scheduler.outcome(before, Rating(rating), now, fuzz_key=card_id)
            if state is None:
                state = CardState(user_id=self.user_id, card_id=card_id)
                session.add(state)
            after = outcome.memory
            _store(state, after)
            state.buried_until = None
            if outcome.becomes_leech:
                state.leech = True
                state.suspended = True
            log = ReviewLog(
                user_id=self.user_id,
                card_id=card_id,
                reviewed_at=now,
                rating=int(rating),
                duration_ms=max(int(duration_ms), 0),
                state_before=int(before.state),
                interval_before_days=_interval_days(before),
                interval_after_days=_interval_days(after),
                previous=snapshot,
                asked=answer.asked,
                answered=answer.answered,
                correct_answer=answer.correct_answer,
                family=answer.family,
                seed=answer.seed,
                torch_version=answer.torch_version,
                mistake=answer.mistake,
            )
            session.add(log)
            session.commit()
            return AnswerResult(log_id=log.id, outcome=outcome, leech=outcome.becomes_leech)

    def undo(self, log_id: int | None = None) -> str | None:
        """Take back an answer (the learner's latest when ``log_id`` is None):
        the card's schedule returns to what it was and the log row goes.
        Returns the card id, or None when there is nothing to undo."""
        with Session(self.engine) as session:
            stmt = select(ReviewLog).where(ReviewLog.user_id == self.user_id)
            if log_id is not None:
                stmt = stmt.where(ReviewLog.id == log_id)
            log = session.exec(stmt.order_by(ReviewLog.id.desc()).limit(1)).first()
            if log is None:
                return None
            later = session.exec(
                select(ReviewLog.id).where(
                    ReviewLog.user_id == self.user_id, ReviewLog.card_id == log.card_id, ReviewLog.id > log.id
                )
            ).first()
            if later is not None:
                raise ValueError("only a card's most recent answer can be undone")
            queries.restore_snapshot(session=session, user_id=self.user_id, card_id=log.card_id, snapshot=log.previous)
            session.delete(log)
            session.commit()
            return log.card_id

    def bury(self, card_id: str) -> None:
        """Hide the card until the next study day."""
        _, end = self.day_bounds()
        self._set_flags(card_id, buried_until=end)

    def suspend(self, card_id: str, suspended: bool = True) -> None:
        """Hide the card from review until unsuspended."""
        self._set_flags(card_id, suspended=suspended)

    def _set_flags(self, card_id: str, **flags) -> None:
        with Session(self.engine) as session:
            if session.get(Card, card_id) is None:
                raise KeyError(card_id)
            state = session.get(CardState, (self.user_id, card_id))
            if state is None:
                state = CardState(user_id=self.user_id, card_id=card_id)
                session.add(state)
            for k, v in flags.items():
                setattr(state, k, v)
            session.commit()

    # -- FSRS parameters (quizapp/optimizing.py fits them) ------------------

    def review_rows(self) -> list[ReviewRow]:
        """The learner's review log, oldest first, as the optimizer reads it."""
        stmt = (
            select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating, ReviewLog.duration_ms)
            .where(ReviewLog.user_id == self.user_id)
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )
        with Session(self.engine) as session:
            return [ReviewRow(card, at, rating, duration) for card, at, rating, duration in session.exec(stmt)]

    def set_parameters(self, parameters: tuple[float, ...]) -> StudySettings:
        """Schedule with these FSRS parameters from now on; the ones in use
        are kept to return to (:meth:`revert_parameters`)."""
        current = self.study_settings()
        updated = replace(current, parameters=check_parameters(parameters), previous_parameters=current.parameters)
        with Session(self.engine) as session:
            store_study_settings(session=session, user_id=self.user_id, settings=updated, optimized_at=self.clock())
            session.commit()
        self._apply_settings(updated)
        return updated

    def revert_parameters(self) -> StudySettings:
        """Return to the parameters in use before the last change (the ones
        left are kept in turn, so a revert can be reverted). ValueError when
        none are kept."""
        current = self.study_settings()
        if current.previous_parameters is None:
            raise ValueError("no previous parameters to return to")
        updated = replace(current, parameters=current.previous_parameters, previous_parameters=current.parameters)
        with Session(self.engine) as session:
            store_study_settings(session=session, user_id=self.user_id, settings=updated)
            session.commit()
        self._apply_settings(updated)
        return updated

    def reschedule(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Replay every card's history with the current parameters (as
        :meth:`_replay` does), in one transaction: stability and difficulty
        follow the parameters, and review cards get the due date they give.
        Suspension, leech and bury flags stay. Returns the number of cards
        whose due date changed."""
        stmt = (
            select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating)
            .where(ReviewLog.user_id == self.user_id)
            .order_by(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.id)
        )
        changed = 0
        with Session(self.engine) as session:
            history: dict[str, list[tuple[datetime, int]]] = {}
            for card_id, at, rating in session.exec(stmt):
                history.setdefault(card_id, []).append((at, rating))
            states = {s.card_id: s for s in session.exec(select(CardState).where(CardState.user_id == self.user_id))}
            counter = _Progress(len(history), progress, every=100)
            for card_id, reviews in history.items():
                counter.step()
                state = states.get(card_id)
                if state is None:
                    continue
                memory = self.scheduler.replay(reviews, fuzz_key=card_id)
                if memory.due != state.due:
                    changed += 1
                _store(state, memory)
            session.commit()
        return changed

    # -- statistics -------------------------------------------------------

    def statistics(self, progress: Callable[[Statistics], None] | None = None) -> Statistics:
        """Every figure of the statistics screen (see quizapp.stats);
        ``progress`` receives the quick figures first, then each slower block."""
        return compute_statistics(
            self.engine,
            user_id=self.user_id,
            user_name=self.user_name,
            now=self.clock(),
            tz=self.tz,
            day_start_hour=self.config.day_start_hour,
            parameters=self.config.parameters,
            progress=progress,
        )

    def stats(self) -> dict:
        """The fields of ``quizapp stats --json``: today's figures, the streak,
        the forecast, the heatmap, true retention, generated-question accuracy
        and retrievability (``Statistics.to_json``)."""
        return self.statistics().to_json()

    def user_names(self) -> list[str]:
        with Session(self.engine) as session:
            return sorted(session.exec(select(User.name)))


def make_question(family: str, seed: int, kernel, *, lang: str = "es"):
    """Build a generated question, its answer and distractors computed by
    running the snippets in ``kernel`` (a quizapp.kernel.Kernel).

    Raises KeyError for an unknown family and QuestionError when the kernel
    can't answer (not ready in time, timeout, died).
    """
    from quizapp.questions import all_families, assemble
    from quizapp.questions.base import QuestionError

    families = all_families()
    if family not in families:
        raise KeyError(family)
    if not kernel.wait_ready():
        raise QuestionError("the torch kernel did not start")
    return assemble(families[family], seed, kernel.run_many, lang=lang, torch_version=kernel.torch_version or "")


class _Progress:
    """Calls ``report(done, total)`` every ``every`` steps (for progress bars)."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None, every: int = 250) -> None:
        self.total, self.report, self.every, self.done = total, report, every, 0

    def step(self) -> None:
        self.done += 1
        if self.report and (self.done % self.every == 0 or self.done == self.total):
            self.report(self.done, self.total)


def card_question(card: CardView, seed: int, kernel):
    """The question a generated or code card asks for this ``seed``."""
    if card.kind == CardKind.GENERATED:
        return make_question(card.data["family"], seed, kernel, lang=card.data.get("lang", "es"))
    from quizapp.questions import assemble
    from quizapp.questions.base import QuestionError
    from quizapp.questions.code_card import code_card

    if not kernel.wait_ready():
        raise QuestionError("the torch kernel did not start")
    return assemble(
        code_card(card.id, card.front, card.data),
        seed,
        kernel.run_many,
        lang=card.data.get("lang", "es"),
        torch_version=kernel.torch_version or "",
    )


def _aggregate(name: str, rows: list[queries.RawCounts], new_left: int, reviews_left: int) -> DeckCounts:
    return DeckCounts(
        name=name,
        new=min(sum(c.new for c in rows), new_left),
        learning=sum(c.learning for c in rows),
        due=min(sum(c.due for c in rows), reviews_left),
        total=sum(c.total for c in rows),
    )


def _memory(state: CardState | None) -> Memory:
    if state is None:
        return Memory()
    return Memory(
        state=MemoryState(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
        reps=state.reps,
        lapses=state.lapses,
    )


def _store(state: CardState, memory: Memory) -> None:
    """Write a schedule into a CardState row (the inverse of _memory)."""
    state.state = int(memory.state)
    state.step = memory.step
    state.stability = memory.stability
    state.difficulty = memory.difficulty
    state.due = memory.due
    state.last_review = memory.last_review
    state.reps = memory.reps
    state.lapses = memory.lapses


def _interval_days(memory: Memory) -> float:
    """Days from the last review to the due date (0 for a new card)."""
    if memory.due is None or memory.last_review is None:
        return 0.0
    return round((memory.due - memory.last_review).total_seconds() / 86400, 4)


__all__ = ["Answer", "AnswerResult", "CardKind", "CardView", "DeckCounts", "Service", "SyncReport"]
