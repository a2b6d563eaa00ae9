"""Kill -9 in the middle of a session: every answer given is in the database."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

import pytest
from sqlmodel import Session
from sqlmodel import select as sql_select

from quizapp.store.engine import make_engine
from quizapp.store.models import CardState, ReviewLog

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="uses a Linux pty")


def _drain(fd: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def _count_logs(db: str) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            return len(session.exec(sql_select(ReviewLog)).all())
    finally:
        engine.dispose()


def test_answers_survive_kill_9(tmp_path):
    db = str(tmp_path / "crash.sqlite3")
    primary, secondary = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL_THEME")}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30", QUIZAPP_USER="crash")
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizapp", "--db", db, "review", "--deck", "PyTorch (ES)::Deep learning"],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
    )
    os.close(secondary)
    try:
        _drain(primary, 4.0)  # let the app start
        answered = 0
        deadline = time.monotonic() + 60
        while answered < 5 and time.monotonic() < deadline:
            os.write(primary, b"\r")  # show the answer
            _drain(primary, 0.4)
            os.write(primary, b"\r")  # accept Good
            _drain(primary, 0.6)
            answered = _count_logs(db)
        assert answered >= 5, "the app did not record answers through the pty"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        logs = session.exec(sql_select(ReviewLog)).all()
        states = {s.card_id: s for s in session.exec(sql_select(CardState)).all()}
    assert len(logs) >= answered
    for log in logs:  # each answer's schedule committed with its log row
        assert states[log.card_id].reps >= 1
        assert states[log.card_id].last_review is not None
