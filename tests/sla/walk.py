"""The independent oracle for business time: a brute-force walk over UTC minutes.

An instant is business time when its local date (in the calendar's zone) is not a holiday and
its local time of day falls in one of its local weekday's `[start, end)` intervals. Interval
edges are whole local minutes and every zone used has whole-minute offsets, so the answer is
the same for every second of a UTC minute: the walk decides per minute and counts the part of
each minute inside the span, in microseconds, exactly."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTE = timedelta(minutes=1)
MICROS = 1_000_000


@dataclass(frozen=True)
class WalkCalendar:
    timezone: str
    # ISO weekday (1 = Monday) -> intervals in minutes of the day, end may be 1440.
    hours: Mapping[int, Sequence[tuple[int, int]]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_business(self, instant: datetime) -> bool:
        local = instant.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.hours.get(local.isoweekday(), ()))


def _pieces(calendar: WalkCalendar, start: datetime) -> Iterator[tuple[datetime, datetime, bool]]:
    """(from, to, business) for consecutive pieces from `start`: the rest of its minute, then
    whole minutes."""
    floor = start.replace(second=0, microsecond=0)
    current = start
    minute_end = floor + MINUTE
    while True:
        yield current, minute_end, calendar.is_business(floor)
        floor, current, minute_end = minute_end, minute_end, minute_end + MINUTE


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds


def business_micros(calendar: WalkCalendar, start: datetime, end: datetime) -> int:
    total = 0
    for piece_from, piece_to, business in _pieces(calendar, start.astimezone(UTC)):
        if piece_from >= end:
            return total
        if business:
            total += _micros(min(piece_to, end) - piece_from)
    raise AssertionError("unreachable")


def due(calendar: WalkCalendar, start: datetime, micros: int) -> datetime:
    """The earliest instant by which `micros` business microseconds have passed."""
    if micros <= 0:
        return start
    passed = 0
    for piece_from, piece_to, business in _pieces(calendar, start.astimezone(UTC)):
        if business:
            length = _micros(piece_to - piece_from)
            if passed + length >= micros:
                return piece_from + timedelta(microseconds=micros - passed)
            passed += length
    raise AssertionError("unreachable")
