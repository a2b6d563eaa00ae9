"""Why an Anki package can't be read: the exceptions the format code raises,
each carrying its one-line reason, which the importer reports."""

from __future__ import annotations

__all__ = ["Damaged", "Refused", "first_line"]


class Refused(Exception):
    """The package can't be read; the message is the one-line reason."""


class Damaged(Refused):
    """Compressed data that doesn't decompress."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type when it has none), cut to 200 characters."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
