"""The SLA policy and the business calendar: read and written in the request's RLS-scoped
transaction (internal users read, admins write: the database's policies decide). Writes
mark the SLAs dirty (triggers of migration 0009_sla); a deferred trigger rebuilds the
calendar's boundary rows and every ticket's SLA once, at commit, set-based."""

from __future__ import annotations

from sqlalchemy import (
    Text,
    Time,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from support_analytics.db.tables import (
    business_calendars,
    business_holidays,
    business_hours,
    sla_policies,
)
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

_p = sla_policies.c
_cal = business_calendars.c
_hours = business_hours.c
_holidays = business_holidays.c
# The most general rules first, then by priority from the most urgent.
_URGENCY = literal(["urgent", "high", "medium", "low"], ARRAY(Text))


def policies(session: Session) -> Policies:
    rows = session.execute(
        select(
            _p.id,
            _p.priority,
            _p.ticket_type_id,
            _p.plan,
            _p.first_response_hours,
            _p.first_response_basis,
            _p.resolution_hours,
            _p.resolution_basis,
        ).order_by(
            _p.ticket_type_id.nulls_first(),
            _p.plan.nulls_first(),
            func.array_position(_URGENCY, cast(_p.priority, Text)).nulls_last(),
            _p.id,
        )
    )
    return Policies(rules=[PolicyRow.model_validate(row._asdict()) for row in rows])


# `inline()`: a plain INSERT, without the RETURNING of the new id a Core insert would add.
_ADD_RULE = insert(sla_policies).inline()


def _add(session: Session, rule: PolicyRule) -> None:
    session.execute(_ADD_RULE, {**rule.model_dump(), "calendar_id": DEFAULT_CALENDAR_ID})


def replace_policies(session: Session, rules: list[PolicyRule]) -> Policies:
    session.execute(delete(sla_policies))
    for rule in rules:
        _add(session, rule)
    return policies(session)


def upsert_policies(session: Session, rules: list[PolicyRule]) -> Policies:
    """Each rule replaces the one with the same (priority, ticket type, plan), or is added."""
    for rule in rules:
        session.execute(
            delete(sla_policies).where(
                _p.priority.is_not_distinct_from(rule.priority),
                _p.ticket_type_id.is_not_distinct_from(rule.ticket_type_id),
                _p.plan.is_not_distinct_from(rule.plan),
            )
        )
        _add(session, rule)
    return policies(session)


def calendar(session: Session) -> CalendarModel:
    zone = session.execute(select(_cal.timezone).where(_cal.id == DEFAULT_CALENDAR_ID)).scalar_one()
    hours: dict[str, list[Interval]] = {}
    for weekday, start, end in session.execute(
        select(
            _hours.weekday,
            # As text: Python's time has no 24:00.
            type_coerce(func.left(cast(_hours.start_time, Text), 5), Text),
            type_coerce(func.left(cast(_hours.end_time, Text), 5), Text),
        )
        .where(_hours.calendar_id == DEFAULT_CALENDAR_ID)
        .order_by(_hours.weekday, _hours.start_time, _hours.end_time)
    ):
        hours.setdefault(str(weekday), []).append(Interval(start=start, end=end))
    holidays = [
        Holiday(day=day, name=name)
        for day, name in session.execute(
            select(_holidays.day, _holidays.name)
            .where(_holidays.calendar_id == DEFAULT_CALENDAR_ID)
            .order_by(_holidays.day)
        )
    ]
    # The zone is not validated again: it is the one the database computes with, shown as
    # stored even when this server's tzdata cannot load it (an older release wrote it, or
    # tzdata dropped it); the admin page says so where the zone is picked.
    stored = CalendarModel.model_validate({"timezone": "UTC", "hours": hours, "holidays": holidays})
    return stored.model_copy(update={"timezone": zone})


_ADD_HOURS = (
    insert(business_hours)
    .inline()
    .values(
        calendar_id=DEFAULT_CALENDAR_ID,
        weekday=bindparam("weekday"),
        # As text, cast by the server: Python's time has no 24:00.
        start_time=cast(bindparam("start", type_=Text), Time),
        end_time=cast(bindparam("end", type_=Text), Time),
    )
)


def write_calendar(session: Session, patch: CalendarPatch) -> CalendarModel:
    """Replaces what the patch names (timezone, the whole week's hours, the holidays)."""
    if patch.timezone is not None:
        session.execute(
            update(business_calendars)
            .where(_cal.id == DEFAULT_CALENDAR_ID)
            .values(timezone=patch.timezone, updated_at=func.now())
        )
    if patch.hours is not None:
        session.execute(delete(business_hours).where(_hours.calendar_id == DEFAULT_CALENDAR_ID))
        for weekday, intervals in patch.hours.items():
            for interval in intervals:
                session.execute(
                    _ADD_HOURS,
                    {"weekday": int(weekday), "start": interval.start, "end": interval.end},
                )
    if patch.holidays is not None:
        session.execute(
            delete(business_holidays).where(_holidays.calendar_id == DEFAULT_CALENDAR_ID)
        )
        for holiday in patch.holidays:
            add = pg_insert(business_holidays).values(
                calendar_id=DEFAULT_CALENDAR_ID, day=holiday.day, name=holiday.name
            )
            session.execute(
                add.on_conflict_do_update(
                    index_elements=[_holidays.calendar_id, _holidays.day],
                    set_={"name": add.excluded.name},
                )
            )
    return calendar(session)
