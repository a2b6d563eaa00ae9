"""Time of `quizapp due` (the one line for a shell start-up file) beside
`python -c pass` and `quizapp decks`, and the heavy modules it loads (none
of textual, torch, SQLAlchemy/SQLModel, fsrs should be).

    .venv/bin/python benchmarks/due.py [--runs N]

The database holds the built-in decks and a learner with a few hundred
answered cards (a synthetic history).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: quizapp and tests

HEAVY = ("textual", "torch", "sqlalchemy", "sqlmodel", "fsrs", "pydantic", "platformdirs")


def make_database(path: str) -> None:
    from sqlmodel import Session

    from quizapp.service import Service
    from quizapp.store.engine import make_engine
    from quizapp.store.models import Card, CardState, Deck, ReviewLog
    from tests.simulation import simulate_history

    service = Service(make_engine(f"sqlite:///{path}"), "bench")
    service.sync_builtin_decks()
    rows = simulate_history(5000, true_parameters=service.config.parameters, seed=1)
    with Session(service.engine) as session:
        deck = Deck(name="Simulated")
        session.add(deck)
        session.flush()
        cards = sorted({r.card for r in rows})
        session.add_all(Card(id=c, deck_id=deck.id, front=c, position=i) for i, c in enumerate(cards))
        session.flush()
        session.add_all(CardState(user_id=service.user_id, card_id=c) for c in cards)
        session.add_all(
            ReviewLog(user_id=service.user_id, card_id=r.card, reviewed_at=r.time, rating=r.rating) for r in rows
        )
        session.commit()
    service.reschedule()
    service.engine.dispose()


def time_command(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def loaded_modules(db: str, env: dict) -> list[str]:
    code = (
        f"import json, sys; from quizapp.cli import main; main(['--db', {db!r}, 'due']); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.sqlite3")
        make_database(db)
        env = dict(os.environ, QUIZAPP_USER="bench")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "quizapp due": [sys.executable, "-m", "quizapp", "--db", db, "due"],
            "quizapp decks": [sys.executable, "-m", "quizapp", "--db", db, "decks"],
        }
        line = subprocess.run(commands["quizapp due"], check=True, capture_output=True, text=True, env=env).stdout
        print(f"output: {line.strip()}")
        medians = {}
        for name, argv in commands.items():
            runs = args.runs if name != "quizapp decks" else max(3, args.runs // 5)
            times = [time_command(argv, env) for _ in range(runs)]
            medians[name] = statistics.median(times)
            print(f"{name:<16} median {medians[name] * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms   ({runs} runs)")
        print(
            f"quizapp due costs {(medians['quizapp due'] - medians['python -c pass']) * 1000:.1f} ms "
            f"more than an empty interpreter"
        )
        heavy = [m for m in loaded_modules(db, env) if m in HEAVY]
        print(f"heavy modules loaded by quizapp due: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
