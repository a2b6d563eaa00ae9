"""Time from launching `quizapp` to its home screen showing the decks, beside
the time of `python -c "import torch"` on the same machine in the same run.

    .venv/bin/python benchmarks/startup.py [--runs N]

The app runs in a pseudo-terminal with a fresh database; "home screen shown"
is the moment the first built-in deck name appears in its output.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

MARKER = b"PyTorch (E"


def time_home_screen(db: str) -> float:
    primary, secondary = os.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizapp", "--db", db],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
    )
    os.close(secondary)
    seen = b""
    elapsed = float("nan")
    try:
        while time.perf_counter() - start < 30:
            ready, _, _ = select.select([primary], [], [], 0.01)
            if ready:
                seen += os.read(primary, 65536)
                if MARKER in seen:
                    elapsed = time.perf_counter() - start
                    break
    finally:
        proc.kill()
        proc.wait()
        os.close(primary)
    return elapsed


def time_command(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first = time_home_screen(os.path.join(tmp, "first.db"))  # installs the decks
        warm_db = os.path.join(tmp, "warm.db")
        time_home_screen(warm_db)
        home = [time_home_screen(warm_db) for _ in range(args.runs)]
    torch_import = [time_command([sys.executable, "-c", "import torch"]) for _ in range(args.runs)]
    print(f"home screen, first run (new database): {first:.3f} s")
    print(f"home screen, later runs: median {statistics.median(home):.3f} s, max {max(home):.3f} s ({args.runs} runs)")
    print(f"python -c 'import torch': median {statistics.median(torch_import):.3f} s ({args.runs} runs)")


if __name__ == "__main__":
    main()
