"""Next card + answer, and the deck counts, as a collection grows: quizapp
beside the real Anki backend (the `anki` package, a test dependency), in the
same run, on the same notes and the same schedules.

    .venv/bin/python benchmarks/review_queue.py [--sizes 1000,20000,200000] [--answers N]

For each size: N Basic notes in ten subdecks of one parent, in both; 30 % of
the cards are reviews due from 10 days ago to 60 days ahead (the same card
gets the same due day in both), the rest new. The daily limits are raised
(9,999) on both sides so that every answer finds a next card. Then, timed
one by one: take the next card and answer it Good, ``--answers`` times after
20 untimed (p50, p99, in ms); and the deck list's counts (quizapp's
``deck_counts``, Anki's ``deck_due_tree``), median of 15. quizapp's first
next card, which builds its review queue, is shown on its own.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DECKS = 10
REVIEW_SHARE = 0.3


def schedule(n: int, seed: int = 7) -> list[int | None]:
    """Per card: None (new) or its due day relative to today."""
    rng = random.Random(seed)
    return [rng.randint(-10, 60) if rng.random() < REVIEW_SHARE else None for _ in range(n)]


def text(i: int) -> tuple[str, str]:
    return f"Question {i}: the shape of torch.zeros({i % 7 + 1}, 3)?", f"({i % 7 + 1}, 3)"


# -- Anki ------------------------------------------------------------------------------------


def build_anki(directory: Path, due_days: list[int | None]):
    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(directory / f"anki-{len(due_days)}.anki2"))
    basic = col.models.by_name("Basic")
    decks = [col.decks.id(f"Bench::Part {d}") for d in range(DECKS)]
    requests = []
    for i in range(len(due_days)):
        note = col.new_note(basic)
        note["Front"], note["Back"] = text(i)
        requests.append(AddNoteRequest(note=note, deck_id=decks[i % DECKS]))
    col.add_notes(requests)
    today = col.sched.today
    rows = col.db.all("select id from cards order by id")
    updates = [(today + d, 10, cid) for (cid,), d in zip(rows, due_days) if d is not None]
    col.db.executemany(
        "update cards set type = 2, queue = 2, due = ?, ivl = ?, factor = 2500, reps = 3 where id = ?", updates
    )
    conf = col.decks.config_dict_for_deck_id(decks[0])
    conf["new"]["perDay"] = 9999
    conf["rev"]["perDay"] = 9999
    col.decks.save(conf)
    col.decks.select(col.decks.id("Bench"))
    return col


def anki_step(col) -> Callable[[], None]:
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    def step() -> None:
        queued = col.sched.get_queued_cards(fetch_limit=1)
        top = queued.cards[0]
        card = Card(col)
        card._load_from_backend_card(top.card)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=CardAnswer.GOOD))

    return step


# -- quizapp ---------------------------------------------------------------------------------


def build_quizapp(directory: Path, due_days: list[int | None], now: datetime):
    from sqlalchemy import insert

    from quizapp.domain import note_key
    from quizapp.service import Service
    from quizapp.store.engine import make_engine
    from quizapp.store.models import Card, CardState, Deck

    engine = make_engine(f"sqlite:///{directory / f'quizapp-{len(due_days)}.sqlite3'}")
    service = Service(engine, "bench", clock=lambda: now)
    has_note = "note_id" in Card.__table__.columns  # a quizapp from before the note column
    with engine.begin() as conn:
        conn.execute(insert(Deck.__table__), [{"id": 1, "name": "Bench", "description": ""}])
        conn.execute(
            insert(Deck.__table__),
            [{"id": d + 2, "name": f"Bench::Part {d}", "description": ""} for d in range(DECKS)],
        )
        cards, states = [], []
        for i, due in enumerate(due_days):
            front, back = text(i)
            card_id = f"bench:{i}"
            row = dict(
                id=card_id,
                deck_id=i % DECKS + 2,
                kind="basic",
                front=front,
                back=back,
                data="{}",
                tags="",
                source="bench",
                position=i,
                active=True,
                created_at=now,
                updated_at=now,
            )
            if has_note:
                row["note_id"] = note_key(card_id)
            cards.append(row)
            if due is not None:
                when = now + timedelta(days=due)
                states.append(
                    dict(
                        user_id=service.user_id,
                        card_id=card_id,
                        state=2,
                        step=None,
                        stability=10.0,
                        difficulty=5.0,
                        due=when,
                        last_review=when - timedelta(days=10),
                        reps=3,
                        lapses=0,
                        suspended=False,
                        leech=False,
                        buried_until=None,
                    )
                )
        for i in range(0, len(cards), 20_000):
            conn.execute(insert(Card.__table__), cards[i : i + 20_000])
        for i in range(0, len(states), 20_000):
            conn.execute(insert(CardState.__table__), states[i : i + 20_000])
    service.update_settings(new_per_day=9999, reviews_per_day=9999)
    return service


def bury_due_reviews(service, col) -> None:
    """Bury the reviews due today, in quizapp (one UPDATE, then a settings
    write so that the queue is rebuilt) and in Anki."""
    from sqlalchemy import update

    from quizapp.store.models import CardState

    _, end = service.day_bounds()
    with service.engine.begin() as conn:
        conn.execute(
            update(CardState)
            .where(CardState.state == 2, CardState.due < end)  # type: ignore[arg-type]
            .values(buried_until=end)
        )
    service.update_settings(reviews_per_day=9999)
    col.sched.bury_cards(list(col.find_cards("is:due is:review")))


def quizapp_step(service) -> Callable[[], None]:
    from quizapp.domain import Rating

    def step() -> None:
        card = service.next_card()
        assert card is not None
        service.answer(card.id, Rating.GOOD)

    return step


# -- timing ----------------------------------------------------------------------------------


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall time of each run, in ms."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def cpu(fn: Callable[[], object], runs: int) -> float:
    """CPU time of this process per run, in ms (steadier than wall time on a busy machine)."""
    t0 = time.process_time()
    for _ in range(runs):
        fn()
    return (time.process_time() - t0) * 1000 / runs


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000,200000")
    parser.add_argument("--answers", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    now = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            due_days = schedule(n)
            t0 = time.perf_counter()
            col = build_anki(Path(tmp), due_days)
            service = build_quizapp(Path(tmp), due_days, now)
            built = time.perf_counter() - t0
            q_step, a_step = quizapp_step(service), anki_step(col)
            first = timed(q_step, 1)[0]
            timed(q_step, 19)
            timed(a_step, 20)
            ours = timed(q_step, args.answers)
            theirs = timed(a_step, args.answers)
            our_cpu, their_cpu = cpu(q_step, 100), cpu(a_step, 100)
            # New cards only: the reviews due today buried on both sides.
            bury_due_reviews(service, col)
            timed(q_step, 5)
            timed(a_step, 5)
            our_new, their_new = timed(q_step, 100), timed(a_step, 100)
            # The deck list at the default daily limits (20 new, 200 reviews), as a learner sees it.
            service.update_settings(new_per_day=20, reviews_per_day=200)
            conf = col.decks.config_dict_for_deck_id(col.decks.id("Bench::Part 0"))
            conf["new"]["perDay"], conf["rev"]["perDay"] = 20, 200
            col.decks.save(conf)
            our_counts = timed(service.deck_counts, 15)
            their_counts = timed(col.sched.deck_due_tree, 15)
            col.close()
            service.engine.dispose()
            rows.append((n, first, ours, theirs, our_counts, their_counts, our_cpu, their_cpu, our_new, their_new))
            print(f"{n:,} cards built in {built:.1f} s", file=sys.stderr)
    print(
        f"next card + answer Good: wall p50, p99 of {args.answers}, CPU mean of 100; new cards only: wall p50 of 100;"
        " deck counts: median of 15; ms"
    )
    print(
        f"{'cards':>8} | {'quizapp p50':>11} {'p99':>6} {'CPU':>5} | {'Anki p50':>8} {'p99':>6} {'CPU':>5} | "
        f"{'new: ours':>9} {'Anki':>5} | {'1st card':>8} | {'counts':>7} {'Anki tree':>9}"
    )
    for n, first, ours, theirs, oc, tc, our_cpu, their_cpu, our_new, their_new in rows:
        print(
            f"{n:>8,} | {p(ours, 0.5):>11.2f} {p(ours, 0.99):>6.2f} {our_cpu:>5.2f} | "
            f"{p(theirs, 0.5):>8.2f} {p(theirs, 0.99):>6.2f} {their_cpu:>5.2f} | "
            f"{p(our_new, 0.5):>9.2f} {p(their_new, 0.5):>5.2f} | "
            f"{first:>8.1f} | {statistics.median(oc):>7.2f} {statistics.median(tc):>9.2f}"
        )
    print("1st card: quizapp's first next card, which builds its review queue (limits 9,999 here).")


if __name__ == "__main__":
    main()
