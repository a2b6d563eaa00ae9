"""Shared fixtures: every test gets its own data directory and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"

#: Folders whose tests all run torch (in the kernel, or in-process for families).
TORCH_FOLDERS = {"kernel", "questions"}

#: Test modules whose database tests (those using ``db_url``, ``engine`` or
#: ``make_service``) run on PostgreSQL as well as SQLite: the service,
#: statistics, browser, import and optimizer suites (tests/postgres.py).
POSTGRES_SUITES = {
    "test_service.py",
    "test_stats.py",
    "test_browse.py",
    "store/test_search.py",
    "test_importing.py",
    "test_optimizing.py",
    "test_study_settings.py",
    "test_leech.py",
}


def pytest_generate_tests(metafunc):
    """The database tests of POSTGRES_SUITES run twice: ``[sqlite]`` and ``[postgresql]``."""
    if "db_url" not in metafunc.fixturenames:
        return
    module = Path(str(metafunc.definition.path)).relative_to(TESTS).as_posix()
    if module in POSTGRES_SUITES:
        metafunc.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def pytest_collection_modifyitems(config, items):
    """Mark each test ``tui`` (drives the Textual app) and/or ``torch`` (runs
    torch, in the kernel or in this process), so a newcomer's fast loop is
    ``pytest -m "not torch and not tui"``. Tests that need torch say so with
    the ``kernel`` fixture, an importorskip("torch") or an explicit marker."""
    for item in items:
        parts = Path(str(item.path)).relative_to(TESTS).parts
        if parts[0] == "tui":
            item.add_marker(pytest.mark.tui)
        module = getattr(item, "module", None)
        uses_torch = (
            parts[0] in TORCH_FOLDERS
            or "kernel" in getattr(item, "fixturenames", ())
            or (module is not None and "torch" in vars(module))
        )
        if uses_torch:
            item.add_marker(pytest.mark.torch)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("db_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's data or settings."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("QUIZAPP_DATA_DIR", str(data))
    monkeypatch.delenv("QUIZAPP_DB", raising=False)
    monkeypatch.setenv("QUIZAPP_USER", "tester")
    monkeypatch.setenv("TZ", "UTC")
    # English unless a test chooses: the machine's locale must not change what tests read.
    monkeypatch.setenv("QUIZAPP_LANGUAGE", "en")
    from quizapp import i18n

    i18n.set_language("en")
    return data


@pytest.fixture(autouse=True)
def torch_marker_is_honest(request, monkeypatch):
    """A test that starts the torch kernel must carry the ``torch`` marker,
    or the fast loop (``-m "not torch"``) would not be fast."""
    if "torch" in request.keywords:
        return
    from quizapp.kernel.client import Kernel

    def refuse(self):
        pytest.fail(f"{request.node.nodeid} starts the torch kernel: mark it @pytest.mark.torch")

    monkeypatch.setattr(Kernel, "start", refuse)


class Clock:
    """A settable clock for the service (UTC, aware)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session (tests/postgres.py). Without one
    the tests that need it are skipped, saying how to enable them; in CI
    (CI or QUIZAPP_REQUIRE_POSTGRES set) they fail instead."""
    from tests import postgres

    bin_dir = postgres.find_bin()
    if bin_dir is None:
        message = f"no PostgreSQL server found: {postgres.HOW_TO_ENABLE}"
        if postgres.required():
            pytest.fail(message + " (required here: CI or QUIZAPP_REQUIRE_POSTGRES is set)", pytrace=False)
        pytest.skip(message)
    server = postgres.PostgresServer(bin_dir)
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def db_url(request, tmp_path):
    """The test's database: a SQLite file, or (``[postgresql]`` variants, see
    POSTGRES_SUITES) a fresh database on the session's PostgreSQL server."""
    if getattr(request, "param", "sqlite") == "postgresql":
        with request.getfixturevalue("postgres_server").database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'quizapp.sqlite3'}"


@pytest.fixture
def engine(db_url):
    from quizapp.store.engine import make_engine

    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def make_service(engine, clock):
    """Service factory: make_service("ana") -> that learner's Service."""
    from zoneinfo import ZoneInfo

    from quizapp.service import Service

    def make(user: str = "tester", **kwargs):
        kwargs.setdefault("tz", ZoneInfo("UTC"))
        return Service(engine, user, clock=clock, **kwargs)

    return make


SMALL_DECK = """\
format = 1
[deck]
id = "small"
name = "Small"

[[cards]]
id = "one"
front = "1?"
back = "one"

[[cards]]
id = "two"
type = "reversed"
subdeck = "Sub"
front = "2?"
back = "two"

[[cards]]
id = "three"
type = "cloze"
subdeck = "Sub"
text = "a {{c1::b}} c {{c2::d::hint}}"

[[cards]]
id = "four"
type = "type"
front = "dtype of torch.zeros(1)?"
answer = "torch.float32"
"""


@pytest.fixture
def small_deck(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL_DECK, encoding="utf-8")
    return path
