"""How a collection's columns encode what both directions read and write:
fields joined by a separator, deck names, and review intervals.

The rest of the collection's layout (tables, JSON and protobuf configs) is
in the reader (importers/apkg/) and the writer (exporters/apkg/): each
knows the schema it handles (11 and 18 read, 11 written).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_DECK",
    "FIELD_SEPARATOR",
    "MAX_INTERVAL_DAYS",
    "SCHEMA18_DECK_SEPARATOR",
    "deck_name",
    "interval_days",
    "interval_in_range",
    "revlog_interval",
]

#: Between the fields of ``notes.flds``.
FIELD_SEPARATOR = "\x1f"
#: Between the levels of a deck name in schema 18's ``decks.name`` ("::" in schema 11's JSON).
SCHEMA18_DECK_SEPARATOR = "\x1f"
#: The deck every collection has, and where cards without one go.
DEFAULT_DECK = "Default"


def deck_name(name: object) -> str:
    """A deck name with its levels trimmed and empty levels dropped ("Default" if none is left)."""
    parts = (p.strip() for p in str(name or "").split("::"))
    return "::".join(p for p in parts if p) or DEFAULT_DECK


#: The longest interval Anki gives (its "maximum interval": 100 years).
MAX_INTERVAL_DAYS = 36500


def _whole(interval: object) -> int | None:
    """``interval`` as an int, or None when it is no finite number."""
    try:
        value: int = int(interval or 0)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):  # text, NaN, infinity
        return None
    return value


def interval_days(interval: int | float | str | None) -> float:
    """A ``revlog`` interval in days: Anki writes positive days, or negative
    seconds. Kept within 0..MAX_INTERVAL_DAYS (0 for what is no number)."""
    value = _whole(interval)
    if value is None:
        return 0.0
    days = float(value) if value >= 0 else -value / 86400
    return min(days, float(MAX_INTERVAL_DAYS))


def interval_in_range(interval: int | float | str | None) -> bool:
    """True if ``interval`` is a number that interval_days keeps as it is."""
    value = _whole(interval)
    return value is not None and -MAX_INTERVAL_DAYS * 86400 <= value <= MAX_INTERVAL_DAYS


def revlog_interval(days: float) -> int:
    """The ``revlog`` interval for ``days``: whole days, or negative seconds under a day."""
    days = float(days or 0)
    return max(round(days), 1) if days >= 1 else -round(days * 86400)
