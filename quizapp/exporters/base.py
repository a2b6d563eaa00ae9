"""What the exporters take: any object shaped like quizapp.service.CardView."""

from __future__ import annotations

from typing import Any, Protocol


class CardLike(Protocol):
    """A card to export. Read-only, so frozen dataclasses (CardView) fit."""

    @property
    def id(self) -> str: ...
    @property
    def deck(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def front(self) -> str: ...
    @property
    def back(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
