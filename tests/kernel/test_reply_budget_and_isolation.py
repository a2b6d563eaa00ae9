"""Holes of issue 9 in the kernel: unbounded replies, state that leaks from one
snippet to the next, %-formatting through a variable, stale work folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from quizapp.kernel import client as client_module
from quizapp.kernel.client import Kernel, remove_stale_workdirs
from quizapp.kernel.protocol import MAX_REPLY_BYTES

#: Five lines, 266 MB of JSON without a budget (issue 9).
FANOUT = "s = 'a' * 2000\nl1 = [s] * 64\nl2 = [l1] * 64\nl3 = [l2] * 32\nl3"


# -- the reply budget --------------------------------------------------------------


def test_a_fanout_value_is_refused_as_too_large_at_once(warm: Kernel) -> None:
    started = time.monotonic()
    result = warm.run(FANOUT, timeout=60)
    assert result.error_type == "ReplyTooLarge"
    assert "too large to show" in (result.error_message or "")
    assert time.monotonic() - started < 10  # it stops at the budget: no 266 MB to build (seconds under load)
    assert warm.run("torch.ones(2).shape").value == {"type": "size", "shape": [2]}


def test_values_under_the_budget_still_come_whole(warm: Kernel) -> None:
    result = warm.run("['a' * 2000] * 20")
    assert result.ok and result.value is not None
    assert [item["value"] for item in result.value["items"]] == ["a" * 2000] * 20


def test_printed_text_and_value_together_stay_within_the_line_budget(warm: Kernel) -> None:
    # The value is under its own budget, the printed text under its cap; JSON
    # escapes of control characters make the two together too long for a line.
    result = warm.run("print('\\x01' * 5000)\n['\\x02' * 1300] * 6")
    assert result.error_type == "ReplyTooLarge"
    assert warm.run("1 + 1").value == {"type": "int", "value": 2}


FAKE_WORKER = """\
import json, sys, time
sys.stdout.buffer.write(json.dumps({"ready": True, "torch": "fake", "pid": 0}).encode() + b"\\n")
sys.stdout.buffer.flush()
sys.stdin.readline()
chunk = b"x" * 65536
for _ in range(SIZE // 65536):  # one endless line: blocks when the client stops reading
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
    with open(PROGRESS, "a") as f:
        f.write("+")
time.sleep(60)
"""


def test_the_client_refuses_an_over_long_line_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    progress = tmp_path / "progress"
    fake = tmp_path / "worker.py"
    size = 512 * 1024 * 1024  # half a GiB, never read
    fake.write_text(FAKE_WORKER.replace("SIZE", str(size)).replace("PROGRESS", repr(str(progress))))
    monkeypatch.setattr(client_module, "WORKER_PATH", fake)
    kernel = Kernel(timeout=30.0, startup_timeout=30.0)
    try:
        assert kernel.wait_ready(30)
        started = time.monotonic()
        result = kernel.run("1 + 1")
        assert result.error_type == "ReplyTooLarge", result
        assert f"over {MAX_REPLY_BYTES // 1024} KB" in (result.error_message or "")
        assert time.monotonic() - started < 20
        # The writer blocked on a full pipe: the client read about one budget's worth.
        written = len(progress.read_text()) * 65536
        assert written < 4 * 1024 * 1024
    finally:
        kernel.close()


# -- each snippet starts from the same state -----------------------------------------


def test_a_function_reached_through_torch_cannot_be_given_attributes(warm: Kernel) -> None:
    patched = warm.run("f = nn.Linear.forward\nf.data = 'x'")
    assert patched.error_type == "UnsafeSnippet" and patched.error_line == 2
    assert "tensors and modules only" in (patched.error_message or "")
    later = warm.run("f = nn.Linear.forward\nf.data")
    assert later.error_type == "AttributeError"  # nothing stayed
    own = warm.run("t = torch.ones(2)\nt.data = torch.zeros(2)\nm = nn.Linear(2, 1)\nm.bias.data += 1\nt")
    assert own.ok and own.value is not None and own.value["values"] == [0.0, 0.0]


def test_a_seed_does_not_leak_into_the_next_snippet(warm: Kernel) -> None:
    fresh = warm.run("torch.initial_seed()").value
    draw = warm.run("torch.rand(3)").value
    assert warm.run("torch.manual_seed(1234)\ntorch.rand(5)").ok
    assert warm.run("torch.initial_seed()").value == fresh
    assert warm.run("torch.rand(3)").value == draw  # every snippet starts from the same generator state


def test_percent_formatting_through_a_variable_is_refused(warm: Kernel) -> None:
    for code in ("s = '%s'\ns % 3", "s = '%d'\ns %= 3\ns", "l = ['%s']\nl[0] %= 1\nl", "x = ('%s',)[0] % 'y'"):
        result = warm.run(code)
        assert result.error_type == "UnsafeSnippet", (code, result)
    assert warm.run("7 % 3").value == {"type": "int", "value": 1}
    remainders = warm.run("x = torch.arange(5)\nx %= 2\nx % 2").value
    assert remainders is not None and remainders["values"] == [0, 1, 0, 1, 0]


# -- work folders ----------------------------------------------------------------------


def test_work_folders_of_dead_apps_are_removed_at_start(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp_path / f"quizapp-kernel-{gone.pid}-abc"
    stale.mkdir()
    (stale / "left.txt").write_text("x")
    live = tmp_path / f"quizapp-kernel-{os.getpid()}-def"
    live.mkdir()
    old = tmp_path / "quizapp-kernel-olderversion"
    old.mkdir()
    recent = tmp_path / "quizapp-kernel-recent"
    recent.mkdir()
    day_ago = time.time() - 2 * 86400
    os.utime(old, (day_ago, day_ago))
    assert remove_stale_workdirs(str(tmp_path)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, recent.name])


def test_a_killed_app_leaves_no_work_folder_behind(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    app = textwrap.dedent(
        """
        import time
        from quizapp.kernel.client import Kernel
        kernel = Kernel()
        kernel.start()
        print("started", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", app], env=env, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"started"
    proc.kill()  # kill -9: nothing cleans up
    proc.wait()
    (left,) = tmp_path.glob("quizapp-kernel-*")
    assert json.dumps(left.name).startswith(f'"quizapp-kernel-{proc.pid}-')
    assert remove_stale_workdirs(str(tmp_path)) == 1
    assert list(tmp_path.glob("quizapp-kernel-*")) == []
