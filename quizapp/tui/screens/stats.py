"""Statistics: today, the streak, the 30-day forecast, a year of reviews as a
calendar, true retention, accuracy of generated questions per family with
the mistakes made, and FSRS retrievability.

The figures are computed in a thread worker (``Service.statistics``) and
posted back; the screen shows exactly the numbers of ``quizapp stats --json``.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Static

from quizapp.i18n import N_, _, current_language, ngettext
from quizapp.service.statistics import HEATMAP_DAYS, RETENTION_WINDOWS, PassFail, Statistics, mistake_labels
from quizapp.tui.localized import long_date, month_name, weekday_name
from quizapp.tui.messages import StatsLoaded
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.widgets.card_text import plain
from quizapp.tui.widgets.heatmap import CalendarHeatmap, describe

#: Column titles of the retention windows.
WINDOW_TITLES = {"today": N_("Today"), "7d": N_("7 days"), "30d": N_("30 days"), "365d": N_("1 year")}
#: Mistakes listed per family.
TOP_MISTAKES = 3


def percent(rate: float | None) -> str:
    """0.9134 -> "91.3%"; None (nothing to divide) -> "—"."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def duration(seconds: float) -> str:
    """Time spent, as "45s", "4m 10s" or "1h 02m"."""
    total = round(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def pass_fail(counts: PassFail) -> str:
    """ "91.3% (105/115)": the pass rate, passed of all; "—" when none."""
    return "—" if not counts.total else f"{percent(counts.rate)} ({counts.passed}/{counts.total})"


class StatsScreen(QuizScreen[None]):
    """Everything quizapp knows about the learner's reviews, on one page."""

    BINDINGS = [
        Binding("escape", "leave", N_("Back")),
        Binding("r", "refresh", N_("Refresh")),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: The complete figures on the screen (None while any block is computing).
        self.shown: Statistics | None = None
        #: The latest figures on the screen, complete or not.
        self.partial: Statistics | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats"):
            yield Static(_("Computing statistics…"), id="stats-status")
            with Vertical(id="stats-body"):
                yield Static("", id="stats-title")
                yield Static(_("Today"), classes="stats-heading")
                yield Static("", id="stats-today")
                yield Static(_("Forecast: cards due per study day, next 30 days"), classes="stats-heading")
                yield _plot("forecast-plot")
                yield Static("", id="forecast-numbers")
                yield Static(_("Reviews per day, past year"), classes="stats-heading")
                yield CalendarHeatmap(id="heatmap")
                yield Static("", id="heatmap-legend")
                yield Static("", id="heatmap-day")
                yield Static(
                    _("True retention: first review of the day of cards in review (pass = not Again)"),
                    classes="stats-heading",
                )
                yield DataTable(id="retention", cursor_type="none", zebra_stripes=True)
                yield Static(_("Generated questions: answers right per family, weakest first"), classes="stats-heading")
                yield Static("", id="families-advice")
                yield DataTable(id="families", cursor_type="row", zebra_stripes=True)
                yield Static(
                    _("Memory (FSRS): probability of recalling each studied card now"), classes="stats-heading"
                )
                yield _plot("recall-plot")
                yield Static("", id="recall-numbers")
                # Fits personal FSRS parameters (screens/optimize.py; torch runs in a worker process).
                yield Button(_("Optimize my FSRS parameters"), id="stats-optimize")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-body").display = False
        table = self.query_one("#retention", DataTable)
        table.add_column("", key="kind")
        for key, title in WINDOW_TITLES.items():
            table.add_column(_(title), key=key)
        families = self.query_one("#families", DataTable)
        families.add_column(_("Family"), key="family")
        families.add_column(_("Answers"), key="reviews")
        families.add_column(_("Right"), key="correct")
        families.add_column(_("Accuracy"), key="accuracy")
        families.add_column(_("Most frequent mistakes"), key="mistakes")
        self.load()

    def load(self) -> None:
        self._generation += 1
        self.partial = self.shown = None
        self.compute(self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats", description=N_("computing the statistics"))
    def compute(self, generation: int) -> None:
        def progress(partial: Statistics) -> None:
            self.post_message(StatsLoaded(partial, generation))

        self.post_message(StatsLoaded(self.service.statistics(progress=progress), generation))

    def show_failure(self, failure: WorkFailure) -> None:
        status = self.query_one("#stats-status", Static)
        status.update(plain(failure.text))
        status.display = True

    @on(StatsLoaded)
    def show_stats(self, message: StatsLoaded) -> None:
        s = message.stats
        if message.generation != self._generation:
            return  # from before a refresh
        local = s.now.astimezone(self.service.tz) if self.service.tz else s.now.astimezone()
        # The study day, as the figures count it (at 02:20, before a 04:00
        # start, it is still yesterday's); the clock time beside it.
        self.query_one("#stats-title", Static).update(
            Text.assemble(
                plain(_("Statistics of {user}").format(user=s.user), style="bold"),
                " · "
                + _("study day {day} (days start at {hour}) · now {time} {zone}").format(
                    day=long_date(s.today_date),
                    hour=f"{s.day_start_hour:02d}:00",
                    time=f"{local:%H:%M}",
                    zone=s.time_zone,
                ),
            )
        )
        if self.partial is None:  # the quick figures come first, and once
            self._show_today(s)
            self._show_forecast(s)
            self._show_heatmap(s)
        self._show_retention(s)
        self._show_families(s)
        self._show_recall(s)
        self.query_one("#stats-status").display = False
        self.query_one("#stats-body").display = True
        self.partial = s
        self.shown = None if s.pending else s

    def _show_today(self, s: Statistics) -> None:
        t = s.today
        text = Text()
        text.append(_("Reviewed {count}").format(count=t.reviews), style="bold")
        text.append(
            " · "
            + _("new {new} · time {time} · Again {again} ({rate})").format(
                new=t.new, time=duration(t.time_s), again=t.again, rate=percent(t.again_rate)
            )
            + "\n"
        )
        text.append(
            ngettext("Streak {count} day", "Streak {count} days", s.streak_days).format(count=s.streak_days),
            style="bold",
        )
        text.append(" · " + _("due now {now} · due tomorrow {tomorrow}").format(now=s.due_now, tomorrow=s.due_tomorrow))
        self.query_one("#stats-today", Static).update(text)

    def _show_forecast(self, s: Statistics) -> None:
        values = list(s.forecast)
        dates = [s.today_date + timedelta(days=i) for i in range(len(values))]
        plot = self.query_one("#forecast-plot")
        plot.display = any(values)  # an empty chart says less than "0" everywhere
        if hasattr(plot, "plt"):
            plt = plot.plt
            plt.clear_data()
            plt.bar(list(range(len(values))), values, width=0.6)
            ticks = list(range(0, len(values), 7))
            plt.xticks(ticks, [f"{dates[i].day:02d} {month_name(dates[i])}" for i in ticks])
            _integer_yticks(plt, max(values, default=0))
            plot.refresh()
        lines = Text()
        # Each day takes 13 columns and a separator 4: as many as fit the screen.
        per_row = max(1, (self.app.size.width - 6 + 4) // 17)
        today = _("Today")
        for i, (day, count) in enumerate(zip(dates, values)):
            label = f"{today[:6]} " if i == 0 else f"{weekday_name(day)} {day.day:02d}"
            lines.append(f"{label:>7}", style="dim")
            lines.append(f" {count:>5}", style="bold" if i == 0 else "")
            if i + 1 < len(values):
                lines.append("\n" if (i + 1) % per_row == 0 else "  │ ")
        lines.append(
            "\n"
            + _("Next 7 days {week} · next 30 days {month} (today: overdue too)").format(
                week=sum(values[:7]), month=sum(values)
            )
        )
        self.query_one("#forecast-numbers", Static).update(lines)

    def _show_heatmap(self, s: Statistics) -> None:
        first = s.today_date - timedelta(days=HEATMAP_DAYS - 1)
        heatmap = self.query_one(CalendarHeatmap)
        heatmap.set_data(s.heatmap, first, s.today_date)
        studied = len([n for n in s.heatmap.values() if n])
        total = sum(s.heatmap.values())
        self.query_one("#heatmap-legend", Static).update(
            f"{heatmap.legend()}\n"
            + _("Days studied {studied} of {days} · reviews {total} · {average} a day on average").format(
                studied=studied, days=HEATMAP_DAYS, total=total, average=f"{total / HEATMAP_DAYS:.1f}"
            )
        )
        self._show_day(s.today_date, s.heatmap.get(s.today_date, 0))

    @on(CalendarHeatmap.DaySelected)
    def day_selected(self, message: CalendarHeatmap.DaySelected) -> None:
        self._show_day(message.day, message.count)

    def _show_day(self, day, count: int) -> None:
        hint = "  " + _("(Tab to the calendar, then arrows: ←→ week, ↑↓ day)")
        self.query_one("#heatmap-day", Static).update(f"▸ {describe(day, count)}{hint}")

    def _show_retention(self, s: Statistics) -> None:
        table = self.query_one("#retention", DataTable)
        table.clear()
        if "true_retention" in s.pending:
            table.add_row(_("Computing…"), *([""] * len(RETENTION_WINDOWS)))
            return
        for kind in ("young", "mature", "total"):
            cells = [pass_fail(getattr(s.true_retention[w], kind)) for w in RETENTION_WINDOWS]
            title = {"young": _("Young (< 21 d)"), "mature": _("Mature (≥ 21 d)"), "total": _("All")}[kind]
            table.add_row(title, *cells, key=kind)

    def _show_families(self, s: Statistics) -> None:
        table = self.query_one("#families", DataTable)
        table.clear()
        advice = self.query_one("#families-advice", Static)
        if "families" in s.pending:
            advice.update(_("Computing…"))
            return
        ordered = sorted(s.families.values(), key=lambda f: (f.accuracy if f.accuracy is not None else 2, f.family))
        # The families' own words in the interface language (the JSON keeps English).
        labels_by_family, titles = mistake_labels(
            {name: list(f.mistakes) for name, f in s.families.items()}, current_language()
        )
        for f in ordered:
            labels = labels_by_family.get(f.family, {})
            mistakes = "; ".join(f"{labels.get(k, k)} ×{n}" for k, n in list(f.mistakes.items())[:TOP_MISTAKES])
            table.add_row(
                titles.get(f.family, f.family),
                str(f.reviews),
                str(f.correct),
                percent(f.accuracy),
                mistakes or "—",
                key=f.family,
            )
        if not ordered:
            advice.update(_("No generated questions answered yet."))
            return
        weakest = ordered[0]
        text = Text(_("Study next:") + " ", style="bold")
        title = titles.get(weakest.family, weakest.family)
        if weakest.mistakes:
            key = next(iter(weakest.mistakes))
            text.append(
                _("{family} ({rate} right; most often: {mistake})").format(
                    family=title,
                    rate=percent(weakest.accuracy),
                    mistake=labels_by_family.get(weakest.family, {}).get(key, key),
                )
            )
        else:
            text.append(_("{family} ({rate} right)").format(family=title, rate=percent(weakest.accuracy)))
        advice.update(text)

    def _show_recall(self, s: Statistics) -> None:
        if "retrievability" in s.pending:
            self.query_one("#recall-numbers", Static).update(_("Computing…"))
            return
        r = s.retrievability
        labels = [f"{10 * i}-{10 * (i + 1)}" for i in range(len(r.buckets))]
        plot = self.query_one("#recall-plot")
        plot.display = r.cards > 0
        if hasattr(plot, "plt"):
            plt = plot.plt
            plt.clear_data()
            plt.bar(labels, list(r.buckets), width=0.6)
            plt.xlabel(_("retrievability %"))
            _integer_yticks(plt, max(r.buckets, default=0))
            plot.refresh()
        text = Text()
        text.append(_("Expected remembered now: {count}").format(count=f"{r.expected_remembered:.1f}"), style="bold")
        text.append(
            " "
            + ngettext(
                "of {count} card (mean retrievability {mean})", "of {count} cards (mean retrievability {mean})", r.cards
            ).format(count=r.cards, mean=percent(r.mean))
            + "\n"
        )
        text.append(" · ".join(f"{label}% {n}" for label, n in zip(labels, r.buckets)))
        self.query_one("#recall-numbers", Static).update(text)

    def action_refresh(self) -> None:
        self.load()

    def action_leave(self) -> None:
        self.app.pop_screen()

    @on(Button.Pressed, "#stats-optimize")
    def optimize(self, event: Button.Pressed) -> None:
        event.stop()
        self.quiz_app.action_optimize()


def _integer_yticks(plt, top: int) -> None:
    """Whole numbers on the y axis (cards come in units)."""
    ticks = sorted({round(top * i / 4) for i in range(5)})
    plt.yticks(ticks, [str(t) for t in ticks])


def _plot(id: str):
    """A textual-plotext plot, or an empty placeholder if it is not installed
    (the numbers below each chart carry the same figures)."""
    try:
        from textual_plotext import PlotextPlot  # ~50 ms: loaded with this screen only
    except ImportError:  # pragma: no cover - a dependency; kept optional at run time
        return Static("", id=id, classes="stats-plot")
    return PlotextPlot(id=id, classes="stats-plot")
