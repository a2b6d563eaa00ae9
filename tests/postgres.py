"""A throwaway PostgreSQL server for the tests, started from the Debian
``postgresql`` package's binaries (or any folder holding ``initdb`` and
``pg_ctl``: QUIZAPP_PG_BIN).

The server lives in a temporary folder: its data, and its Unix socket (no
TCP port is opened), with fsync off. PostgreSQL refuses to run as root, so
under root (as CI runs) initdb and the server run as the ``postgres`` user,
or ``nobody`` when there is none, through ``runuser``. Each test gets a
database of its own, created from ``template0`` and dropped after it
(about 30 ms each way).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

#: Set (to anything but "" or "0") where a missing server must fail the run, not skip.
REQUIRE_ENV = ("QUIZAPP_REQUIRE_POSTGRES", "CI")

HOW_TO_ENABLE = (
    "install PostgreSQL (Debian: apt-get install postgresql) or set QUIZAPP_PG_BIN to the folder "
    "holding initdb and pg_ctl, to run these tests on PostgreSQL too"
)


def required() -> bool:
    """True where the PostgreSQL tests must run (CI)."""
    return any(os.environ.get(name, "") not in ("", "0") for name in REQUIRE_ENV)


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    candidates = []
    if os.environ.get("QUIZAPP_PG_BIN"):
        candidates.append(Path(os.environ["QUIZAPP_PG_BIN"]))
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(Path(pg_ctl).parent)
    # Debian keeps them out of PATH, one folder per major version: newest first.
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _major(p.parent.name), reverse=True)
    candidates += debian
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _major(name: str) -> int:
    return int(name) if name.isdigit() else -1


class PostgresServer:
    """One server for a test session; ``database()`` gives a fresh database."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.run_as = _unprivileged_user() if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="quizapp-pg-"))
        self.data = self.root / "data"
        self.port = 5432  # only names the socket file, in a folder of our own: no clash
        self._names = count(1)
        self._admin = None

    def _command(self, *args: str) -> list[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *command] if self.run_as else command

    def start(self) -> None:
        if self.run_as:
            record = pwd.getpwnam(self.run_as)
            os.chown(self.root, record.pw_uid, record.pw_gid)
        os.chmod(self.root, 0o700)
        quiet = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "check": False}
        done = subprocess.run(
            self._command(
                "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"
            ),
            **quiet,
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}")
        options = f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        done = subprocess.run(
            self._command("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"),
            **quiet,
        )
        if done.returncode != 0:
            log = (self.root / "log").read_text(errors="replace") if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{log}")

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        subprocess.run(
            self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def _execute(self, sql: str) -> None:
        import psycopg

        if self._admin is None:
            self._admin = psycopg.connect(host=str(self.root), port=self.port, user="postgres", autocommit=True)
        self._admin.execute(sql)

    @contextmanager
    def database(self) -> Iterator[str]:
        """A new, empty database's URL; dropped afterwards (connections left open are closed)."""
        name = f"quizapp_test_{next(self._names)}"
        self._execute(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
        try:
            yield self.url(name)
        finally:
            self._execute(f"DROP DATABASE {name} WITH (FORCE)")


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and no 'postgres' or 'nobody' user to run PostgreSQL as")
