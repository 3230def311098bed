"""Digest subscriptions: a user's own (under their request role, RLS: only their rows), and
what the scheduler reads and claims as the owner.

A subscription stores the dashboard filters it reports on as a query string in the filter
grammar (`team_member`, `ticket_type`, `priority`; the date is the digest's own period)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from support_analytics.digests.schedule import FREQUENCIES, Frequency, Period
from support_analytics.errors import InvalidInput, NotFound
from support_analytics.filters import TicketFilters

FILTER_KEYS = ("team_member", "ticket_type", "priority")
QUERY_MAX = 2000
SEND_TASK = "digests.send"
SEND_QUEUE = "mail"


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: int
    frequency: Frequency
    local_hour: int
    weekday: int
    query: str

    def filters(self, period: Period | None = None) -> TicketFilters:
        """The stored filters, over `period` when given."""
        return parse_filters(self.query, period)


_COLUMNS = "id, user_id, frequency, local_hour, weekday, query"


def _frequency(value: object) -> Frequency:
    for frequency in FREQUENCIES:
        if value == frequency:
            return frequency
    raise InvalidInput(f"frequency: one of {', '.join(FREQUENCIES)}", field="frequency")


def _of(row: RowMapping) -> Subscription:
    return Subscription(
        id=int(row["id"]),
        user_id=int(row["user_id"]),
        frequency=_frequency(row["frequency"]),
        local_hour=int(row["local_hour"]),
        weekday=int(row["weekday"]),
        query=str(row["query"]),
    )


def parse_filters(query: str, period: Period | None = None) -> TicketFilters:
    """The filters of a stored or submitted query string (InvalidInput naming the parameter
    when one is malformed, or `filters` for a parameter a digest does not take)."""
    if len(query) > QUERY_MAX:
        raise InvalidInput(f"filters: at most {QUERY_MAX} characters", field="filters")
    values: dict[str, str] = {}
    for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if key not in FILTER_KEYS:
            raise InvalidInput(
                f"filters: {key!r} is not a digest filter ({', '.join(FILTER_KEYS)})",
                field="filters",
            )
        values[key] = value
    return TicketFilters.parse(
        date=period.date_filter() if period is not None else None,
        team_member=values.get("team_member"),
        ticket_type=values.get("ticket_type"),
        priority=values.get("priority"),
    )


def canonical_query(query: str) -> str:
    """The query string in the grammar's fixed order (no date): what is stored."""
    return urlencode(parse_filters(query).to_params())


def list_own(session: Session, user_id: int) -> list[Subscription]:
    rows = session.execute(
        text(f"SELECT {_COLUMNS} FROM digest_subscriptions WHERE user_id = :me ORDER BY id"),
        {"me": user_id},
    ).mappings()
    return [_of(row) for row in rows]


def subscribe(
    session: Session,
    user_id: int,
    *,
    frequency: str,
    local_hour: int,
    weekday: int,
    query: str,
) -> Subscription:
    """Create or change the user's subscription of that frequency (one per frequency)."""
    chosen = _frequency(frequency)
    if not 0 <= local_hour <= 23:
        raise InvalidInput("local_hour: 0 to 23", field="local_hour")
    if not 1 <= weekday <= 7:
        raise InvalidInput("weekday: 1 (Monday) to 7 (Sunday)", field="weekday")
    row = (
        session.execute(
            text(
                "INSERT INTO digest_subscriptions (user_id, frequency, local_hour, weekday, query)"
                " VALUES (:me, :frequency, :hour, :weekday, :query)"
                " ON CONFLICT (user_id, frequency) DO UPDATE SET local_hour = excluded.local_hour,"
                f" weekday = excluded.weekday, query = excluded.query RETURNING {_COLUMNS}"
            ),
            {
                "me": user_id,
                "frequency": chosen,
                "hour": local_hour,
                "weekday": weekday,
                "query": canonical_query(query),
            },
        )
        .mappings()
        .one()
    )
    return _of(row)


def unsubscribe(session: Session, user_id: int, subscription_id: int) -> None:
    deleted = session.execute(
        text("DELETE FROM digest_subscriptions WHERE id = :id AND user_id = :me RETURNING id"),
        {"id": subscription_id, "me": user_id},
    ).first()
    if deleted is None:
        raise NotFound(f"no digest subscription {subscription_id}")


# The scheduler and the sender, as the owner.


@dataclass(frozen=True)
class Recipient:
    subscription: Subscription
    email: str
    kind: str
    timezone: str | None


def active_subscriptions(owner: Session, only: int | None = None) -> list[Recipient]:
    """Every subscription of an active user (or just subscription `only`), with what
    scheduling and mailing need."""
    rows = owner.execute(
        text(
            "SELECT s.id, s.user_id, s.frequency, s.local_hour, s.weekday, s.query, u.email,"
            " u.kind, p.timezone FROM digest_subscriptions s JOIN users u ON u.id = s.user_id"
            " LEFT JOIN user_preferences p ON p.user_id = s.user_id"
            " WHERE u.status = 'active' AND (CAST(:only AS integer) IS NULL OR s.id = :only)"
            " ORDER BY s.id"
        ),
        {"only": only},
    ).mappings()
    return [
        Recipient(
            subscription=_of(row),
            email=str(row["email"]),
            kind=str(row["kind"]),
            timezone=row["timezone"],
        )
        for row in rows
    ]


def recipient(owner: Session, subscription_id: int) -> Recipient | None:
    found = active_subscriptions(owner, only=subscription_id)
    return found[0] if found else None


def claim_and_defer(owner: Session, subscription_id: int, period: Period) -> bool:
    """Record the slot as sent and defer its sending job, in the caller's transaction. The
    primary key (subscription, period start) lets exactly one of any number of concurrent
    schedulers through: the others wait for its commit and then insert nothing."""
    claimed = owner.execute(
        text(
            "INSERT INTO digest_sends (subscription_id, period_start) VALUES (:id, :start)"
            " ON CONFLICT DO NOTHING RETURNING subscription_id"
        ),
        {"id": subscription_id, "start": period.start},
    ).first()
    if claimed is None:
        return False
    args = {
        "subscription_id": subscription_id,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    owner.execute(
        text(
            "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL,"
            " CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
        ),
        {"queue": SEND_QUEUE, "task": SEND_TASK, "args": json.dumps(args)},
    )
    return True


def remove_by_link(owner: Session, subscription_id: int) -> bool:
    """The unsubscribe link's action (its signature was checked): True if it existed."""
    return (
        owner.execute(
            text("DELETE FROM digest_subscriptions WHERE id = :id RETURNING id"),
            {"id": subscription_id},
        ).first()
        is not None
    )


def period_of(start: str, end: str) -> Period:
    return Period(start=date.fromisoformat(start), end=date.fromisoformat(end))
