"""Filters as SQL on a real database: NULL semantics of negative operators, `unassigned`,
and creation days in the reporting timezone."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses

UTC = ZoneInfo("UTC")


@pytest.fixture
def session(fresh_database: str) -> Iterator[Session]:
    engine = create_engine(fresh_database)
    with Session(engine) as session:
        session.execute(text("UPDATE tickets SET assigned_to = NULL WHERE id <= 10"))
        session.execute(text("UPDATE tickets SET priority = NULL WHERE id BETWEEN 5 AND 14"))
        yield session
        session.rollback()
    engine.dispose()


def count(session: Session, tz: ZoneInfo = UTC, **params: str) -> int:
    filters = TicketFilters.from_query(params)
    stmt = select(func.count()).select_from(tickets).where(*ticket_clauses(filters, tz))
    return int(session.execute(stmt).scalar_one())


def raw(session: Session, where: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM tickets WHERE {where}")).scalar_one())


def test_negative_operators_keep_nulls(session: Session) -> None:
    everyone = raw(session, "true")
    assert count(session, team_member="is:unassigned") == 10
    assert count(session, team_member="is_not:3") == everyone - raw(session, "assigned_to = 3")
    assert count(session, team_member="none_of:3,4") == raw(
        session, "assigned_to IS NULL OR assigned_to NOT IN (3, 4)"
    )
    assert count(session, team_member="none_of:3,unassigned") == raw(
        session, "assigned_to IS NOT NULL AND assigned_to <> 3"
    )
    assert count(session, team_member="any_of:3,unassigned") == raw(
        session, "assigned_to IS NULL OR assigned_to = 3"
    )
    assert count(session, priority="is_not:low") == raw(
        session, "priority IS NULL OR priority <> 'low'"
    )
    assert count(session, priority="any_of:low,high") == raw(session, "priority IN ('low', 'high')")


def test_days_are_calendar_days_in_the_reporting_zone(session: Session) -> None:
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        tz = ZoneInfo(zone)
        want = raw(session, f"(created_at AT TIME ZONE '{zone}')::date = '2025-03-09'")
        assert count(session, tz, date="on:2025-03-09") == want
        want = raw(
            session,
            f"(created_at AT TIME ZONE '{zone}')::date BETWEEN '2025-03-01' AND '2025-04-02'",
        )
        assert count(session, tz, date="between:2025-03-01,2025-04-02") == want
        want = raw(session, f"(created_at AT TIME ZONE '{zone}')::date <= '2025-02-10'")
        assert count(session, tz, date="on_or_before:2025-02-10") == want


def test_client_and_plan(session: Session) -> None:
    session.execute(text("UPDATE clients SET plan_type = NULL WHERE id = 2"))
    everyone = raw(session, "true")
    assert count(session, client="is:3") == raw(session, "client_id = 3") > 0
    assert count(session, client="is_not:3") == everyone - raw(session, "client_id = 3")
    assert count(session, client="any_of:1,2,3") == raw(session, "client_id IN (1, 2, 3)")
    assert count(session, client="none_of:1,2") == raw(session, "client_id NOT IN (1, 2)")
    for plan in ("starter", "professional", "enterprise"):
        on_plan = f"client_id IN (SELECT id FROM clients WHERE plan_type = '{plan}')"
        assert count(session, plan=f"is:{plan}") == raw(session, on_plan) > 0
        # A client without a plan is on none of them: negative operators keep its tickets.
        assert count(session, plan=f"is_not:{plan}") == raw(session, f"NOT ({on_plan})")
    assert count(session, plan="none_of:starter,enterprise") == raw(
        session,
        "client_id IN (SELECT id FROM clients WHERE plan_type IS NULL "
        "OR plan_type NOT IN ('starter', 'enterprise'))",
    )
    assert raw(session, "client_id = 2") > 0
    assert count(session, plan="any_of:starter,professional,enterprise") == everyone - raw(
        session, "client_id = 2"
    )
    assert count(session, client="is:3", plan="is_not:starter") == raw(
        session,
        "client_id = 3 AND client_id NOT IN (SELECT id FROM clients WHERE plan_type = 'starter')",
    )
