"""Benchmark the torch kernel: start-up, round trip, memory.

Usage: ``python benchmarks/kernel_startup.py [--requests 200]``

Prints, in seconds and MiB:
* start-up: spawn to ready line (client-measured), and the worker's own figure;
* round trip of a trivial request (``1``): median and p99 over N requests;
* the worker's resident memory (VmRSS) and peak (VmHWM) from /proc/<pid>/status;
* ``python -c "import torch"`` wall time, for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quizapp.kernel.client import Kernel


def _status_mib(pid: int, field: str) -> float | None:
    """A ``kB`` field of /proc/<pid>/status, in MiB (None off Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _import_torch_s() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import torch"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="trivial requests to time")
    args = parser.parse_args()

    kernel = Kernel()
    spawn = time.perf_counter()
    kernel.start()
    if not kernel.wait_ready(120):
        sys.exit("the kernel did not start")
    startup = time.perf_counter() - spawn
    pid = kernel.pid
    assert pid is not None
    info, version = kernel.info, kernel.torch_version
    rss_ready = _status_mib(pid, "VmRSS")

    kernel.run("1")  # first request after ready
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        result = kernel.run("1")
        times.append(time.perf_counter() - start)
        assert result.ok, result
    batch_start = time.perf_counter()
    kernel.run_many(["torch.zeros(2, 3).shape"] * 10)
    batch = time.perf_counter() - batch_start

    rss, hwm = _status_mib(pid, "VmRSS"), _status_mib(pid, "VmHWM")
    kernel.close()
    import_torch = statistics.median(_import_torch_s() for _ in range(3))

    print(f"torch {version}, python {sys.version.split()[0]}")
    print(
        f"kernel start-up (spawn -> ready):   {startup:.3f} s "
        f"(in the worker, after interpreter start: {info.get('startup_s', float('nan')):.3f} s)"
    )
    print(
        f"trivial request round trip:        median {statistics.median(times) * 1e3:.3f} ms, "
        f"p99 {_percentile(times, 0.99) * 1e3:.3f} ms (n={args.requests})"
    )
    print(f"run_many of 10 snippets:           {batch * 1e3:.3f} ms")
    if rss is not None:
        print(f"worker memory: VmRSS {rss:.1f} MiB (at ready {rss_ready:.1f} MiB), VmHWM {hwm:.1f} MiB")
    print(f'python -c "import torch":          {import_torch:.3f} s (median of 3)')


if __name__ == "__main__":
    main()
