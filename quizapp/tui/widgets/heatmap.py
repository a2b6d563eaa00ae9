"""A calendar heatmap: reviews per study day over the past year, weeks as
columns (Monday on top), the intensity drawn with ░▒▓█ so it never rests on
colour alone. The numbers are in the legend, under the cursor (arrow keys)
and in the tooltip under the mouse."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from datetime import date, timedelta

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from quizapp.i18n import N_, _, ngettext
from quizapp.tui.localized import WEEKDAYS, localize_bindings, long_date, month_name

#: Glyphs: no review, then four levels of intensity.
EMPTY = "·"
GLYPHS = "░▒▓█"
#: Weekdays labelled on the left (the others are left blank).
DAY_LABELS = (0, 2, 4, 6)
LABEL_WIDTH = 4


def levels(counts: Mapping[date, int]) -> list[tuple[int, int]]:
    """Inclusive (low, high) review counts of each intensity level: the
    quartiles of the days with reviews, so each glyph covers about a quarter
    of them. Fewer levels when many days have the same count."""
    values = sorted(n for n in counts.values() if n > 0)
    if not values:
        return []
    cuts = sorted({values[min(int(len(values) * q), len(values) - 1)] for q in (0.25, 0.5, 0.75)})
    cuts = [c for c in cuts if c < values[-1]]
    bounds, low = [], 1
    for cut in cuts:
        if cut >= low:
            bounds.append((low, cut))
            low = cut + 1
    bounds.append((low, values[-1]))
    return bounds


def glyph(count: int, bounds: list[tuple[int, int]]) -> str:
    """The glyph of a day with ``count`` reviews (the top levels are used
    when there are fewer than four)."""
    if count <= 0 or not bounds:
        return EMPTY
    index = min(bisect_left([high for _, high in bounds], count), len(bounds) - 1)
    return GLYPHS[len(GLYPHS) - len(bounds) + index]


def describe(day: date, count: int) -> str:
    """ "Tue 01 Dec 2026: 3 reviews", in the interface language."""
    reviews = ngettext("{count} review", "{count} reviews", count).format(count=count)
    return f"{long_date(day)}: {reviews}"


class CalendarHeatmap(Widget, can_focus=True):
    """Reviews per day from ``first`` to ``last`` (study days)."""

    DEFAULT_CSS = """
    CalendarHeatmap {
        height: auto;
        width: auto;
        padding: 0 1;
    }
    CalendarHeatmap > .heatmap--level-1 { color: $primary 40%; }
    CalendarHeatmap > .heatmap--level-2 { color: $primary 60%; }
    CalendarHeatmap > .heatmap--level-3 { color: $primary 80%; }
    CalendarHeatmap > .heatmap--level-4 { color: $primary; }
    CalendarHeatmap > .heatmap--empty { color: $text-muted; }
    CalendarHeatmap > .heatmap--cursor { text-style: reverse bold; }
    CalendarHeatmap > .heatmap--label { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "heatmap--level-1",
        "heatmap--level-2",
        "heatmap--level-3",
        "heatmap--level-4",
        "heatmap--empty",
        "heatmap--cursor",
        "heatmap--label",
    }

    BINDINGS = [
        Binding("left", "move(-7)", N_("Week before")),
        Binding("right", "move(7)", N_("Week after")),
        Binding("up", "move(-1)", N_("Day before")),
        Binding("down", "move(1)", N_("Day after")),
    ]

    #: The day under the cursor (its count is shown below the calendar).
    cursor: reactive[date | None] = reactive(None)

    class DaySelected(Message):
        """The cursor moved to ``day``, which had ``count`` reviews."""

        def __init__(self, day: date, count: int) -> None:
            super().__init__()
            self.day = day
            self.count = count

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        localize_bindings(self)
        self.counts: dict[date, int] = {}
        self.first: date | None = None
        self.last: date | None = None
        self.bounds: list[tuple[int, int]] = []

    def set_data(self, counts: Mapping[date, int], first: date, last: date) -> None:
        """Show ``counts`` (days without reviews may be left out) for [first, last]."""
        self.counts = {d: n for d, n in counts.items() if first <= d <= last}
        self.first, self.last = first, last
        self.bounds = levels(self.counts)
        self.cursor = last
        self.refresh(layout=True)

    # -- geometry ---------------------------------------------------------

    @property
    def _monday(self) -> date:
        assert self.first is not None
        return self.first - timedelta(days=self.first.weekday())

    @property
    def weeks(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return (self.last - self._monday).days // 7 + 1

    def day_at(self, x: int, y: int) -> date | None:
        """The day drawn at content cell (x, y), if any (row 0 holds the months)."""
        if self.first is None or self.last is None:
            return None
        column, row = x - LABEL_WIDTH, y - 1
        if not (0 <= row < 7 and 0 <= column < self.weeks):
            return None
        day = self._monday + timedelta(days=7 * column + row)
        return day if self.first <= day <= self.last else None

    def get_content_width(self, container, viewport) -> int:
        return LABEL_WIDTH + max(self.weeks, 1)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 8

    # -- drawing ----------------------------------------------------------

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        if self.first is None or self.last is None:
            return text
        label = self.get_component_rich_style("heatmap--label")
        months = [" "] * self.weeks
        for column in range(self.weeks):
            start = self._monday + timedelta(days=7 * column)
            for offset in range(7):
                day = start + timedelta(days=offset)
                if day.day == 1 and self.first <= day <= self.last and column + 3 <= self.weeks:
                    months[column : column + 3] = list(f"{month_name(day):<3}"[:3])
        text.append(" " * LABEL_WIDTH + "".join(months[: self.weeks]) + "\n", style=label)
        styles = {g: self.get_component_rich_style(f"heatmap--level-{i + 1}") for i, g in enumerate(GLYPHS)}
        styles[EMPTY] = self.get_component_rich_style("heatmap--empty")
        cursor = self.get_component_rich_style("heatmap--cursor")
        for row in range(7):
            name = _(WEEKDAYS[row])[:3] if row in DAY_LABELS else ""
            text.append(f"{name:<{LABEL_WIDTH}}", style=label)
            for column in range(self.weeks):
                day = self._monday + timedelta(days=7 * column + row)
                if not self.first <= day <= self.last:
                    text.append(" ")
                    continue
                g = glyph(self.counts.get(day, 0), self.bounds)
                style = styles[g] + cursor if day == self.cursor and self.has_focus else styles[g]
                text.append(g, style=style)
            if row < 6:
                text.append("\n")
        return text

    def legend(self) -> str:
        """The glyphs with the range of reviews each stands for."""
        parts = [f"{EMPTY} 0"]
        for (low, high), g in zip(self.bounds, GLYPHS[len(GLYPHS) - len(self.bounds) :]):
            parts.append(f"{g} {low}" if low == high else f"{g} {low}–{high}")
        return "  ".join(parts) + "  " + _("(reviews per day)")

    # -- interaction ------------------------------------------------------

    def watch_cursor(self, day: date | None) -> None:
        if day is not None:
            self.post_message(self.DaySelected(day, self.counts.get(day, 0)))
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, days: int) -> None:
        if self.cursor is None or self.first is None or self.last is None:
            return
        self.cursor = min(max(self.cursor + timedelta(days=days), self.first), self.last)

    def _day_under(self, event: events.MouseEvent) -> date | None:
        offset = event.get_content_offset(self)
        return None if offset is None else self.day_at(offset.x, offset.y)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        day = self._day_under(event)
        self.tooltip = describe(day, self.counts.get(day, 0)) if day is not None else None

    def on_click(self, event: events.Click) -> None:
        day = self._day_under(event)
        if day is not None:
            self.cursor = day
