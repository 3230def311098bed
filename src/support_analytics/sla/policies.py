"""The SLA policy and the business calendar: read and written in the request's RLS-scoped
transaction (internal users read, admins write: the database's policies decide). Writes
mark the SLAs dirty (triggers of migration 0009_sla); a deferred trigger rebuilds the
calendar's boundary rows and every ticket's SLA once, at commit, set-based."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.sla.schemas import (
    CalendarModel,
    CalendarPatch,
    Holiday,
    Interval,
    Policies,
    PolicyRow,
    PolicyRule,
)

# The calendar the API edits; the schema allows more (each policy row names one).
DEFAULT_CALENDAR_ID = 1

_RULE_COLUMNS = (
    "priority, ticket_type_id, plan, first_response_hours, first_response_basis,"
    " resolution_hours, resolution_basis"
)


def policies(session: Session) -> Policies:
    rows = session.execute(
        text(
            f"SELECT id, {_RULE_COLUMNS} FROM sla_policies"
            " ORDER BY ticket_type_id NULLS FIRST, plan NULLS FIRST,"
            " array_position(ARRAY['urgent', 'high', 'medium', 'low'], priority::text)"
            " NULLS LAST, id"
        )
    ).all()
    return Policies(
        rules=[
            PolicyRow(
                id=r[0],
                priority=r[1],
                ticket_type_id=r[2],
                plan=r[3],
                first_response_hours=r[4],
                first_response_basis=r[5],
                resolution_hours=r[6],
                resolution_basis=r[7],
            )
            for r in rows
        ]
    )


def _rule_params(rule: PolicyRule) -> dict[str, object]:
    return {**rule.model_dump(), "calendar": DEFAULT_CALENDAR_ID}


_INSERT = text(
    f"INSERT INTO sla_policies ({_RULE_COLUMNS}, calendar_id) VALUES (:priority,"
    " :ticket_type_id, :plan, :first_response_hours, :first_response_basis,"
    " :resolution_hours, :resolution_basis, :calendar)"
)


def replace_policies(session: Session, rules: list[PolicyRule]) -> Policies:
    session.execute(text("DELETE FROM sla_policies"))
    for rule in rules:
        session.execute(_INSERT, _rule_params(rule))
    return policies(session)


def upsert_policies(session: Session, rules: list[PolicyRule]) -> Policies:
    """Each rule replaces the one with the same (priority, ticket type, plan), or is added."""
    for rule in rules:
        session.execute(
            text(
                "DELETE FROM sla_policies WHERE priority IS NOT DISTINCT FROM :priority"
                " AND ticket_type_id IS NOT DISTINCT FROM :ticket_type_id"
                " AND plan IS NOT DISTINCT FROM :plan"
            ),
            _rule_params(rule),
        )
        session.execute(_INSERT, _rule_params(rule))
    return policies(session)


def calendar(session: Session) -> CalendarModel:
    zone = session.execute(
        text("SELECT timezone FROM business_calendars WHERE id = :id"), {"id": DEFAULT_CALENDAR_ID}
    ).scalar_one()
    hours: dict[str, list[Interval]] = {}
    for weekday, start, end in session.execute(
        text(
            # As text: Python's time has no 24:00.
            "SELECT weekday, left(start_time::text, 5), left(end_time::text, 5)"
            " FROM business_hours WHERE calendar_id = :id ORDER BY weekday, start_time, end_time"
        ),
        {"id": DEFAULT_CALENDAR_ID},
    ):
        hours.setdefault(str(weekday), []).append(Interval(start=start, end=end))
    holidays = [
        Holiday(day=r[0], name=r[1])
        for r in session.execute(
            text("SELECT day, name FROM business_holidays WHERE calendar_id = :id ORDER BY day"),
            {"id": DEFAULT_CALENDAR_ID},
        )
    ]
    # The zone is not validated again: it is the one the database computes with, shown as
    # stored even when this server's tzdata cannot load it (an older release wrote it, or
    # tzdata dropped it); the admin page says so where the zone is picked.
    stored = CalendarModel.model_validate({"timezone": "UTC", "hours": hours, "holidays": holidays})
    return stored.model_copy(update={"timezone": zone})


def write_calendar(session: Session, patch: CalendarPatch) -> CalendarModel:
    """Replaces what the patch names (timezone, the whole week's hours, the holidays)."""
    params = {"id": DEFAULT_CALENDAR_ID}
    if patch.timezone is not None:
        session.execute(
            text(
                "UPDATE business_calendars SET timezone = :zone, updated_at = now() WHERE id = :id"
            ),
            {**params, "zone": patch.timezone},
        )
    if patch.hours is not None:
        session.execute(text("DELETE FROM business_hours WHERE calendar_id = :id"), params)
        for weekday, intervals in patch.hours.items():
            for interval in intervals:
                session.execute(
                    text(
                        "INSERT INTO business_hours (calendar_id, weekday, start_time, end_time)"
                        " VALUES (:id, :weekday, CAST(:start AS time), CAST(:end AS time))"
                    ),
                    {
                        **params,
                        "weekday": int(weekday),
                        "start": interval.start,
                        "end": interval.end,
                    },
                )
    if patch.holidays is not None:
        session.execute(text("DELETE FROM business_holidays WHERE calendar_id = :id"), params)
        for holiday in patch.holidays:
            session.execute(
                text(
                    "INSERT INTO business_holidays (calendar_id, day, name)"
                    " VALUES (:id, :day, :name) ON CONFLICT (calendar_id, day) DO UPDATE"
                    " SET name = excluded.name"
                ),
                {**params, "day": holiday.day, "name": holiday.name},
            )
    return calendar(session)
