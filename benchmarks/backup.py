"""Time and size of a backup (service/backup.py) of a large collection:
50,000 cards and 500,000 reviews, built by benchmarks/stats.py's builder in
a temporary SQLite file, with the backups in a temporary data directory.

    .venv/bin/python benchmarks/backup.py [--cards N] [--reviews N] [--runs N]

Prints the database's size, the time of ``quizapp backup``'s work (wall and
CPU; median of the runs), the backup's size, the time of a backup while
another process answers cards, and the time of a restore (which includes a
backup of the state before it).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics as pystats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stats import NOW, TZ, build
from quizapp.service import Service
from quizapp.store.engine import make_engine


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _answer_for(url: str, seconds: float, started) -> None:
    from quizapp.domain import Rating

    service = Service(make_engine(url), "bench", clock=lambda: NOW, tz=TZ)
    cards = [c.id for c in service.cards()][:200]
    started.set()
    end, i = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        service.answer(cards[i % len(cards)], Rating.GOOD)
        i += 1
    print(f"  (the other process answered {i} cards meanwhile)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUIZAPP_DATA_DIR"] = str(Path(tmp) / "data")
        path = Path(tmp) / "collection.sqlite3"
        url = f"sqlite:///{path}"
        start = time.perf_counter()
        service = build(url, args.cards, args.reviews)
        print(f"collection: {args.cards} cards, {args.reviews} reviews; built in {time.perf_counter() - start:.1f} s")
        service.engine.dispose()
        service = Service(make_engine(url), "bench", tz=TZ)  # the real clock: one backup per second at most
        wal = path.with_name(path.name + "-wal")
        print(f"database: {_mb(path.stat().st_size)} (+ WAL {_mb(wal.stat().st_size if wal.exists() else 0)})")
        wall, cpu, sizes = [], [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            made = service.backup()
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            sizes.append(made.size)
            time.sleep(1.0)  # backups are named by the second
        print(
            f"backup: median {pystats.median(wall) * 1000:.0f} ms wall (CPU {pystats.median(cpu) * 1000:.0f} ms; "
            f"min {min(wall) * 1000:.0f}, max {max(wall) * 1000:.0f}; {args.runs} runs), "
            f"size {_mb(sizes[-1])}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        context = multiprocessing.get_context("spawn")
        started = context.Event()
        writer = context.Process(target=_answer_for, args=(url, 6.0, started))
        writer.start()
        started.wait(60)
        t = time.perf_counter()
        made = service.backup()
        during = time.perf_counter() - t
        writer.join()
        print(f"backup while another process answers: {during * 1000:.0f} ms, size {_mb(made.size)}")
        time.sleep(1.0)
        oldest = service.backups()[-1]
        t = time.perf_counter()
        service.restore(oldest.path)
        print(f"restore (a backup of the current state, then the copy in): {(time.perf_counter() - t) * 1000:.0f} ms")
        print(f"backups kept: {len(service.backups())} in {service.backup_folder()}")


if __name__ == "__main__":
    main()
