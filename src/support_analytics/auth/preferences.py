"""A user's own settings: the timezone dates are shown to them in, and (for client users)
whether an agent's reply or a resolution of their ticket is mailed to them.

Stored in `user_preferences` (migration 0013), one row per user who changed something; no row
means the defaults. Read and written inside the caller's request transaction: RLS lets a
user see and change only their own row. The worker reads them as the owner
(`for_user_as_owner`) before it renders anything under the recipient's role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.errors import InvalidInput


@dataclass(frozen=True)
class Preferences:
    timezone: str | None  # None: the reporting timezone
    notify_ticket_replies: bool
    notify_ticket_resolved: bool

    def zone(self, reporting_timezone: str) -> ZoneInfo:
        return user_zone(self.timezone, reporting_timezone)

    def unloadable(self) -> bool:
        """A zone is stored that this server cannot load (the settings page says so)."""
        return self.timezone is not None and loadable(self.timezone) is None


def loadable(name: str) -> ZoneInfo | None:
    """`name`'s zone, or None when this server's tzdata cannot load it: a stored zone may
    have been written by an older release, or removed from tzdata since."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def user_zone(name: str | None, reporting_timezone: str) -> ZoneInfo:
    """The zone a user reads times in: their own, else (none set, or one this server cannot
    load) the reporting timezone, which the settings validate at start-up. Pages, mail and
    digests all take it from here, so a stale zone never fails a request or a job."""
    own = loadable(name) if name else None
    return own or ZoneInfo(reporting_timezone)


DEFAULTS = Preferences(timezone=None, notify_ticket_replies=True, notify_ticket_resolved=True)

_SELECT = (
    "SELECT timezone, notify_ticket_replies, notify_ticket_resolved FROM user_preferences"
    " WHERE user_id = :id"
)


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone this Python knows, sorted (the account page's list)."""
    return tuple(sorted(available_timezones()))


def clean_timezone(name: str | None) -> str | None:
    """An IANA zone name, or None (empty) for the reporting timezone; InvalidInput naming
    `timezone` otherwise."""
    if name is None or not name.strip():
        return None
    cleaned = name.strip()
    if cleaned not in timezone_names():
        raise InvalidInput(
            "timezone: not a known IANA timezone (for example Europe/Berlin)", field="timezone"
        )
    return cleaned


def get(session: Session, user_id: int) -> Preferences:
    row = session.execute(text(_SELECT), {"id": user_id}).first()
    if row is None:
        return DEFAULTS
    return Preferences(
        timezone=row.timezone,
        notify_ticket_replies=bool(row.notify_ticket_replies),
        notify_ticket_resolved=bool(row.notify_ticket_resolved),
    )


def update(
    session: Session,
    user_id: int,
    *,
    timezone: str | None = None,
    clear_timezone: bool = False,
    notify_ticket_replies: bool | None = None,
    notify_ticket_resolved: bool | None = None,
) -> Preferences:
    """Change what is given (a None leaves a value as it is; `clear_timezone` goes back to
    the reporting timezone)."""
    current = get(session, user_id)
    zone = None if clear_timezone else (clean_timezone(timezone) or current.timezone)
    new = Preferences(
        timezone=zone,
        notify_ticket_replies=current.notify_ticket_replies
        if notify_ticket_replies is None
        else notify_ticket_replies,
        notify_ticket_resolved=current.notify_ticket_resolved
        if notify_ticket_resolved is None
        else notify_ticket_resolved,
    )
    session.execute(
        text(
            "INSERT INTO user_preferences AS p (user_id, timezone, notify_ticket_replies,"
            " notify_ticket_resolved) VALUES (:id, :tz, :replies, :resolved)"
            " ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone,"
            " notify_ticket_replies = excluded.notify_ticket_replies,"
            " notify_ticket_resolved = excluded.notify_ticket_resolved, updated_at = now()"
        ),
        {
            "id": user_id,
            "tz": new.timezone,
            "replies": new.notify_ticket_replies,
            "resolved": new.notify_ticket_resolved,
        },
    )
    return new
