"""When a digest is due and which days it covers: pure functions of a subscription, the
recipient's timezone and the moment the scheduler runs.

A slot is the subscription's local hour (weekly: on its ISO weekday) in the recipient's
timezone. The scheduler runs every quarter hour (zones with half- and quarter-hour offsets
exist); a slot is due from its moment for `CATCH_UP`, so a worker that was down a few hours
still sends it, and one down longer skips to the next slot instead of mailing stale news.
A daily digest covers the day before the slot's day, a weekly one the seven days before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Frequency = Literal["daily", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly")
CATCH_UP = timedelta(hours=6)
SCHEDULER_CRON = "*/15 * * * *"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def date_filter(self) -> str:
        """The dashboard's date filter for these days."""
        if self.start == self.end:
            return f"on:{self.start.isoformat()}"
        return f"between:{self.start.isoformat()},{self.end.isoformat()}"


def period_for(frequency: Frequency, slot_day: date) -> Period:
    days = 1 if frequency == "daily" else 7
    return Period(start=slot_day - timedelta(days=days), end=slot_day - timedelta(days=1))


def latest_slot(
    frequency: Frequency, local_hour: int, weekday: int, zone: ZoneInfo, now: datetime
) -> datetime:
    """The most recent slot at or before `now` (aware), as an aware local datetime."""
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(8):
        # fold=0 and ZoneInfo resolve a skipped or repeated local hour (DST) the usual way.
        slot = datetime.combine(day, time(local_hour), zone)
        if slot <= local and (frequency == "daily" or day.isoweekday() == weekday):
            return slot
        day -= timedelta(days=1)
    raise AssertionError("a slot exists within eight days")


def due_period(
    frequency: Frequency, local_hour: int, weekday: int, zone: ZoneInfo, now: datetime
) -> Period | None:
    """The period to send now, or None when the latest slot is older than `CATCH_UP`."""
    slot = latest_slot(frequency, local_hour, weekday, zone, now)
    if now - slot >= CATCH_UP:
        return None
    return period_for(frequency, slot.date())
