"""The worker's process limits, tested in a plain interpreter (no torch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import ctypes, errno, json, os, resource, socket, subprocess, sys
    from quizapp.kernel import sandbox

    results = {"pdeathsig": sandbox.die_with_parent(os.getppid())}
    sandbox.set_limits()
    handle = open("before.txt", "w")  # allowed: the hook is not installed yet
    try:
        handle.write("x" * 10)
        handle.flush()
        results["fsize"] = "written"
    except OSError as e:
        results["fsize"] = errno.errorcode[e.errno]
    sandbox.limit_open_files()
    sandbox.install_audit_hook()

    def attempt(name, fn):
        try:
            fn()
            results[name] = "allowed"
        except PermissionError:
            results[name] = "refused"
        except Exception as e:
            results[name] = type(e).__name__

    def fork():
        if os.fork() == 0:
            os._exit(0)

    attempt("open_w", lambda: open("x.txt", "w"))
    attempt("open_a", lambda: open("before.txt", "a"))
    attempt("open_rplus", lambda: open("before.txt", "r+"))
    attempt("os_open_creat", lambda: os.open("y.txt", os.O_WRONLY | os.O_CREAT))
    attempt("os_system", lambda: os.system("true"))
    attempt("subprocess", lambda: subprocess.run(["true"]))
    attempt("fork", fork)
    attempt("exec", lambda: os.execv("/bin/true", ["true"]))
    attempt("socket", lambda: socket.socket())
    attempt("remove", lambda: os.remove("before.txt"))
    attempt("rename", lambda: os.rename("before.txt", "after.txt"))
    attempt("mkdir", lambda: os.mkdir("d"))
    attempt("putenv", lambda: os.environ.__setitem__("A", "1"))
    attempt("setrlimit", lambda: resource.setrlimit(resource.RLIMIT_CPU, (1, 1)))
    attempt("dlopen", lambda: ctypes.CDLL("libc.so.6"))
    attempt("read", lambda: open(sys.argv[0] if os.path.exists(sys.argv[0]) else "before.txt").read())
    attempt("import", lambda: __import__("colorsys"))
    sandbox.set_cpu_budget(1.0)  # our own setrlimit still works
    results["cpu_soft"] = resource.getrlimit(resource.RLIMIT_CPU)[0]
    results["files"] = sorted(os.listdir("."))
    print(json.dumps(results))
""")

REFUSED = [
    "open_w",
    "open_a",
    "open_rplus",
    "os_open_creat",
    "os_system",
    "subprocess",
    "fork",
    "exec",
    "socket",
    "remove",
    "rename",
    "mkdir",
    "putenv",
    "setrlimit",
    "dlopen",
]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux limits")
def test_sandbox_refuses_writes_processes_and_sockets(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(REPO)!r})\n" + SCRIPT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert results["pdeathsig"] is True
    assert results["fsize"] == "EFBIG"  # RLIMIT_FSIZE=0, and SIGXFSZ does not kill
    for name in REFUSED:
        assert results[name] == "refused", name
    assert results["read"] == "allowed" and results["import"] == "allowed"
    assert 1 <= results["cpu_soft"] < 60
    assert results["files"] == ["before.txt"]
    assert os.path.getsize(tmp_path / "before.txt") == 0
