"""When a study day starts and ends: the one home of that arithmetic.

A study day starts at ``hour`` o'clock local time (04:00 by default, as in
Anki), so a review at 02:00 belongs to the day before. Times given and
returned are timezone-aware UTC; the local zone is ``tz`` (None: the
machine's). Days are computed by wall clock, so a day that contains a DST
change is 23 or 25 hours long. Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from quizapp.domain import DEFAULT_DAY_START_HOUR


def day_start(now: datetime, hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> datetime:
    """Start (UTC) of the study day containing ``now``."""
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    # Re-localise: the UTC offset may differ across a DST change.
    naive = start.replace(tzinfo=None)
    start = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return start.astimezone(UTC)


def next_day_start(now: datetime, hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> datetime:
    """Start (UTC) of the study day after the one containing ``now``."""
    return day_start(day_start(now, hour, tz) + timedelta(hours=26), hour, tz)


@dataclass(frozen=True)
class StudyDays:
    """A learner's days: they start at ``hour`` o'clock in ``tz`` (None: the
    machine's local zone)."""

    tz: tzinfo | None = None
    hour: int = DEFAULT_DAY_START_HOUR

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """(start, end) in UTC of the study day containing ``now``."""
        return day_start(now, self.hour, self.tz), next_day_start(now, self.hour, self.tz)

    def local(self, t: datetime) -> datetime:
        return t.astimezone(self.tz) if self.tz is not None else t.astimezone()

    def day_of(self, t: datetime) -> date:
        """The study day a UTC-aware moment belongs to."""
        return (self.local(t).replace(tzinfo=None) - timedelta(hours=self.hour)).date()

    def start_of(self, day: date) -> datetime:
        """When study day ``day`` starts, in UTC."""
        naive = datetime.combine(day, time(self.hour))
        aware = naive.replace(tzinfo=self.tz) if self.tz is not None else naive.astimezone()
        return aware.astimezone(UTC)

    def offset_s(self, t: datetime) -> int:
        """The UTC offset of the local zone at ``t``, in seconds."""
        offset = self.local(t).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def offset_segments(self, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        """[(from, offset seconds)] covering [start, end]: each offset holds from
        its moment until the next one's. Offsets are sampled every 12 hours and
        each change is then found to the second by bisection."""
        step = 12 * 3600
        lo = math.floor(start.timestamp())
        stop = math.ceil(end.timestamp())
        current = self._offset_at(lo)
        segments = [(_from_ts(lo), current)]
        while lo < stop:
            hi = min(lo + step, stop)
            offset = self._offset_at(hi)
            if offset != current:
                a, b = lo, hi  # offset(a) == current, offset(b) != current
                while b - a > 1:
                    mid = (a + b) // 2
                    if self._offset_at(mid) == current:
                        a = mid
                    else:
                        b = mid
                current = self._offset_at(b)
                segments.append((_from_ts(b), current))
                lo = b
            else:
                lo = hi
        return segments

    def tz_name(self) -> str:
        if self.tz is None:
            return datetime.now().astimezone().tzname() or "local"
        return str(getattr(self.tz, "key", None) or self.tz)

    def _offset_at(self, ts: int) -> int:
        return self.offset_s(_from_ts(ts))


def _from_ts(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
