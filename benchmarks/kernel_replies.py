"""Benchmark the kernel's reply budget with the fanout card of issue 9.

Usage: ``python benchmarks/kernel_replies.py [--timeout 60]``

Runs ``s = 'a' * 2000; l1 = [s] * 64; l2 = [l1] * 64; l3 = [l2] * 32; l3``
(266 MB of JSON without a budget) and ``print(l3)`` through a warm kernel, as
review does, and prints for each: seconds to the reply, what came back, and
the peak resident memory (VmHWM, MiB) of this process (the UI side) and of
the worker. Then the round trip of a trivial snippet, to show the worker
still answers. ``--timeout``: seconds per snippet (the app uses 5).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quizapp.kernel.client import Kernel

FANOUT = "s = 'a' * 2000\nl1 = [s] * 64\nl2 = [l1] * 64\nl3 = [l2] * 32\n"


def _hwm_mib(pid: int | str) -> float:
    """Peak resident memory of ``pid`` ("self" for this process), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(kernel: Kernel, code: str, timeout: float) -> str:
    pid = kernel.pid
    assert pid is not None
    peak = [_hwm_mib(pid)]
    done = threading.Event()

    def watch() -> None:  # the worker may be killed: keep its last peak
        while not done.is_set():
            try:
                peak[0] = max(peak[0], _hwm_mib(pid))
            except (OSError, ValueError):
                return
            time.sleep(0.02)

    threading.Thread(target=watch, daemon=True).start()
    started = time.perf_counter()
    result = kernel.run(code, timeout=timeout)
    elapsed = time.perf_counter() - started
    done.set()
    what = "ok" if result.ok else f"{result.error_type}: {(result.error_message or '')[:70]}"
    return (
        f"{elapsed:7.3f} s  {what}\n          UI process peak {_hwm_mib('self'):.0f} MiB, worker peak {peak[0]:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per snippet")
    args = parser.parse_args()
    with Kernel(timeout=args.timeout) as kernel:
        assert kernel.wait_ready(120), "the worker did not start"
        print(f"torch {kernel.torch_version}; UI process peak before {_hwm_mib('self'):.0f} MiB")
        print("value   ", _measure(kernel, FANOUT + "l3", args.timeout))
        assert kernel.wait_ready(120)
        print("print   ", _measure(kernel, FANOUT + "print(l3)", args.timeout))
        assert kernel.wait_ready(120)
        started = time.perf_counter()
        ok = kernel.run("torch.ones(2).shape").ok
        print(f"after    {time.perf_counter() - started:7.3f} s  trivial snippet ok={ok}")


if __name__ == "__main__":
    main()
