"""The Kernel client against a real worker: encodings, errors, limits, restarts."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import quizapp.kernel
from quizapp.kernel import client as client_module
from quizapp.kernel import sandbox
from quizapp.kernel.client import Kernel, Result, run_many

from .conftest import SECRET_ENV, process_gone

REPO = Path(__file__).resolve().parents[2]
KERNEL_DIR = REPO / "quizapp" / "kernel"


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def tensor(shape, dtype, values, requires_grad=False, grad=None) -> dict:
    return {
        "type": "tensor",
        "shape": shape,
        "dtype": dtype,
        "values": values,
        "requires_grad": requires_grad,
        "grad": grad,
    }


# -- life cycle ---------------------------------------------------------------


def test_start_from_a_short_lived_thread_then_close() -> None:
    """start() returns at once; the worker survives the thread that started it
    (PR_SET_PDEATHSIG follows the spawning thread); close() removes everything."""
    k = Kernel()
    took: list[float] = []

    def starter() -> None:
        t0 = time.monotonic()
        k.start()
        took.append(time.monotonic() - t0)

    thread = threading.Thread(target=starter)
    thread.start()
    thread.join()
    try:
        assert k.alive
        assert k.wait_ready(60)
        assert k.ready and k.torch_version and k.torch_version.startswith("2.")
        assert k.startup_s is not None and 0 < k.startup_s < 60
        # start() did not wait for torch: it returned before the worker was ready.
        assert took[0] < k.startup_s
        pid, workdir = k.pid, k.workdir
        assert isinstance(pid, int) and workdir and os.path.isdir(workdir)
        assert k.run("torch.ones(2).sum()").value["values"] == 2.0
    finally:
        k.close()
    assert not k.alive and k.pid is None and not k.ready
    assert process_gone(pid)
    assert not os.path.exists(workdir)


PARENT = textwrap.dedent("""
    import sys, threading
    from quizapp.kernel import Kernel
    k = Kernel()
    assert k.wait_ready(60)
    if sys.argv[1] == "busy":
        code = "for i in range(10**10):\\n    pass"
        threading.Thread(target=k.run, args=(code,), kwargs={"timeout": 60}, daemon=True).start()
    print(k.pid, flush=True)
    if sys.argv[1] == "busy":
        threading.Event().wait()
""")


def test_worker_dies_with_its_parent() -> None:
    """kill -9 of a parent whose worker is busy (not reading stdin), and a
    parent that just exits without close(): both workers go away."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)}
    parents = {
        mode: subprocess.Popen([sys.executable, "-c", PARENT, mode], env=env, stdout=subprocess.PIPE, text=True)
        for mode in ("busy", "exit")
    }
    pids = {}
    try:
        for mode, parent in parents.items():
            assert parent.stdout is not None
            pids[mode] = int(parent.stdout.readline())
        time.sleep(0.3)  # the busy worker is inside its loop now
        assert not process_gone(pids["busy"])
        parents["busy"].send_signal(signal.SIGKILL)
        for parent in parents.values():
            parent.wait(30)
        for mode, pid in pids.items():
            assert wait_until(lambda pid=pid: process_gone(pid), 5), f"{mode} worker {pid} survived its parent"
    finally:
        for parent in parents.values():
            parent.kill()
        for pid in pids.values():
            if not process_gone(pid):
                os.kill(pid, signal.SIGKILL)


# -- values -------------------------------------------------------------------

ENCODINGS = {
    "torch.tensor([[1.0, 2.5], [3.0, 4.0]])": tensor([2, 2], "torch.float32", [[1.0, 2.5], [3.0, 4.0]]),
    "torch.tensor([1 / 3])": tensor([1], "torch.float32", [0.3333]),
    "torch.tensor(2.5, dtype=torch.float64)": tensor([], "torch.float64", 2.5),
    "torch.arange(3)": tensor([3], "torch.int64", [0, 1, 2]),
    "torch.tensor([True, False])": tensor([2], "torch.bool", [True, False]),
    "torch.tensor([float('nan'), float('inf'), -float('inf')])": tensor([3], "torch.float32", ["nan", "inf", "-inf"]),
    "torch.zeros(10, 10)": tensor([10, 10], "torch.float32", None),
    "x = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\nx": tensor(
        [2], "torch.float32", [1.0, 1.0], True, tensor([2], "torch.float32", [3.0, 3.0])
    ),
    "torch.zeros(2, 3).shape": {"type": "size", "shape": [2, 3]},
    "torch.zeros(()).shape": {"type": "size", "shape": []},
    "torch.zeros(1, dtype=torch.half).dtype": {"type": "dtype", "value": "torch.float16"},
    "1 < 2": {"type": "bool", "value": True},
    "7": {"type": "int", "value": 7},
    "1 / 3": {"type": "float", "value": 0.3333},
    "float('nan')": {"type": "float", "value": "nan"},
    "float('-inf')": {"type": "float", "value": "-inf"},
    "'hola'": {"type": "str", "value": "hola"},
    "None": {"type": "none", "value": None},
    "x = 1": {"type": "none", "value": None},
    "(1, 'a')": {
        "type": "tuple",
        "items": [{"type": "int", "value": 1}, {"type": "str", "value": "a"}],
        "truncated": False,
    },
    "[2.5]": {"type": "list", "items": [{"type": "float", "value": 2.5}], "truncated": False},
    "range(3)": {"type": "other", "repr": "range(0, 3)"},
}


