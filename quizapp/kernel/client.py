"""Client side of the torch kernel, used by the UI process (never imports torch).

A :class:`Kernel` owns one warm worker subprocess (``worker.py``), talks JSON
lines to it, enforces a wall-clock timeout per snippet by killing the worker's
process group, and restarts the worker in the background after a timeout or a
crash. Snippets are validated here first: a refused snippet never reaches the
worker. A reply line longer than ``protocol.MAX_REPLY_BYTES`` is refused
without being read whole ("ReplyTooLarge"), and the worker restarted.

Typical use::

    kernel = Kernel(timeout=5.0)
    kernel.start()                     # returns at once; torch warms up meanwhile
    ...
    result = kernel.run("torch.zeros(2, 3).shape")
    result.value                       # {"type": "size", "shape": [2, 3]}
"""

from __future__ import annotations

import atexit
import collections
import concurrent.futures
import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizapp.kernel.protocol import MAX_REPLY_BYTES, REPLY_TOO_LARGE
from quizapp.kernel.validator import UnsafeSnippet, validate

__all__ = ["Kernel", "Result", "run_many"]

WORKER_PATH = Path(__file__).resolve().with_name("worker.py")
DEFAULT_TIMEOUT_S = 5.0
"""Seconds a snippet may run by default."""
GRACE_S = 1.0
"""Extra wall-clock seconds the client waits beyond the worker's own deadline
(which interrupts Python code cleanly) before it kills the worker."""
STARTUP_TIMEOUT_S = 60.0
"""Seconds to wait for the worker's ready line (torch import) by default."""
PASSED_ENV = ("PATH", "LANG", "LC_ALL")
"""The only variables of the parent's environment the worker inherits."""
WORKDIR_PREFIX = "quizapp-kernel-"
"""Workers' directories in the temporary directory: ``quizapp-kernel-<app pid>-<random>``."""


@dataclass(frozen=True)
class Result:
    """The outcome of one snippet.

    ``value`` is the encoded value of the last expression (see
    ``quizapp.kernel.encoding``), None when the snippet failed.
    ``error_type`` is the exception's class name, or one of the kernel's own:
    "UnsafeSnippet" (refused by the validator, ``error_line`` set), "Timeout",
    "KernelDied" (the worker crashed or could not start), "NotRun" (an earlier
    snippet of the same batch forced a restart), "ReplyTooLarge" (the value
    or the reply was over the protocol's budget). ``duration_s``: seconds the
    snippet ran in the worker, or the seconds waited for Timeout/KernelDied.
    """

    ok: bool
    value: dict[str, Any] | None
    error_type: str | None
    error_message: str | None
    stdout: str
    duration_s: float
    error_line: int | None = None


def _failure(kind: str, message: str, duration_s: float = 0.0, line: int | None = None) -> Result:
    return Result(False, None, kind, message, "", duration_s, line)


def _from_reply(msg: dict[str, Any], waited_s: float) -> Result:
    duration = float(msg.get("duration_s", waited_s))
    stdout = str(msg.get("stdout", ""))
    if msg.get("ok"):
        return Result(True, msg.get("value"), None, None, stdout, duration)
    err = msg.get("error") or {}
    return Result(
        False, None, str(err.get("type", "Error")), str(err.get("message", "")), stdout, duration, err.get("line")
    )


