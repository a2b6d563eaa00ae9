"""What the exporters take: any object shaped like quizapp.service.CardView."""

from __future__ import annotations

from typing import Protocol


class CardLike(Protocol):
    id: str
    deck: str
    kind: str
    front: str
    back: str
    data: dict
    tags: tuple[str, ...]