def test_value_encodings(warm: Kernel) -> None:
    results = warm.run_many(list(ENCODINGS))
    for (code, expected), result in zip(ENCODINGS.items(), results):
        assert result.ok, (code, result)
        assert result.value == expected, code


def test_more_encodings(warm: Kernel) -> None:
    module, long_list, named = warm.run_many(
        [
            "nn.Sequential(nn.Linear(3, 2), nn.ReLU())",
            "list(range(100))",
            "torch.max(torch.tensor([1, 3]), 0)",
        ]
    )
    assert module.value["type"] == "module" and module.value["parameters"] == 8
    assert "Linear(in_features=3, out_features=2" in module.value["repr"]
    assert long_list.value["type"] == "list" and long_list.value["truncated"] is True
    assert len(long_list.value["items"]) == 64
    assert [item["values"] for item in named.value["items"]] == [3, 1]


def test_result_is_frozen(warm: Kernel) -> None:
    result = warm.run("1")
    assert isinstance(result, Result)
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]
    assert result.duration_s >= 0 and result.stdout == ""


# -- errors and output --------------------------------------------------------


def test_exception_type_message_and_line(warm: Kernel) -> None:
    result = warm.run("x = torch.ones(2, 3)\ny = x @ x\ny")
    assert not result.ok and result.value is None
    assert result.error_type == "RuntimeError"
    assert result.error_message == "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"
    assert result.error_line == 2


def test_only_the_first_line_of_a_message(warm: Kernel) -> None:
    result = warm.run("torch.add(1)")  # torch's argument errors span many lines
    assert result.error_type == "TypeError"
    assert result.error_message and "\n" not in result.error_message
    assert result.error_message.startswith("add() received an invalid combination of arguments")


def test_stdout_is_captured_and_capped(warm: Kernel) -> None:
    result = warm.run("print('a')\nprint(1, 2)\n3")
    assert result.stdout == "a\n1 2\n" and result.value == {"type": "int", "value": 3}
    flood = warm.run("for i in range(2000):\n    print('0123456789')")
    assert flood.ok and flood.stdout.endswith("[output truncated]")
    assert len(flood.stdout) <= 4096 + 20


def test_each_snippet_gets_a_fresh_namespace_and_state(warm: Kernel) -> None:
    assert warm.run("x = 41").ok
    leak = warm.run("if False:\n    x = 0\nx")
    assert leak.error_type == "NameError"
    assert warm.run("torch.set_grad_enabled(False)").ok
    assert warm.run("torch.is_grad_enabled()").value == {"type": "bool", "value": True}
    assert warm.run("torch.get_default_dtype()").value == {"type": "dtype", "value": "torch.float32"}


def test_unsafe_snippet_never_reaches_the_worker(warm: Kernel) -> None:
    proc = warm._proc
    assert proc is not None
    result = warm.run("x = 1\nimport os")
    assert result.error_type == "UnsafeSnippet" and result.error_line == 2
    assert result.error_message == "line 2: import is not allowed"
    assert proc.replies.empty()


# -- timeouts and restarts -----------------------------------------------------


def test_python_level_timeout_keeps_the_worker(warm: Kernel) -> None:
    pid = warm.pid
    result = warm.run("for i in range(10**10):\n    pass", timeout=0.3)
    assert result.error_type == "Timeout" and not result.ok
    assert 0.25 < result.duration_s < 1.0
    assert warm.pid == pid  # the worker's own deadline interrupted it: no restart
    assert warm.run("2 + 2").value == {"type": "int", "value": 4}


def test_stuck_worker_is_killed_and_restarted(warm: Kernel) -> None:
    pid = warm.pid
    # sum() over a range runs in C without checking signals: only a kill stops it.
    results = warm.run_many(["1", "sum(range(10**12))", "2"], timeout=0.3)
    assert [r.error_type for r in results] == [None, "Timeout", "NotRun"]
    assert "restarted" in (results[1].error_message or "")
    assert wait_until(lambda: process_gone(pid))
    assert warm.run("torch.ones(1).shape").value == {"type": "size", "shape": [1]}
    assert warm.pid != pid


