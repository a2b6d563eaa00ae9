"""What quizapp's screens share: typed access to the app's service and torch
kernel, and the one place where a failed worker is reported.

Workers don't catch their errors. A worker that raises ends in the ERROR
state (``exit_on_error=False``: never a crash), Textual posts
``Worker.StateChanged`` to the screen that ran it, and ``QuizScreen``'s
handler passes the error to ``show_failure``: a notification by default; a
screen that has a better place for it (a status line) overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from quizapp.i18n import _
from quizapp.text import shown
from quizapp.tui.localized import localize_bindings

if TYPE_CHECKING:
    from quizapp.kernel import Kernel
    from quizapp.service import Service


class QuizHost(Protocol):
    """What screens use of their app besides Textual's App API (it is
    quizapp.tui.app.QuizApp; a protocol, so that screens don't import the
    module that imports them)."""

    service: Service
    #: The torch worker for live cards (None: off).
    kernel: Kernel | None

    def start_review(self, deck: str | None, *, limit: int | None = None, minutes: float | None = None) -> None: ...

    def action_optimize(self) -> None: ...

    def show_fresh_home(self) -> None: ...


@dataclass(frozen=True)
class WorkFailure:
    """A worker that raised."""

    #: The worker's name: the method decorated with ``@work``.
    work: str
    #: What it was doing, as the learner reads it ("loading the decks"): the
    #: ``description`` given to ``@work``.
    what: str
    error: BaseException

    @property
    def detail(self) -> str:
        """The error with its type: "OperationalError: database is locked"."""
        return f"{type(self.error).__name__}: {self.error}"

    @property
    def text(self) -> str:
        """One line for the learner: "Error loading the decks: OperationalError: ..."."""
        return _("Error {what}: {detail}").format(what=_(self.what), detail=self.detail)


ResultT = TypeVar("ResultT")


class QuizScreen(Screen[ResultT]):
    """A screen of quizapp's app (see the module's docstring)."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        localize_bindings(self)

    @property
    def quiz_app(self) -> QuizHost:
        return cast("QuizHost", self.app)

    @property
    def service(self) -> Service:
        """The learner's service (quizapp.service.Service)."""
        return self.quiz_app.service

    @on(Worker.StateChanged)
    def _report_failed_worker(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.show_failure(WorkFailure(worker.name, worker.description, worker.error))

    def show_failure(self, failure: WorkFailure) -> None:
        """Tell the learner that a worker of this screen failed."""
        self.notify(shown(failure.text), severity="error", timeout=8, markup=False)
