"""Importing a review history in bulk gives what the per-review import gave
(the old code is kept below as the reference): the same log rows, in the same
order, and the same schedules; a second import of the same history changes
nothing; a dry run or a cancelled import writes nothing. And the shortcuts of
the bulk save (cards looked up once per import, families only when asked)
behave as before."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from quizapp.domain import MemoryState, Rating, ReviewKind
from quizapp.importers.base import ParsedCard, ParsedDeck, ParsedReview
from quizapp.scheduling import Memory, Scheduler
from quizapp.service.context import Context
from quizapp.service.decks import _import_memory
from quizapp.store import queries
from quizapp.store.models import Card, CardState, ReviewLog

T0 = datetime(2024, 1, 8, 10, 0, tzinfo=UTC)
KINDS = list(ReviewKind)


class _OneByOne:
    """A scheduler whose replay answers each review with outcome() in turn."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler

    def replay(self, reviews, *, fuzz_key: str = "", start: Memory | None = None) -> Memory:
        memory = start or Memory()
        for at, rating in reviews:
            memory = self.scheduler.outcome(memory, Rating(rating), at, fuzz_key=fuzz_key).memory
        return memory


def old_import_reviews(ctx: Context, session: Session, parsed: ParsedDeck) -> int:
    """The import as it was: one card at a time, ORM rows, one outcome() per review."""
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
        new_reviews = []
        for review in sorted(reviews, key=lambda r: r.reviewed_at):
            if review.reviewed_at in known:
                continue
            new_reviews.append(review)
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
        logs = session.exec(
            select(ReviewLog)
            .where(ReviewLog.user_id == ctx.user_id, ReviewLog.card_id == card_id)
            .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
        ).all()
        if not new_reviews:
            continue  # nothing new: the schedule stands
        if not known:  # a first import: the memory as Anki computes it, replayed review by review
            memory = _import_memory(ctx, card_id, new_reviews, None, _OneByOne(ctx.scheduler))
        else:
            memory = Memory()
            for log in logs:
                memory = ctx.scheduler.outcome(memory, Rating(log.rating), log.reviewed_at, fuzz_key=card_id).memory
        state = session.get(CardState, (ctx.user_id, card_id))
        if state is None:
            state = CardState(user_id=ctx.user_id, card_id=card_id)
            session.add(state)
        queries.store_memory(state, memory)
    return added