def test_worker_killed_while_idle_is_replaced(warm: Kernel) -> None:
    pid = warm.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not warm.alive)
    result = warm.run("torch.zeros(3).sum()")
    assert result.ok and warm.pid not in (None, pid)


def test_worker_killed_during_a_request_reports_kernel_died(warm: Kernel) -> None:
    pid = warm.pid
    assert pid is not None
    out: list[Result] = []
    runner = threading.Thread(target=lambda: out.append(warm.run("for i in range(10**10):\n    pass", timeout=30)))
    runner.start()
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    runner.join(10)
    assert out and out[0].error_type == "KernelDied"
    assert "SIGKILL" in (out[0].error_message or "")
    assert warm.run("1").ok and warm.pid != pid


def test_concurrent_requests_are_serialised(warm: Kernel) -> None:
    errors: list[str] = []

    def worker(n: int) -> None:
        for i in range(10):
            r = warm.run(f"torch.tensor([{n * 100 + i}]) * 2")
            if not r.ok or r.value["values"] != [2 * (n * 100 + i)]:
                errors.append(f"{n}/{i}: {r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors


def test_run_many_keeps_order(warm: Kernel) -> None:
    results = run_many(["1", "import os", "1/0", "torch.zeros(1).shape"], kernel=warm)
    assert [r.error_type for r in results] == [None, "UnsafeSnippet", "ZeroDivisionError", None]
    assert results[3].value == {"type": "size", "shape": [1]}


# -- the sandbox as seen from outside ---------------------------------------------

WRITE_ATTEMPTS = [
    "torch.save(torch.zeros(1), 'x.pt')",
    "torch.zeros(2).numpy().tofile('x.bin')",
    "open('x.txt', 'w')",
    "torch.from_file('x.bin', shared=True, size=4)",
    "print(1, file=None)",
    "ds = torch.utils.data.TensorDataset(torch.zeros(4))\n"
    "for b in torch.utils.data.DataLoader(ds, num_workers=2):\n    pass",
    "torch.zeros(2).untyped_storage()",
]


def test_no_files_are_written(warm: Kernel, tmp_path: Path) -> None:
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(REPO))
    results = warm.run_many(WRITE_ATTEMPTS)
    assert all(not r.ok for r in results)
    workdir = warm.workdir
    assert workdir and os.listdir(workdir) == []
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(REPO))) == before


def test_environment_is_scrubbed(warm: Kernel) -> None:
    keys = set(warm.env_keys())
    assert os.environ.get(SECRET_ENV) and SECRET_ENV not in keys
    assert keys <= {
        "PATH",
        "LANG",
        "LC_ALL",
        "HOME",
        "TMPDIR",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
    }
    assert {"HOME", "OMP_NUM_THREADS"} <= keys
    raw = Path(f"/proc/{warm.pid}/environ").read_bytes().split(b"\0")
    env = dict(item.decode().split("=", 1) for item in raw if item)
    assert env["HOME"] == warm.workdir and env["OMP_NUM_THREADS"] == "1"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_limits_of_the_worker(warm: Kernel) -> None:
    pid = warm.pid
    limits = Path(f"/proc/{pid}/limits").read_text()

    def limit(name: str) -> tuple[str, str]:
        line = next(ln for ln in limits.splitlines() if ln.startswith(name))
        soft, hard = line[len(name) :].split()[:2]
        return soft, hard

    soft, hard = limit("Max address space")  # what torch maps + the allowance: test_memory_budget.py
    assert soft == hard and int(soft) > sandbox.SNIPPET_MEMORY_BYTES
    assert limit("Max file size") == ("0", "0")
    assert limit("Max core file size") == ("0", "0")
    assert limit("Max open files") == ("64", "64")
    assert limit("Max cpu time")[0] != "unlimited"
    status = Path(f"/proc/{pid}/status").read_text()
    assert "\nThreads:\t1\n" in status
    assert os.readlink(f"/proc/{pid}/cwd") == os.path.realpath(warm.workdir or "")
    assert os.getpgid(pid) == pid  # its own session: a terminal Ctrl+C misses it


# -- architecture ----------------------------------------------------------------


def test_ui_side_modules_do_not_import_torch() -> None:
    code = (
        "import sys, quizapp.kernel, quizapp.kernel.client, quizapp.kernel.validator\n"
        "quizapp.kernel.Kernel(); quizapp.kernel.validator.validate('torch.zeros(1)')\n"
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)},
        timeout=30,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_no_pickle_anywhere() -> None:
    banned = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle"}
    for path in KERNEL_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & banned, f"{path.name} imports {names & banned}"


def test_public_api() -> None:
    assert quizapp.kernel.Kernel is Kernel
    assert quizapp.kernel.Result is Result
    assert quizapp.kernel.run_many is client_module.run_many
