"""The warnings of one package read: notes skipped, names neutralised,
each said once where it would repeat, all naming the package."""

from __future__ import annotations

from quizapp.importers.base import Problem


class Warnings:
    """Collects the Problems that did not stop the import."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self._said: set[str] = set()

    def warn(self, message: str, *, once: str | None = None) -> None:
        """Add ``message``; with ``once``, only the first message under that key."""
        if once is not None:
            if once in self._said:
                return
            self._said.add(once)
        self.problems.append(Problem(self.file, None, message))
