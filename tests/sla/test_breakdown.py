"""SLA compliance per priority, team member, client and creation period against plain SQL
over the raw tables (tickets, first replies, type hours, the default policy's targets
written out here, not read from `ticket_sla` or `sla_policies`), on the reference data with
the edge cases; rows add up to the SLA block; JSON and CSV over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from support_analytics.analytics.tickets_over_time import Grain
from support_analytics.filters import TicketFilters
from support_analytics.sla import breakdown, state
from tests.analytics.edge_fixtures import edge_fixtures
from tests.analytics.oracle import Conn
from tests.fixtures.auth import ApiClientFactory
from tests.sla.test_state import MORE_EDGES

# The SLA definitions (docs/sla.md) and the default policy, from the raw tables.
ORACLE = """
WITH f AS (
  SELECT t.id, t.priority, t.assigned_to, t.client_id, t.created_at,
         coalesce(t.status IN ('open', 'in_progress'), false) AS open,
         CASE WHEN t.status IN ('open', 'in_progress') THEN NULL ELSE t.resolved_at END AS resolved,
         y.avg_resolution_hours AS type_hours,
         (SELECT min(m.created_at) FROM ticket_messages m
          WHERE m.ticket_id = t.id AND m.from_client IS FALSE) AS first_reply
  FROM tickets t LEFT JOIN ticket_types y ON y.id = t.ticket_type_id
), g AS (
  SELECT f.*, 'first_response' AS target,
         f.created_at + CASE f.priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 4
           WHEN 'medium' THEN 8 WHEN 'low' THEN 24 END * interval '1 hour' AS due,
         coalesce(f.first_reply, f.resolved) AS done,
         f.first_reply IS NULL AND f.open AS running
  FROM f
  UNION ALL
  SELECT f.*, 'resolution', f.created_at + f.type_hours * interval '1 hour', f.resolved, f.open
  FROM f
)
SELECT {key} AS key, target,
       count(*) FILTER (WHERE done IS NOT NULL AND (due IS NULL OR done <= due)),
       count(*) FILTER (WHERE (done IS NOT NULL AND done > due)
                          OR (done IS NULL AND running AND due < %(as_of)s)),
       count(*)
FROM g GROUP BY 1, 2
"""
KEYS = {
    "priority": "coalesce(priority, '')",
    "team_member": "coalesce(assigned_to::text, '')",
    "client": "client_id::text",
    "period": "to_char(date_trunc(%(grain)s, created_at AT TIME ZONE %(tz)s), %(format)s)",
}
FORMATS = {"day": "YYYY-MM-DD", "week": "YYYY-MM-DD", "month": "YYYY-MM"}


database, session, conn = edge_fixtures(MORE_EDGES)


def _oracle(
    conn: Conn, by: breakdown.By, as_of: datetime, tz: str, grain: Grain
) -> dict[str, tuple[int, ...]]:
    sql = ORACLE.format(key=KEYS[by])
    params = {"as_of": as_of, "tz": tz, "grain": grain, "format": FORMATS[grain]}
    out: dict[str, list[int]] = {}
    for key, target, met, breached, total in conn.execute(sql.encode(), params):
        row = out.setdefault(str(key), [0] * 6)
        offset = 0 if target == "first_response" else 3
        row[offset : offset + 3] = [int(str(met)), int(str(breached)), int(str(total))]
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize(
    ("by", "zone", "grain"),
    [
        ("priority", "UTC", "month"),
        ("team_member", "UTC", "month"),
        ("client", "UTC", "month"),
        ("period", "UTC", "month"),
        ("period", "Europe/Berlin", "week"),
        ("period", "America/New_York", "day"),
    ],
)
def test_rows_equal_plain_sql(
    session: Session, conn: Conn, by: breakdown.By, zone: str, grain: Grain
) -> None:
    as_of = datetime.now(UTC)
    result = breakdown.breakdown(
        session, TicketFilters(), ZoneInfo(zone), by=by, grain=grain, as_of=as_of
    )
    got = {
        row.key: (
            row.first_response_met,
            row.first_response_breached,
            row.first_response_met + row.first_response_breached + row.first_response_pending,
            row.resolution_met,
            row.resolution_breached,
            row.resolution_met + row.resolution_breached + row.resolution_pending,
        )
        for row in result.rows
    }
    assert got == _oracle(conn, by, as_of, zone, grain)
    assert len(got) > 1
    block = state.sla_block(session, TicketFilters(), ZoneInfo(zone), as_of=as_of)
    assert sum(r.resolution_breached for r in result.rows) == block.resolution.breached
    assert sum(r.first_response_met for r in result.rows) == block.first_response.met
    for row in result.rows:
        met, breached = row.resolution_met, row.resolution_breached
        if met + breached:
            assert row.resolution_compliance_pct == pytest.approx(100 * met / (met + breached))
    session.rollback()


def test_labels_and_order(session: Session) -> None:
    by_priority = breakdown.breakdown(session, TicketFilters(), ZoneInfo("UTC"), by="priority")
    keys = [row.key for row in by_priority.rows]
    assert keys[:4] == ["urgent", "high", "medium", "low"]
    members = breakdown.breakdown(session, TicketFilters(), ZoneInfo("UTC"), by="team_member")
    named = [row.label for row in members.rows if row.key]
    assert named == sorted(named, key=str.lower)
    assert all(" " in label for label in named)  # "Sarah Jones", not "sarah_jones"
    session.rollback()


def test_the_api_serves_the_rows_as_json_and_csv(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    body = agent.get("/api/v1/analytics/sla/breakdown?by=priority&priority=any_of:high,low").json()
    assert [row["key"] for row in body["rows"]] == ["high", "low"]
    assert body["recomputing"] is None
    block = agent.get("/api/v1/analytics/sla?priority=any_of:high,low").json()
    assert sum(r["resolution_met"] for r in body["rows"]) == block["resolution"]["met"]
    response = agent.get("/api/v1/analytics/sla/breakdown?by=client&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    as_json = agent.get("/api/v1/analytics/sla/breakdown?by=client").json()["rows"]
    assert len(rows) == len(as_json)
    assert rows[0]["label"] == as_json[0]["label"]
    bad = agent.get("/api/v1/analytics/sla/breakdown?by=colour")
    assert bad.status_code == 422
    assert "by" in bad.text
    assert api_client_factory("client_a").get("/api/v1/analytics/sla").status_code == 403