def generated_deck(seed: int, cards: int = 60, *, more: int = 0) -> ParsedDeck:
    """A package-like deck whose cards carry histories: out of order, with
    ties, a review of a card the deck does not hold; ``more`` extra reviews
    at the end of some histories (a later export of the same collection)."""
    rng = random.Random(seed)
    parsed_cards = [
        ParsedCard(f"apkg:g{i}", deck="Gen::Sub", kind="basic", front=f"q{i}", back="a") for i in range(cards)
    ]
    reviews = []
    for card in parsed_cards[: cards * 3 // 4]:
        at = T0 + timedelta(minutes=rng.randrange(10_000))
        for n in range(rng.randint(1, 25)):
            reviews.append(
                ParsedReview(
                    card.id,
                    at,
                    rng.choice((1, 2, 3, 3, 4)),
                    KINDS[min(n, 2)] if rng.random() < 0.8 else rng.choice(KINDS),
                    interval_before_days=rng.random() * 10,
                    interval_after_days=rng.random() * 20,
                    duration_ms=rng.randrange(60_000),
                )
            )
            if rng.random() < 0.05:  # the same moment twice in one package
                reviews.append(replace(reviews[-1], rating=rng.choice((1, 3))))
            at += rng.choice((timedelta(minutes=rng.randrange(1, 30)), timedelta(days=rng.randrange(1, 60))))
    late = T0 + timedelta(days=3_000)
    for i in range(more):
        reviews.append(ParsedReview(parsed_cards[i % cards].id, late + timedelta(hours=i), 3, ReviewKind.REVIEW))
    reviews.append(ParsedReview("apkg:not-in-this-deck", T0, 3, ReviewKind.LEARNING))
    rng.shuffle(reviews)
    return ParsedDeck(source="apkg:Gen", path=Path("gen.apkg"), cards=parsed_cards, decks={"Gen": ""}, reviews=reviews)


def logs_and_states(engine, user_id: int) -> tuple[list[tuple], list[tuple]]:
    with Session(engine) as session:
        logs = session.exec(select(ReviewLog).where(ReviewLog.user_id == user_id).order_by(col(ReviewLog.id))).all()
        states = session.exec(
            select(CardState).where(CardState.user_id == user_id).order_by(col(CardState.card_id))
        ).all()
        return (
            [
                (
                    r.card_id,
                    r.reviewed_at,
                    r.rating,
                    r.duration_ms,
                    r.state_before,
                    r.interval_before_days,
                    r.interval_after_days,
                    r.asked,
                )
                for r in logs
            ],
            [tuple(s.model_dump().values()) for s in states],
        )


@pytest.fixture
def two_services(tmp_path, clock):
    """The same learner in two databases: one imports as now, one as before."""
    from zoneinfo import ZoneInfo

    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    engines = [make_engine(f"sqlite:///{tmp_path / name}") for name in ("new.sqlite3", "old.sqlite3")]
    yield [Service(e, "ana", clock=clock, tz=ZoneInfo("UTC")) for e in engines]
    for e in engines:
        e.dispose()


def import_old_way(service, parsed: ParsedDeck) -> int:
    service.sync_deck(replace(parsed, reviews=[]))
    with service.ctx.write() as session:
        return old_import_reviews(service.ctx, session, parsed)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_import_equals_the_per_review_import(two_services, seed):
    new, old = two_services
    parsed = generated_deck(seed)
    report = new.sync_deck(parsed)
    assert report.reviews == import_old_way(old, parsed) > 0
    assert logs_and_states(new.ctx.engine, new.ctx.user_id) == logs_and_states(old.ctx.engine, old.ctx.user_id)


def test_a_later_export_merges_with_the_learners_own_reviews(two_services):
    """Reviews made in quizapp since the first import stay; the package's new
    ones are added; each schedule is replayed from the whole log."""
    new, old = two_services
    first = generated_deck(7)
    new.sync_deck(first)
    import_old_way(old, first)
    for service in (new, old):
        with service.ctx.write() as session:
            for card_id in ("apkg:g0", "apkg:g1", "apkg:g50"):  # g50 has no history in the package
                at = T0 + timedelta(days=400)
                session.add(ReviewLog(user_id=service.ctx.user_id, card_id=card_id, reviewed_at=at, rating=3))
    later = generated_deck(7, more=30)
    assert new.sync_deck(later).reviews == import_old_way(old, later) == 30
    assert logs_and_states(new.ctx.engine, new.ctx.user_id) == logs_and_states(old.ctx.engine, old.ctx.user_id)


def test_importing_the_same_history_again_changes_nothing(make_service):
    service = make_service("ana")
    parsed = generated_deck(4)
    assert service.sync_deck(parsed).reviews > 0
    before = logs_and_states(service.ctx.engine, service.ctx.user_id)
    again = service.sync_deck(parsed)
    assert (again.added, again.updated, again.reviews) == (0, 0, 0)
    assert logs_and_states(service.ctx.engine, service.ctx.user_id) == before


def test_dry_run_and_cancelled_import_write_no_review(make_service):
    service = make_service("ana")
    parsed = generated_deck(5, cards=1200)
    assert service.sync_deck(parsed, dry_run=True).reviews > 0
    assert logs_and_states(service.ctx.engine, service.ctx.user_id) == ([], [])
    calls: list[tuple[int, int]] = []

    def stop_in_the_history(done: int, total: int) -> None:
        calls.append((done, total))
        if done == total and len(calls) > total // 250 + 1:  # past the cards: replaying reviews
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        service.sync_decks([parsed], progress=stop_in_the_history)
    assert logs_and_states(service.ctx.engine, service.ctx.user_id) == ([], [])
    with Session(service.ctx.engine) as session:
        assert session.exec(select(Card)).all() == []


def toml(path: Path, ids: list[str], front: str = "q") -> Path:
    cards = "".join(f'\n[[cards]]\nid = "{i}"\nfront = "{front} {i}"\nback = "a"\n' for i in ids)
    path.write_text(f'format = 1\n[deck]\nid = "same"\nname = "Same"\n{cards}', encoding="utf-8")
    return path


def cards_of(service) -> list[tuple]:
    with Session(service.ctx.engine) as session:
        return [(c.id, c.front, c.active, c.position) for c in session.exec(select(Card).order_by(col(Card.id)))]


def test_two_files_of_one_source_in_one_import_as_in_two(tmp_path, make_service):
    """Cards are looked up once per sync, not per file: a second file of the
    same deck still sees what the first one wrote, as two imports would."""
    a = toml(tmp_path / "a.toml", ["x", "y"])
    b = toml(tmp_path / "b.toml", ["y", "z"], front="other")
    together = make_service("ana")
    report = together.import_paths([a, b])
    assert (report.added, report.updated) == (3, 1)
    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    apart = Service(make_engine(f"sqlite:///{tmp_path / 'apart.sqlite3'}"), "ana")
    apart.import_paths([a])
    apart.import_paths([b])
    assert cards_of(together) == cards_of(apart)
    assert [c[0] for c in cards_of(together) if c[2]] == ["same:y", "same:z"]


def test_generated_cards_of_unknown_families_are_refused(tmp_path, make_service):
    """The families are looked up only when a card asks for one; an unknown one is still refused."""
    path = tmp_path / "gen.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "g"\nname = "G"\n'
        '\n[[cards]]\nid = "ok"\ntype = "generated"\nfamily = "broadcasting"\nfront = "f"\nback = "b"\n'
        '\n[[cards]]\nid = "bad"\ntype = "generated"\nfamily = "no-such-family"\nfront = "f"\nback = "b"\n',
        encoding="utf-8",
    )
    report = make_service("ana").import_paths([path])
    assert [p.message for p in report.errors] == ["card 'bad': unknown question family 'no-such-family'"]
    assert report.added == 0
