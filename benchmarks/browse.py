"""Time of the card browser's searches on a large collection.

    .venv/bin/python benchmarks/browse.py [--cards N] [--runs R]

Builds a SQLite file with N cards (default 50,000) in 100 decks by bulk
inserts, gives one learner a schedule for 60% of them (some suspended,
buried, leeches) and 3 reviews each for a tenth, then times each search
(the first 500 rows, as the browser asks) and its count.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from quizapp.store import queries
from quizapp.store.engine import make_engine
from quizapp.store.models import Card, CardState, ReviewLog
from quizapp.store.search import DEFAULT_LIMIT, count, history, search

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORDS = (
    "tensor",
    "shape",
    "dtype",
    "broadcast",
    "view",
    "reshape",
    "gradient",
    "números",
    "matriz",
    "stride",
    "device",
    "float32",
    "índice",
    "suma",
    "producto",
    "contiguous",
)
QUERIES = (
    "",
    "tensor",
    "numeros",
    "tensor view -reshape",
    'deck:"Bench 7"',
    'deck:"Bench 7::Sub 3"',
    "tag:t3",
    "is:new",
    "is:due",
    "is:suspended or is:leech",
    "prop:due<=3",
    "-is:new kind:basic prop:lapses>=2",
    "kind:generated family:broad*",
    "zzzz-no-match",
)


def build(url: str, cards: int) -> tuple[object, int, str]:
    """The engine, the learner's id and a card with reviews."""
    engine = make_engine(url)
    rng = random.Random(7)
    with Session(engine) as session:
        user_id = queries.get_or_create_user(session=session, name="bench").id
        deck_ids = [queries.ensure_deck(session=session, name=f"Bench {d // 10}::Sub {d % 10}").id for d in range(100)]
        session.commit()
    card_rows, state_rows, log_rows = [], [], []
    for i in range(cards):
        kind = "generated" if i % 50 == 0 else rng.choice(("basic", "basic", "cloze", "type"))
        card_id = f"bench:{i}"
        card_rows.append(
            dict(
                id=card_id,
                deck_id=deck_ids[i % 100],
                kind=kind,
                front=" ".join(rng.choices(WORDS, k=8)) + f" #{i}",
                back=" ".join(rng.choices(WORDS, k=12)),
                data=json.dumps(
                    {"family": rng.choice(("broadcasting", "matmul", "indexing"))} if kind == "generated" else {}
                ),
                tags=" ".join(f"t{rng.randrange(20)}" for _ in range(rng.randrange(3))),
                source="toml:bench",
                position=i,
                active=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        if rng.random() < 0.6:
            due = NOW + timedelta(days=rng.uniform(-5, 30))
            state_rows.append(
                dict(
                    user_id=user_id,
                    card_id=card_id,
                    state=rng.choice((1, 2, 2, 2, 3)),
                    step=None,
                    stability=rng.uniform(1, 50),
                    difficulty=rng.uniform(1, 10),
                    due=due,
                    last_review=due - timedelta(days=3),
                    reps=rng.randrange(1, 20),
                    lapses=rng.randrange(0, 5),
                    suspended=rng.random() < 0.05,
                    leech=rng.random() < 0.01,
                    buried_until=NOW + timedelta(hours=10) if rng.random() < 0.02 else None,
                )
            )
            if rng.random() < 0.1:
                for k in range(3):
                    log_rows.append(
                        dict(
                            user_id=user_id,
                            card_id=card_id,
                            reviewed_at=NOW - timedelta(days=10 - k),
                            rating=3,
                            duration_ms=4000,
                            state_before=2,
                            interval_before_days=k,
                            interval_after_days=k + 1.0,
                            previous="null",
                            asked="",
                            answered="",
                            correct_answer="",
                        )
                    )
    with Session(engine) as session:
        for table, rows in ((Card, card_rows), (CardState, state_rows), (ReviewLog, log_rows)):
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start : start + 5000])
        session.commit()
    return engine, user_id, log_rows[0]["card_id"]


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        engine, user_id, reviewed = build(f"sqlite:///{Path(tmp) / 'bench.db'}", args.cards)
        print(f"built {args.cards} cards in {time.perf_counter() - t0:.1f} s")
        print(f"{'query':<40} {'rows':>5} {'matches':>8} {'search ms':>10} {'count ms':>9}  (median of {args.runs})")
        for query in QUERIES:
            search_ms, rows = timed(lambda query=query: search(engine, user_id, query, NOW, DEFAULT_LIMIT), args.runs)
            count_ms, total = timed(lambda query=query: count(engine, user_id, query, NOW), args.runs)
            print(f"{query or '(empty)':<40} {len(rows):>5} {total:>8} {search_ms:>10.1f} {count_ms:>9.1f}")
        history_ms, logs = timed(lambda: history(engine, user_id, reviewed), args.runs)
        print(f"history of one card ({len(logs)} reviews): {history_ms:.2f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
