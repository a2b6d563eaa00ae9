"""Fit the learner's own FSRS parameters, with a progress bar; show how the
current and the new parameters predict the learner's recent reviews; adopt
the new ones only if better, and offer to reschedule the cards.

The fit (the Rust FSRS core, in-process: a fraction of a second) runs in a
thread worker, so the UI never waits on it. Escape cancels it (at the next
stage) and goes back.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, ProgressBar, Static

from quizapp.i18n import N_, _, ngettext
from quizapp.optimizing import NotEnoughReviews, OptimizeReport
from quizapp.text import shown
from quizapp.tui.messages import OptimizeDone, OptimizeProgress, ParametersChanged
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.widgets.card_text import plain

STAGES = {"fit": N_("Fitting your parameters…"), "evaluate": N_("Comparing on your recent reviews…")}


def report_text(report: OptimizeReport) -> Text:
    """Both figures, before and after, and what was decided."""
    text = Text()
    before, after = report.before, report.after
    text.append(_("Reviews in your history: {count}").format(count=report.reviews) + "\n")
    text.append(_("Learned from (first 80%, a day or more apart): {count}").format(count=report.train_reviews) + "\n")
    text.append(_("Held out to compare (last 20%): {count}").format(count=before.count if before else 0) + "\n\n")
    if before is not None and after is not None:
        text.append(f"{'':<22}{_('log loss'):>10}{_('RMSE (bins)'):>14}\n", style="bold")
        text.append(f"{_('Current parameters'):<22}{before.log_loss:>10.4f}{before.rmse:>13.2%}\n")
        text.append(f"{_('New parameters'):<22}{after.log_loss:>10.4f}{after.rmse:>13.2%}\n\n")
    if report.evaluation is not None:
        text.append(
            _("Whole history, time-series splits (Anki's Evaluate): log loss {loss}, RMSE (bins) {rmse}").format(
                loss=f"{report.evaluation.log_loss:.4f}", rmse=f"{report.evaluation.rmse:.2%}"
            )
            + "\n"
        )
    if report.optimal_retention is not None:
        text.append(
            _("Optimal retention for your parameters: {retention}").format(retention=f"{report.optimal_retention:.2f}")
            + "\n"
        )
    text.append("\n")
    for note in report.notes:
        text.append(note + "\n")
    if report.adopted:
        text.append(_("✓ Adopted: the new parameters predict your recent reviews better.") + "\n", style="bold")
        text.append(_("The old ones are kept: p returns to them."))
    else:
        text.append(
            _("✗ Kept the current parameters: the new ones do not predict your recent reviews better."), style="bold"
        )
    return text


class OptimizeScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("escape", "leave", N_("Back")),
        Binding("p", "revert", N_("Previous parameters")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.report: OptimizeReport | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="optimize"):
            yield Static(_("Personal FSRS parameters"), id="optimize-title")
            yield Static(_("Starting…"), id="optimize-stage")
            yield ProgressBar(total=1.0, show_eta=False, id="optimize-progress")
            yield Static("", id="optimize-report")
        yield Footer()

    def on_mount(self) -> None:
        self.running = True
        self.run_optimizer()

    @work(thread=True, exclusive=True, exit_on_error=False, group="optimize", description=N_("fitting your parameters"))
    def run_optimizer(self) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(OptimizeProgress(stage, done, total))

        self.post_message(OptimizeDone(self.service.optimize(progress=progress, cancel=self._cancel.is_set)))

    def show_failure(self, failure: WorkFailure) -> None:
        error = failure.error
        if failure.work == "run_optimizer":
            self._stopped()
            notice = (
                _("Not yet: {reason}.").format(reason=error) if isinstance(error, NotEnoughReviews) else failure.text
            )
            self.query_one("#optimize-stage", Static).update(Text(notice))
        elif failure.work == "revert" and isinstance(error, ValueError):
            self._tell(_("Nothing to return to: {reason}.").format(reason=error), error=True)
        else:
            self._tell(failure.text, error=True)

    def _stopped(self) -> None:
        self.running = False
        self.query_one(ProgressBar).display = False

    @on(OptimizeProgress)
    def show_progress(self, message: OptimizeProgress) -> None:
        self.query_one("#optimize-stage", Static).update(
            _(STAGES[message.stage]) if message.stage in STAGES else message.stage
        )
        self.query_one(ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(OptimizeDone)
    def show_result(self, message: OptimizeDone) -> None:
        self._stopped()
        stage = self.query_one("#optimize-stage", Static)
        self.report = message.report
        stage.update(_("Done."))
        self.query_one("#optimize-report", Static).update(report_text(message.report))
        if message.report.adopted:
            from quizapp.tui.screens.confirm import ConfirmScreen

            self.app.push_screen(
                ConfirmScreen(
                    _("Reschedule your cards with the new parameters?")
                    + "\n\n"
                    + _(
                        "Due dates of cards you have reviewed are recomputed from their history. "
                        "No: they keep their due dates; new answers use the new parameters."
                    )
                ),
                self._reschedule_answer,
            )

    def _reschedule_answer(self, yes: bool | None) -> None:
        if yes:
            self.query_one("#optimize-stage", Static).update(_("Rescheduling…"))
            self.reschedule()

    @work(thread=True, exclusive=True, exit_on_error=False, group="optimize", description=N_("rescheduling"))
    def reschedule(self) -> None:
        changed = self.service.reschedule()
        self.post_message(
            ParametersChanged(
                ngettext("{count} card rescheduled.", "{count} cards rescheduled.", changed).format(count=changed)
            )
        )

    def action_revert(self) -> None:
        if self.running:
            self.notify(_("The optimizer is still running."), timeout=3)
            return
        self.revert()

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="optimize",
        description=N_("returning to the previous parameters"),
    )
    def revert(self) -> None:
        self.service.revert_parameters()  # ValueError: none are kept (show_failure says so)
        self.post_message(ParametersChanged(_("Returned to the previous parameters (p again swaps back).")))

    @on(ParametersChanged)
    def parameters_changed(self, message: ParametersChanged) -> None:
        self._tell(message.notice)

    def _tell(self, notice: str, *, error: bool = False) -> None:
        self.query_one("#optimize-stage", Static).update(plain(notice))
        self.notify(shown(notice), severity="error" if error else "information", timeout=5, markup=False)

    def action_leave(self) -> None:
        self._cancel.set()  # the optimizer stops at its next stage
        self.dismiss()
