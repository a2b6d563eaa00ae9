"""The optimizer's worker process: protocol, errors, cancel, no torch here."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizapp.kernel.optimizer_client import WORKER_PATH, fit_parameters
from quizapp.optimizing import OptimizerUnavailable, split_history
from tests.simulation import simulate_history


def _run_worker(request: bytes) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-I", "-B", str(WORKER_PATH)], input=request, capture_output=True, timeout=120
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_bad_request_is_one_error_line():
    (reply,) = _run_worker(b"[1, 2]\n")
    assert reply["error"]["type"] == "ValueError"


def test_bad_row_is_reported_not_a_traceback():
    request = {
        "rows": [{"card": "a", "time": "yesterday", "rating": 3}],
        "cutoff": None,
        "current": list(DEFAULT_PARAMETERS),
    }
    replies = _run_worker(json.dumps(request).encode())
    assert replies[-1]["error"]["type"] == "ValueError"
    assert all(set(r) <= {"progress", "total", "stage", "error"} for r in replies)


def test_cancel_kills_the_worker_quickly():
    rows = simulate_history(3000, true_parameters=DEFAULT_PARAMETERS, seed=1)
    _, cutoff = split_history(rows)
    cancelled = threading.Event()
    stages: list[str] = []

    def progress(stage, done, total):
        stages.append(stage)
        if stage == "fit":
            cancelled.set()

    started = time.monotonic()
    with pytest.raises(OptimizerUnavailable, match="cancelled"):
        fit_parameters(rows, cutoff=cutoff, current=DEFAULT_PARAMETERS, progress=progress, cancel=cancelled.is_set)
    assert "fit" in stages
    assert time.monotonic() - started < 60


def test_timeout_is_reported():
    rows = simulate_history(3000, true_parameters=DEFAULT_PARAMETERS, seed=1)
    _, cutoff = split_history(rows)
    with pytest.raises(OptimizerUnavailable, match="stopped"):
        fit_parameters(rows, cutoff=cutoff, current=DEFAULT_PARAMETERS, timeout=0.5)
