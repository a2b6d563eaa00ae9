"""Compare the torch kernel on two builds of torch (CPU build against CUDA build).

Usage::

    python benchmarks/kernel_builds.py --python /path/to/cuda-venv/bin/python \\
        [--reference PYTHON] [--seed 1000] [--count 40]

``--python`` is an interpreter with another torch build and quizapp's
dependencies (see docs/questions.md, "Other torch builds"); ``--reference``
defaults to this interpreter. For each build it prints:

* the torch version, and the worker's VmSize, VmRSS and VmHWM (peak RSS) once
  ready, i.e. after ``import torch`` and the warm-up, from /proc/<pid>/status;
* the address-space limit in effect (/proc/<pid>/limits) and the room it
  leaves (limit - VmSize);
* two allocations that a fixed 3 GiB limit broke on the CUDA build:
  ``torch.ones(3000, 3000) @ torch.ones(3000, 3000)`` and
  ``torch.zeros(40_000_000)``, and one just under and one just over the room;
* ``quizapp ask --json`` for every family over ``count`` seeds, run by that
  interpreter: the answer keys computed in its sandboxed kernel, checked
  against plain torch in a fresh process of the same interpreter (the check of
  tests/questions/test_answer_keys.py), and what ``ask`` printed on stderr.

Then the questions of both builds are compared field by field (all fields but
``torch``, the version string). Exit status 1 on any mismatch or failed
allocation. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quizapp.kernel.client import Kernel  # noqa: E402

MIB = 1 << 20
ALLOCATIONS = {
    "matmul 3000x3000": "int((torch.ones(3000, 3000) @ torch.ones(3000, 3000))[0, 0])",
    "zeros(40_000_000)": "torch.zeros(40_000_000).shape",
}


def _status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/status, in bytes."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0]) * 1024
    return fields


def _address_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return line.split()[3]
    return "?"


def _checker() -> str:
    # The answer-key test's own canonicalisation (plain torch, not quizapp's).
    sys.path.insert(0, str(REPO / "tests" / "questions"))
    from test_answer_keys import CHECKER  # type: ignore[import-not-found]

    return str(CHECKER)


def probe_kernel(python: str) -> tuple[dict[str, Any], bool]:
    """Start the kernel under ``python``; its figures and whether all allocations passed."""
    kernel = Kernel(python=python, timeout=60.0)
    kernel.start()
    try:
        if not kernel.wait_ready(300):
            sys.exit(f"the kernel did not start under {python}")
        pid = kernel.pid
        assert pid is not None
        status = _status(pid)
        limit = _address_limit(pid)
        room = int(limit) - status["VmSize"] if limit.isdigit() else None
        figures: dict[str, Any] = {
            "torch": kernel.torch_version,
            "VmSize MiB": round(status["VmSize"] / MIB),
            "VmRSS MiB": round(status["VmRSS"] / MIB),
            "VmHWM MiB": round(status["VmHWM"] / MIB),
            "limit MiB": round(int(limit) / MIB) if limit.isdigit() else limit,
            "room MiB": round(room / MIB) if room is not None else None,
        }
        all_ok = True
        snippets = dict(ALLOCATIONS)
        if room is not None:
            snippets["room - 128 MiB"] = f"torch.empty({room - 128 * MIB}, dtype=torch.uint8).shape"
        for name, code in snippets.items():
            result = kernel.run(code)
            figures[name] = "ok" if result.ok else f"{result.error_type}: {(result.error_message or '')[:80]}"
            all_ok = all_ok and result.ok
        if room is not None:  # must fail cleanly, and the worker must go on
            result = kernel.run(f"torch.empty({room + 128 * MIB}, dtype=torch.uint8).shape")
            after = kernel.run("1 + 1")
            refused = not result.ok and after.ok and kernel.pid == pid
            figures["room + 128 MiB"] = f"refused ({result.error_type}), worker alive" if refused else "NOT refused"
            all_ok = all_ok and refused
        figures["VmHWM after MiB"] = round(_status(pid)["VmHWM"] / MIB)
        # What the worker printed on stderr while starting (torch's warnings, say).
        proc = getattr(kernel, "_proc", None)
        startup_stderr = [ln for ln in getattr(proc, "stderr_tail", []) if ln.strip()]
        figures["worker stderr lines"] = len(startup_stderr)
        all_ok = all_ok and not startup_stderr
        return figures, all_ok
    finally:
        kernel.close()


def ask(python: str, seed: int, count: int) -> tuple[list[dict[str, Any]], float, list[str]]:
    """``quizapp ask --json`` under ``python``: questions, seconds, stderr lines."""
    start = time.perf_counter()
    out = subprocess.run(
        [python, "-m", "quizapp", "ask", "--json", "--seed", str(seed), "--count", str(count)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=1800,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"quizapp ask failed under {python}:\n{out.stderr}")
    questions = [json.loads(line) for line in out.stdout.splitlines()]
    return questions, elapsed, [ln for ln in out.stderr.splitlines() if ln.strip()]


def fresh_torch_mismatches(python: str, questions: list[dict[str, Any]]) -> list[tuple[str, int, str, str]]:
    """Questions whose key differs from what plain torch computes under ``python``."""
    text = "".join(json.dumps(q) + "\n" for q in questions)
    out = subprocess.run(
        [python, "-c", _checker()], input=text, capture_output=True, text=True, timeout=1800, check=True
    )
    fresh = json.loads(out.stdout)
    return [(q["family"], q["seed"], q["answer"], got) for q, got in zip(questions, fresh) if q["answer"] != got]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="interpreter with the other torch build")
    parser.add_argument("--reference", default=sys.executable, help="interpreter with the CPU build (default: this)")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--count", type=int, default=40, help="seeds per family")
    args = parser.parse_args()

    failed = False
    asked: dict[str, list[dict[str, Any]]] = {}
    for label, python in (("reference", args.reference), ("other", args.python)):
        print(f"== {label}: {python}")
        figures, ok = probe_kernel(python)
        failed = failed or not ok
        for name, value in figures.items():
            print(f"  {name:<20} {value}")
        questions, elapsed, stderr = ask(python, args.seed, args.count)
        wrong = fresh_torch_mismatches(python, questions)
        failed = failed or bool(wrong) or bool(stderr)
        families = len({q["family"] for q in questions})
        print(f"  {'ask':<20} {len(questions)} questions, {families} families, {elapsed:.1f} s")
        print(f"  {'ask stderr lines':<20} {len(stderr)}" + (f" (first: {stderr[0][:100]})" if stderr else ""))
        print(f"  {'vs plain torch':<20} {len(wrong)} mismatches" + (f" (first: {wrong[0]})" if wrong else ""))
        asked[label] = questions

    ref, other = asked["reference"], asked["other"]
    fields = sorted(set(ref[0]) - {"torch"}) if ref else []
    differing = [
        (a["family"], a["seed"], field, a[field], b[field])
        for a, b in zip(ref, other)
        for field in fields
        if a[field] != b[field]
    ]
    same_count = len(ref) == len(other)
    print("== reference against other")
    print(f"  questions compared   {min(len(ref), len(other))} (reference {len(ref)}, other {len(other)})")
    print(f"  fields compared      {', '.join(fields)}")
    print(f"  answer keys differing {sum(1 for d in differing if d[2] == 'answer')}")
    print(f"  any field differing  {len(differing)}" + (f" (first: {differing[0]})" if differing else ""))
    failed = failed or bool(differing) or not same_count
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
