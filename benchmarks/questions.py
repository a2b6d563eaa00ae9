"""Time to produce one generated question with its distractors, per family,
once the kernel is warm; and the kernel's start-up time and memory.

    .venv/bin/python benchmarks/questions.py [--count N]

Each question is one round trip to the kernel: the snippet and its
misconception variants run together.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from quizapp.kernel import Kernel
from quizapp.questions import all_families, assemble


def rss_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="questions per family")
    args = parser.parse_args()

    kernel = Kernel()
    start = time.perf_counter()
    kernel.start()
    assert kernel.wait_ready(120), "the kernel did not start"
    startup = time.perf_counter() - start
    rss, _ = rss_mib(kernel.pid)
    print(f"kernel start-up (spawn to ready): {startup:.3f} s; resident memory when ready: {rss:.0f} MiB")
    print(f"{'family':<16} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}  (n={args.count} each)")
    for name, family in all_families().items():
        times = []
        for seed in range(args.count):
            t0 = time.perf_counter()
            assemble(family, seed, kernel.run_many, torch_version=kernel.torch_version or "")
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name:<16} {statistics.median(times):>10.2f} {percentile(times, 99):>8.2f} {max(times):>8.2f}")
    rss, peak = rss_mib(kernel.pid)
    print(f"kernel memory after the run: {rss:.0f} MiB resident, {peak:.0f} MiB peak")
    kernel.close()


if __name__ == "__main__":
    main()
