"""Client side of the FSRS optimizer's worker (never imports torch).

:func:`fit_parameters` starts ``optimizer_worker.py`` in a fresh interpreter
(``-I -B``, a scrubbed environment, an empty working directory, its own
process group), sends it the review log as one JSON line, relays its
progress lines and returns its result. Cancelling or a timeout kills the
worker's process group.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from quizapp.optimizing import FitResult, Metrics, OptimizerUnavailable, Progress, ReviewRow

WORKER_PATH = Path(__file__).resolve().with_name("optimizer_worker.py")
#: Wall-clock seconds a fit may take before the worker is killed.
DEFAULT_TIMEOUT_S = 1800.0
#: The only variables of the parent's environment the worker inherits.
PASSED_ENV = ("PATH", "LANG", "LC_ALL")


def fit_parameters(
    rows: Sequence[ReviewRow],
    *,
    cutoff: datetime | None,
    current: Sequence[float],
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    python: str | None = None,
) -> FitResult:
    """Fit FSRS parameters on the rows before ``cutoff`` in a worker process
    and score ``current`` and the fitted parameters on the rest.

    ``progress(stage, done, total)`` is called from this thread as lines
    arrive. Raises OptimizerUnavailable if the worker fails, is cancelled
    (``cancel()`` turned true) or runs out of time.
    """
    workdir = tempfile.mkdtemp(prefix="quizapp-optimizer-")
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    env.update(HOME=workdir, TMPDIR=workdir, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = [python or sys.executable, "-I", "-B", str(WORKER_PATH), "--parent-pid", str(os.getpid())]
    request = json.dumps(
        {
            "rows": [r.to_json() for r in rows],
            "cutoff": cutoff.isoformat() if cutoff else None,
            "current": list(current),
        }
    ).encode()
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise OptimizerUnavailable(f"cannot start the optimizer: {exc}") from exc
    stderr_tail: list[str] = []
    threading.Thread(target=_feed, args=(proc, request), daemon=True, name="quizapp-optimizer-stdin").start()
    threading.Thread(target=_drain, args=(proc, stderr_tail), daemon=True, name="quizapp-optimizer-stderr").start()
    stop = threading.Event()
    watchdog = threading.Thread(
        target=_watch,
        args=(proc, stop, cancel, time.monotonic() + timeout),
        daemon=True,
        name="quizapp-optimizer-watch",
    )
    watchdog.start()
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if "progress" in message and progress is not None:
                progress(str(message.get("stage", "fit")), int(message["progress"]), int(message.get("total") or 1))
            elif "result" in message:
                result = message["result"]
            elif "error" in message:
                error = message["error"]
        proc.wait()
    finally:
        stop.set()
        if proc.poll() is None:
            _kill(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    if result is not None:
        return FitResult(
            parameters=tuple(float(p) for p in result["parameters"]),
            before=Metrics.from_json(result["before"]) if result.get("before") else None,
            after=Metrics.from_json(result["after"]) if result.get("after") else None,
            train_reviews=int(result.get("train_reviews", 0)),
            seconds=float(result.get("seconds", 0.0)),
        )
    if cancel is not None and cancel():
        raise OptimizerUnavailable("the optimizer was cancelled")
    if error is not None:
        raise OptimizerUnavailable(f"the optimizer failed: {error.get('type')}: {error.get('message')}")
    detail = stderr_tail[-1] if stderr_tail else f"exit status {proc.returncode}"
    if proc.returncode in (-signal.SIGKILL, -signal.SIGXCPU):
        detail = "stopped (time or memory limit)"
    raise OptimizerUnavailable(f"the optimizer stopped: {detail}")


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    try:
        assert proc.stdin is not None
        proc.stdin.write(data + b"\n")
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def _drain(proc: subprocess.Popen, tail: list[str]) -> None:
    assert proc.stderr is not None
    try:
        for line in proc.stderr:
            tail.append(line.decode("utf-8", "replace").rstrip()[:300])
            del tail[:-20]
    except (OSError, ValueError):
        pass


def _watch(proc: subprocess.Popen, stop: threading.Event, cancel: Callable[[], bool] | None, deadline: float) -> None:
    while not stop.wait(0.2):
        if (cancel is not None and cancel()) or time.monotonic() > deadline:
            _kill(proc)
            return


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
