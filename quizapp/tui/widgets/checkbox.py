"""A checkbox whose state reads without colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class MarkedCheckbox(Checkbox):
    """Textual's Checkbox shows an X in both states and tells them apart by
    colour alone, so under NO_COLOR "on" and "off" look the same. This one
    shows ▐X▌ when on and ▐ ▌ when off."""

    def on_mount(self) -> None:
        self._mark()

    def watch_value(self) -> None:
        self._mark()
        super().watch_value()

    def _mark(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        self.refresh(layout=False)
