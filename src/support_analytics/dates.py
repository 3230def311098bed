"""How a day, a month and a moment read on screen: one format on every page (server-rendered
text, chart labels and tooltips, the filter sentence). `14 Mar 2025` is unambiguous in every
English-speaking locale, where `03/14/2025` and `14/03/2025` are not; ISO 8601 stays for what
machines read: the address, date inputs, `<time datetime>`, JSON and CSV."""

from __future__ import annotations

from datetime import date, datetime


def day_text(value: date) -> str:
    """2025-03-14 -> `14 Mar 2025`."""
    return f"{value.day} {value:%b %Y}"


def month_text(value: date) -> str:
    """Any day of March 2025 -> `Mar 2025`."""
    return f"{value:%b %Y}"


def moment_text(value: datetime) -> str:
    """A moment already in the zone it is shown in, to the minute, zone named:
    `14 Mar 2025 09:30 UTC`."""
    return f"{day_text(value)} {value:%H:%M} {value.tzname() or ''}".rstrip()
