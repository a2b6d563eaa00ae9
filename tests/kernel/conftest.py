"""One warm Kernel shared by the kernel tests (importing torch takes seconds)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizapp.kernel.client import Kernel

SECRET_ENV = "QUIZAPP_TEST_KERNEL_SECRET"
"""Set in this process while the shared kernel lives (so in every restart's
parent environment); the worker must never see it."""


def process_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (missing, or a zombie nobody reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return any(line.startswith("State:") and "Z" in line.split()[1] for line in status.splitlines())


@pytest.fixture(scope="session")
def kernel() -> Iterator[Kernel]:
    os.environ[SECRET_ENV] = "hunter2"
    k = Kernel(timeout=5.0)
    try:
        k.start()
        assert k.wait_ready(60), "the worker did not start"
        yield k
    finally:
        k.close()
        os.environ.pop(SECRET_ENV, None)


@pytest.fixture
def warm(kernel: Kernel) -> Kernel:
    """The shared kernel, ready (a previous test may have restarted it)."""
    assert kernel.wait_ready(60)
    return kernel