class _Spawner:
    """One long-lived thread that starts every worker.

    PR_SET_PDEATHSIG fires when the *thread* that forked the worker exits, so
    spawning from a short-lived UI thread would kill the worker with it.
    """

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="quizapp-kernel-spawn")

    def popen(self, *args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        def spawn() -> subprocess.Popen[bytes]:
            return subprocess.Popen(*args, **kwargs)  # binary pipes: callers pass no text mode

        return self._pool.submit(spawn).result()


_spawner_lock = threading.Lock()
_spawner: _Spawner | None = None


def _get_spawner() -> _Spawner:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
        return _spawner


_EOF = object()
#: Put on the reply queue instead of a line longer than MAX_REPLY_BYTES.
_TOO_LONG = object()


def remove_stale_workdirs(tmp: str | None = None) -> int:
    """Remove the working directories of workers whose app is gone (killed
    with -9, so nothing cleaned up); returns how many were removed.
    Directories of a live app are kept. Those of older versions (no pid in
    the name) go when empty and a day old."""
    root = Path(tmp or tempfile.gettempdir())
    removed = 0
    try:
        entries = list(root.glob(WORKDIR_PREFIX + "*"))
    except OSError:
        return 0
    for path in entries:
        owner = path.name[len(WORKDIR_PREFIX) :].split("-", 1)[0]
        try:
            if not path.is_dir() or path.is_symlink() or path.stat().st_uid != os.getuid():
                continue
            if owner.isdigit():
                if _pid_alive(int(owner)):
                    continue
                shutil.rmtree(path)
            elif time.time() - path.stat().st_mtime > 86400:
                path.rmdir()  # only if empty
            else:
                continue
        except OSError:
            continue
        removed += 1
    return removed


_cleaned = threading.Event()


def _clean_once() -> None:
    """remove_stale_workdirs() at the first start of a kernel in this process."""
    if not _cleaned.is_set():
        _cleaned.set()
        remove_stale_workdirs()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class _Process:
    """One worker subprocess, its reader threads and its working directory."""

    def __init__(self, python: str) -> None:
        self.workdir = tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")
        env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        env.update(
            HOME=self.workdir, TMPDIR=self.workdir, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"
        )
        # -I: ignore PYTHON* variables, user site and the cwd; -B: no .pyc writes;
        # faulthandler: a native crash leaves a trace on stderr for death_message().
        cmd = [
            python,
            "-I",
            "-B",
            "-X",
            "faulthandler",
            str(WORKER_PATH),
            "--parent-pid",
            str(os.getpid()),
            "--workdir",
            self.workdir,
        ]
        self.spawned_at = time.monotonic()
        try:
            self.popen = _get_spawner().popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.workdir,
                env=env,
                start_new_session=True,
                close_fds=True,
            )
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.replies: queue.Queue[Any] = queue.Queue()
        self.ready_event = threading.Event()
        self.info: dict[str, Any] = {}
        self.startup_s: float | None = None
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self.stderr_after_ready: collections.deque[str] = collections.deque(maxlen=20)
        for target in (self._read_stdout, self._read_stderr):
            threading.Thread(target=target, daemon=True, name=f"quizapp-kernel-{target.__name__}").start()

    def _read_stdout(self) -> None:
        stdout = self.popen.stdout
        assert stdout is not None
        try:
            while line := stdout.readline(MAX_REPLY_BYTES + 1):
                if len(line) > MAX_REPLY_BYTES and not line.endswith(b"\n"):
                    # Over budget: stop reading (the rest stays in the pipe);
                    # the waiting request fails and restarts the worker.
                    self.replies.put(_TOO_LONG)
                    self.ready_event.set()
                    return
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                if not self.info and msg.get("ready"):
                    self.startup_s = time.monotonic() - self.spawned_at
                    self.info = msg
                    self.ready_event.set()
                else:
                    self.replies.put(msg)
        except (OSError, ValueError):
            pass
        self.replies.put(_EOF)
        self.ready_event.set()  # wake wait_ready() on death too

    def _read_stderr(self) -> None:
        # Drained so a chatty worker never blocks on a full pipe.
        assert self.popen.stderr is not None
        try:
            for line in self.popen.stderr:
                text = line.decode("utf-8", "replace").rstrip()[:300]
                self.stderr_tail.append(text)
                if self.info:  # import-time warnings are noise once ready
                    self.stderr_after_ready.append(text)
        except (OSError, ValueError):
            pass

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def ready(self) -> bool:
        return bool(self.info) and self.alive

    def send(self, message: dict[str, Any]) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps(message).encode() + b"\n")
        self.popen.stdin.flush()

    def death_message(self) -> str:
        try:  # stdout closes a moment before the exit status is there
            code = self.popen.wait(0.5)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            what = "the kernel stopped answering"
        elif code < 0:
            try:
                what = f"the kernel died ({signal.Signals(-code).name})"
            except ValueError:
                what = f"the kernel died (signal {-code})"
        else:
            what = f"the kernel exited with status {code}"
        lines = self.stderr_after_ready if self.info else self.stderr_tail
        last = next((ln for ln in reversed(lines) if ln.strip()), "")
        return f"{what}: {last}" if last else what

    def kill(self) -> None:
        """SIGKILL the worker's process group (it holds nothing worth flushing)."""
        try:
            if self.popen.stdin is not None:
                self.popen.stdin.close()
        except OSError:
            pass
        if self.popen.poll() is None:  # not reaped: the pgid cannot have been reused
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.popen.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Kernel:
    """A warm torch worker and the means to run snippets in it (thread-safe).

    ``timeout``: default seconds per snippet; ``grace``: extra seconds before
    the client kills a worker that ignores its own deadline;
    ``startup_timeout``: seconds run() waits for a (re)starting worker;
    ``python``: interpreter for the worker (default: this one).
    """

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT_S,
        *,
        grace: float = GRACE_S,
        startup_timeout: float = STARTUP_TIMEOUT_S,
        python: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.grace = grace
        self.startup_timeout = startup_timeout
        self.python = python or sys.executable
        self._proc: _Process | None = None
        self._closed = False
        self._state_lock = threading.RLock()  # guards _proc
        self._request_lock = threading.Lock()  # one request at a time
        self._ids = itertools.count(1)
        _open_kernels.add(self)

    # -- life cycle -----------------------------------------------------------
    def start(self) -> None:
        """Spawn the worker if none is running; returns at once (no waiting for torch)."""
        with self._state_lock:
            self._closed = False
            if self._proc is None or not self._proc.alive:
                if self._proc is not None:
                    self._proc.kill()
                _clean_once()
                self._proc = _Process(self.python)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Start if needed and wait for the ready line; ``timeout`` in seconds
        (None: ``startup_timeout``). True if the worker is ready."""
        self.start()
        proc = self._proc
        assert proc is not None
        proc.ready_event.wait(self.startup_timeout if timeout is None else timeout)
        return proc.ready

    def restart(self) -> None:
        """Kill the worker and spawn a fresh one (does not wait for it)."""
        with self._state_lock:
            if self._proc is not None:
                self._proc.kill()
                self._proc = None
            if not self._closed:
                self._proc = _Process(self.python)

    def close(self) -> None:
        """Stop the worker and remove its directory. run() would start a new one."""
        with self._state_lock:
            self._closed = True
            if self._proc is not None:
                self._proc.kill()
                self._proc = None

    def __del__(self) -> None:
        # A forgotten Kernel still removes its worker and directory.
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> Kernel:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state ------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """True when a worker has imported torch and is alive."""
        proc = self._proc
        return proc is not None and proc.ready

    @property
    def alive(self) -> bool:
        """True while a worker process runs (ready or still warming up)."""
        proc = self._proc
        return proc is not None and proc.alive

    @property
    def torch_version(self) -> str | None:
        """torch.__version__ in the worker, once ready."""
        proc = self._proc
        return proc.info.get("torch") if proc is not None and proc.info else None

    @property
    def info(self) -> dict[str, Any]:
        """The worker's ready line (torch, pid, startup_s measured in-process); {} before."""
        proc = self._proc
        return dict(proc.info) if proc is not None else {}

    @property
    def startup_s(self) -> float | None:
        """Seconds from spawning the current worker to its ready line."""
        proc = self._proc
        return proc.startup_s if proc is not None else None

    @property
    def pid(self) -> int | None:
        """Process id of the running worker, None if none runs."""
        proc = self._proc
        return proc.popen.pid if proc is not None and proc.alive else None

    @property
    def workdir(self) -> str | None:
        """The worker's empty working directory (also its HOME and TMPDIR)."""
        proc = self._proc
        return proc.workdir if proc is not None else None

    # -- requests ---------------------------------------------------------------
    def run(self, code: str, timeout: float | None = None) -> Result:
        """Run one snippet; ``timeout`` in seconds (None: the kernel's default)."""
        return self.run_many([code], timeout)[0]

    def run_many(self, codes: Sequence[str], timeout: float | None = None) -> list[Result]:
        """Run several snippets in one round trip, each in a fresh namespace.

        ``timeout`` applies to each snippet. After a timeout or crash the
        worker restarts and the snippets after it get error_type "NotRun".
        """
        timeout = self.timeout if timeout is None else timeout
        results: list[Result | None] = [None] * len(codes)
        todo: list[int] = []
        for i, code in enumerate(codes):
            try:
                validate(code)
            except UnsafeSnippet as e:
                results[i] = _failure("UnsafeSnippet", str(e), line=e.line)
            else:
                todo.append(i)
        if todo:
            with self._request_lock:
                self._exchange(codes, todo, timeout, results)
        return [r if r is not None else _failure("NotRun", "not run") for r in results]

    def env_keys(self) -> list[str]:
        """Names of the worker's environment variables (a diagnostic for tests)."""
        value = self._diagnostic("env_keys")
        return [item["value"] for item in value["items"]] if value else []

    def _diagnostic(self, op: str) -> dict[str, Any] | None:
        """The encoded value of a diagnostic op ("ping", "env_keys", "module_count")."""
        with self._request_lock:
            proc = self._ready_process()
            if proc is None:
                return None
            rid = next(self._ids)
            try:
                proc.send({"id": rid, "op": op})
            except OSError:
                return None
            msg = self._reply(proc, rid, 0, time.monotonic() + self.timeout + self.grace)
        return msg.get("value") if isinstance(msg, dict) and msg.get("ok") else None

    def _ready_process(self) -> _Process | None:
        with self._state_lock:
            if self._proc is None or not self._proc.alive:
                try:
                    self.start()
                except (OSError, RuntimeError):  # no interpreter, or shutting down
                    return None
            proc = self._proc
        assert proc is not None
        proc.ready_event.wait(self.startup_timeout)
        return proc if proc.ready else None

    def _exchange(self, codes: Sequence[str], todo: list[int], timeout: float, results: list[Result | None]) -> None:
        proc = self._ready_process()
        if proc is None:
            message = self._proc.death_message() if self._proc else "no worker process"
            for i in todo:
                results[i] = _failure("KernelDied", f"could not start: {message}")
            return
        rid = next(self._ids)
        try:
            proc.send({"id": rid, "codes": [codes[i] for i in todo], "timeout": timeout})
        except OSError:
            results[todo[0]] = _failure("KernelDied", proc.death_message())
            self._mark_not_run(todo[1:], results)
            self.restart()
            return
        for k, i in enumerate(todo):
            started = time.monotonic()
            msg = self._reply(proc, rid, k, started + timeout + self.grace)
            waited = time.monotonic() - started
            if isinstance(msg, dict):
                results[i] = _from_reply(msg, waited)
                continue
            if msg is _EOF:
                results[i] = _failure("KernelDied", proc.death_message(), waited)
            elif msg is _TOO_LONG:
                message = (
                    f"the reply is too large to show (over {MAX_REPLY_BYTES // 1024} KB; the kernel was restarted)"
                )
                results[i] = _failure(REPLY_TOO_LARGE, message, waited)
            else:
                message = f"the snippet ran longer than {timeout:g} s (the kernel was restarted)"
                results[i] = _failure("Timeout", message, waited)
            self._mark_not_run(todo[k + 1 :], results)
            self.restart()  # kills the stuck or dead worker, spawns a fresh one
            return

    @staticmethod
    def _mark_not_run(indices: list[int], results: list[Result | None]) -> None:
        for i in indices:
            results[i] = _failure("NotRun", "not run: an earlier snippet restarted the kernel")

    @staticmethod
    def _reply(proc: _Process, rid: int, index: int, deadline: float) -> Any:
        """The reply (a dict), _EOF if the worker died, _TOO_LONG for a line
        over budget, None on timeout."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = proc.replies.get(timeout=left)
            except queue.Empty:
                return None
            if msg is _EOF or msg is _TOO_LONG:
                proc.replies.put(msg)  # keep it visible to later waits (until the restart)
                return msg
            if msg.get("id") == rid and msg.get("index", 0) == index:
                return msg
            # anything else is a stale reply to an abandoned request: drop it


def run_many(codes: Sequence[str], timeout: float | None = None, kernel: Kernel | None = None) -> list[Result]:
    """Run snippets in one round trip on ``kernel`` (default: a shared Kernel)."""
    return (kernel or _default_kernel()).run_many(codes, timeout)


_default_lock = threading.Lock()
_default: Kernel | None = None


def _default_kernel() -> Kernel:
    global _default
    with _default_lock:
        if _default is None:
            _default = Kernel()
        return _default


_open_kernels: weakref.WeakSet[Kernel] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for kernel in list(_open_kernels):
        kernel.close()
