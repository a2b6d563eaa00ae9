"""What every use case shares: the database, the learner, the clock, the
learner's time zone and settings, and the processes passed in from the top.

A use case is a function of the service package that takes a Context first.
Each call is its own unit of work: :meth:`Context.read` for a look,
:meth:`Context.write` for a change (the one place a write transaction is
opened), so a use case is safe to call from a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from quizapp.scheduling import Scheduler, SchedulingConfig
from quizapp.store.engine import WRITE_OPTIONS
from quizapp.study_days import StudyDays

if TYPE_CHECKING:
    from quizapp.kernel.client import Result
    from quizapp.optimizing import Fitter


class KernelLike(Protocol):
    """The torch kernel as the use cases need it (quizapp.kernel.Kernel)."""

    @property
    def torch_version(self) -> str | None:
        """torch.__version__ in the kernel, once it is ready."""

    def wait_ready(self, timeout: float | None = None) -> bool: ...

    def run_many(self, codes: list[str], timeout: float | None = None) -> list[Result]: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """One learner's view of one database, as the use cases share it."""

    engine: Engine
    user_id: int
    user_name: str
    #: Now, timezone-aware UTC (tests pass a fake clock).
    clock: Callable[[], datetime] = utcnow
    #: Time zone of the learner's days (None: the machine's local zone).
    tz: tzinfo | None = None
    config: SchedulingConfig = field(default_factory=SchedulingConfig)
    #: True when ``config`` was given by the caller (tests, tools): the
    #: learner's stored settings then don't replace it.
    fixed_config: bool = False
    #: The torch kernel that generated questions and code cards run in
    #: (None: none was passed in; such use cases refuse to run).
    kernel: KernelLike | None = None
    #: Fits FSRS parameters in another process (None: not available).
    fit: Fitter | None = None
    scheduler: Scheduler = field(init=False)
    #: Schedulers by config: one per deck preset in use (see scheduler_for).
    _schedulers: dict[SchedulingConfig, Scheduler] = field(init=False, default_factory=dict, repr=False)
    #: Write transactions opened through :meth:`write` so far (the review
    #: queue rebuilds when a write it did not make happened).
    writes: int = field(default=0, init=False)
    #: The review queue (a service.queue.ReviewQueue), built by the first next card.
    queue: object | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.scheduler = Scheduler(self.config)

    def use_config(self, config: SchedulingConfig) -> None:
        """Schedule with ``config`` from now on (unless the config is fixed)."""
        if not self.fixed_config:
            self.config = config
            self.scheduler = Scheduler(config)
            self._schedulers.clear()

    def scheduler_for(self, config: SchedulingConfig) -> Scheduler:
        """A scheduler for ``config`` (a deck preset's), made once and kept."""
        if config == self.config:
            return self.scheduler
        scheduler = self._schedulers.get(config)
        if scheduler is None:
            scheduler = self._schedulers[config] = Scheduler(config)
        return scheduler

    @property
    def days(self) -> StudyDays:
        return StudyDays(self.tz, self.config.day_start_hour)

    def day_bounds(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """(start, end) in UTC of the study day containing ``now``."""
        return self.days.bounds(now or self.clock())

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back
        if it raises. Everything a use case changes goes through here.

        The transaction takes the write lock as it begins (BEGIN IMMEDIATE
        on SQLite; see store/engine.py), so what the block reads is what
        it writes over: another process's write waits, never interleaves."""
        self.writes += 1
        with Session(self.engine) as session:
            session.connection(execution_options=WRITE_OPTIONS)
            yield session
            session.commit()


class Progress:
    """Calls ``report(done, total)`` every ``every`` steps (for progress bars)."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None, every: int = 250) -> None:
        self.total, self.report, self.every, self.done = total, report, every, 0

    def step(self) -> None:
        self.done += 1
        if self.report and (self.done % self.every == 0 or self.done == self.total):
            self.report(self.done, self.total)

    def ping(self) -> None:
        """Report again without a step (long work after the last card: the
        report is where a cancelled import stops)."""
        if self.report:
            self.report(self.done, self.total)
