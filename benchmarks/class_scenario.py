"""A class on one database: 200 learners answering at once from 8 processes
on PostgreSQL, and two learners' processes on one SQLite file. Prints the
answers per second and checks that no answer was lost or written twice and
that each learner's schedule is their own (tests/class_scenario.py).

    .venv/bin/python benchmarks/class_scenario.py [--db postgresql+psycopg://...] [--learners 200]
        [--processes 8] [--turns 10]

Without ``--db`` a throwaway PostgreSQL server is started from the Debian
package's binaries (tests/postgres.py; as root it runs as ``postgres``). A
``--db`` database must be empty: the course deck and the learners are added
to it. Each process takes turns among its learners: next card, answer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import postgres
from tests.class_scenario import check_class, run_class, setup_class


def _report(label: str, url: str, folder: Path, learners: int, processes: int, turns: int) -> None:
    start = time.perf_counter()
    setup_class(url, folder, learners)
    setup = time.perf_counter() - start
    run = run_class(url, folder, learners=learners, processes=processes, turns=turns)
    if run.exit_codes != [0] * processes:
        raise SystemExit(f"{label}: a process failed: exit codes {run.exit_codes}")
    check_class(url, run)
    print(
        f"{label}: {learners} learners from {processes} processes, {len(run.answers)} answers in "
        f"{run.seconds:.1f} s: {run.per_second:.0f} answers/s "
        f"(next card + answer; setup {setup:.1f} s); none lost or doubled, each schedule the learner's own"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty PostgreSQL database's URL (default: start a throwaway server)")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--turns", type=int, default=10, help="answers per learner")
    parser.add_argument("--sqlite-turns", type=int, default=100, help="answers per learner on SQLite")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        url = args.db
        if url is None:
            bin_dir = postgres.find_bin()
            if bin_dir is None:
                raise SystemExit(f"no PostgreSQL: {postgres.HOW_TO_ENABLE}, or pass --db URL")
            server = postgres.PostgresServer(bin_dir)
            stack.callback(server.stop)
            server.start()
            url = stack.enter_context(server.database())
        pg_folder = folder / "pg"
        pg_folder.mkdir()
        _report("PostgreSQL", url, pg_folder, args.learners, args.processes, args.turns)
        sqlite_folder = folder / "sqlite"
        sqlite_folder.mkdir()
        _report(
            "SQLite, one file", f"sqlite:///{sqlite_folder / 'class.sqlite3'}", sqlite_folder, 2, 2, args.sqlite_turns
        )


if __name__ == "__main__":
    main()
