"""The four grade buttons with the interval each would give, as in Anki."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from quizapp.domain import Rating
from quizapp.scheduling import Outcome, format_interval
from quizapp.tui.localized import rating_label


class GradeBar(Static):
    """Shows "1 Again 1m · 2 Hard 6m · 3 Good 10m · 4 Easy 9d"; the suggested
    grade is marked with an arrow and bold, not by colour alone."""

    DEFAULT_CSS = """
    GradeBar { height: 1; padding: 0 2; color: $text-muted; }
    """

    def show(self, outcomes: dict[Rating, Outcome] | None, suggested: Rating | None = None) -> None:
        if not outcomes:
            self.update("")
            return
        text = Text()
        for rating, outcome in outcomes.items():
            if text:
                text.append("   ")
            marker = "▶ " if rating == suggested else ""
            style = "bold reverse" if rating == suggested else ""
            text.append(
                f"{marker}{int(rating)} {rating_label(rating)} {format_interval(outcome.interval)}", style=style
            )
        self.update(text)
