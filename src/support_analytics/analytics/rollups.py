"""Pre-aggregated tables the widgets read instead of scanning tickets (filled in below)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session


def usable(session: Session, tz: ZoneInfo) -> bool:
    """Whether the rollups exist and were built for `tz` (else widgets read raw tables)."""
    return False
