"""The worker's memory budget: RLIMIT_AS = what is mapped after importing
torch + a fixed allowance, so every torch build leaves snippets the same room.

The sandbox part runs in a plain interpreter (no torch) that maps some memory
first, standing in for a small or a large torch build; the kernel part runs the
real worker (CPU build here; benchmarks/kernel_builds.py runs a CUDA build).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizapp.kernel import sandbox
from quizapp.kernel.client import Kernel

REPO = Path(__file__).resolve().parents[2]
MIB = 1 << 20

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, RLIMIT_AS")

SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from quizapp.kernel import sandbox

    MIB = 1 << 20
    premapped, allowance = int(sys.argv[1]), int(sys.argv[2])
    held = bytearray(premapped * MIB)  # like a torch build's libraries: mapped before the limit
    before = sandbox.mapped_bytes()
    limit = sandbox.limit_memory(allowance * MIB)

    def attempt(mib):
        try:
            block = bytearray(mib * MIB)
            del block
            return "ok"
        except MemoryError:
            return "MemoryError"

    print(json.dumps({
        "before": before,
        "limit": limit,
        "rlimit": list(resource.getrlimit(resource.RLIMIT_AS)),
        "under": attempt(allowance - 64),
        "over": attempt(allowance + 64),
        "after_over": attempt(16),
    }))
""")


def _run(premapped_mib: int, allowance_mib: int) -> dict[str, object]:
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(REPO)!r})\n" + SCRIPT,
            str(premapped_mib),
            str(allowance_mib),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout)
    return result


@linux_only
def test_limit_is_the_mapped_size_plus_the_allowance() -> None:
    small, large = _run(0, 256), _run(768, 256)
    for r in (small, large):
        before, limit = r["before"], r["limit"]
        assert isinstance(before, int) and isinstance(limit, int)
        # limit_memory reads VmSize again: within a few MiB of the reading before.
        assert 0 <= limit - (before + 256 * MIB) < 8 * MIB
        assert r["rlimit"] == [limit, limit]  # soft and hard: a snippet cannot raise it
        # The same room either way: a bit less than the allowance fits, more fails
        # with MemoryError, and the process goes on.
        assert (r["under"], r["over"], r["after_over"]) == ("ok", "MemoryError", "ok")
    assert isinstance(large["limit"], int) and isinstance(small["limit"], int)
    assert large["limit"] - small["limit"] >= 760 * MIB  # the bigger "build" got a bigger limit


def test_mapped_bytes_reads_vmsize(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nVmPeak:\t  900 kB\nVmSize:\t  812 kB\nVmRSS:\t 100 kB\n")
    assert sandbox.mapped_bytes(str(status)) == 812 * 1024
    status.write_text("Name:\tpython\n")
    assert sandbox.mapped_bytes(str(status)) is None
    assert sandbox.mapped_bytes(str(tmp_path / "missing")) is None


def test_memory_limit_adds_the_allowance_or_falls_back() -> None:
    assert sandbox.memory_limit(600 * MIB) == 600 * MIB + sandbox.SNIPPET_MEMORY_BYTES
    assert sandbox.memory_limit(3000 * MIB, allowance=100) == 3000 * MIB + 100
    assert sandbox.memory_limit(None) == sandbox.FALLBACK_ADDRESS_SPACE_BYTES


def _address_limit(pid: int) -> int:
    line = next(ln for ln in Path(f"/proc/{pid}/limits").read_text().splitlines() if ln.startswith("Max address space"))
    soft, hard = line.split()[3:5]
    assert soft == hard
    return int(soft)


def _vmsize(pid: int) -> int:
    line = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("VmSize:"))
    return int(line.split()[1]) * 1024


@linux_only
def test_worker_limit_is_set_after_importing_torch(warm: Kernel) -> None:
    assert warm.pid is not None
    limit = _address_limit(warm.pid)
    mapped_at_limit = limit - sandbox.SNIPPET_MEMORY_BYTES
    # Torch and its lazy modules were mapped when the limit was taken (well over
    # a bare interpreter's 20 MB), and the worker has not shrunk since.
    assert 200 * MIB < mapped_at_limit <= _vmsize(warm.pid)


@linux_only
def test_snippets_get_the_budget_and_fail_cleanly_past_it(warm: Kernel) -> None:
    pid = warm.pid
    assert pid is not None
    room = _address_limit(pid) - _vmsize(pid)
    assert room > sandbox.SNIPPET_MEMORY_BYTES - 256 * MIB
    # torch.empty maps without touching the pages: the address space is what counts.
    fits = warm.run(f"torch.empty({room - 128 * MIB}, dtype=torch.uint8).shape")
    assert fits.ok, fits.error_message
    too_big = warm.run(f"torch.empty({room + 128 * MIB}, dtype=torch.uint8).shape")
    assert not too_big.ok
    assert too_big.error_type == "RuntimeError" and "can't allocate memory" in (too_big.error_message or "")
    python_list = warm.run(f"len([0] * {(room + 128 * MIB) // 8})")
    assert python_list.error_type == "MemoryError"
    # The worker lived through both and still computes.
    assert warm.pid == pid
    assert warm.run("int((torch.ones(3000, 3000) @ torch.ones(3000, 3000))[0, 0])").value == {
        "type": "int",
        "value": 3000,
    }
    assert warm.run("torch.zeros(40_000_000).shape").ok
    assert warm.pid == pid
