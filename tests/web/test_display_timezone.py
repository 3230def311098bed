"""Every date and time a signed-in user reads on a page is in that user's own timezone (their
account setting, else the reporting timezone), with the zone named; the zone comes back with
the identity, in the statement that resolves the session. What a day, week or month *counts*
stays in the reporting timezone: the analytics numbers are the same whoever looks."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from support_analytics.db.engine import Database
from tests.fixtures.auth import CLIENT_A_ID, ApiClientFactory, Persona, TestUser

CREATED = "2025-03-14 02:30:00+00"  # 13 Mar in the Americas, 14 Mar in UTC
WRITTEN = "2025-03-14 02:45:00+00"
RESOLVED = "2025-03-16 03:10:00+00"


def _ticket(owner_database: Database, title: str) -> int:
    """A resolved ticket of client A with an agent's reply, at fixed instants (as the owner;
    a client's message would reopen it)."""
    with owner_database.engine.begin() as conn:
        ticket_id = conn.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title,"
                " created_at, resolved_at) SELECT :client, min(id), 'resolved', 'high', :title,"
                " :created, :resolved FROM ticket_types RETURNING id"
            ),
            {"client": CLIENT_A_ID, "title": title, "created": CREATED, "resolved": RESOLVED},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO ticket_messages (ticket_id, from_client, message_text, created_at)"
                " VALUES (:id, false, 'We put the fire out', :at)"
            ),
            {"id": ticket_id, "at": WRITTEN},
        )
    return int(ticket_id)


def _instants(owner_database: Database, ticket_id: int) -> list[datetime]:
    """Every instant the ticket's page shows, as the database holds them."""
    with owner_database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT created_at FROM tickets WHERE id = :id"
                " UNION ALL SELECT resolved_at FROM tickets WHERE id = :id"
                " UNION ALL SELECT created_at FROM ticket_messages WHERE ticket_id = :id"
                " UNION ALL SELECT created_at FROM ticket_events WHERE ticket_id = :id"
            ),
            {"id": ticket_id},
        ).scalars()
        return [r for r in rows if r is not None]


def _minute(instant: datetime, zone: str) -> str:
    """The instant as the user should read it, converted here, not by the app's helpers."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.day} {local.strftime('%b')} {local.year} {local:%H:%M} {local.tzname()}"


def _day(instant: datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.day} {local.strftime('%b')} {local.year}"


def _set_zone(client: TestClient, zone: str | None) -> None:
    response = client.patch("/api/v1/me/preferences", json={"timezone": zone})
    assert response.status_code == 200, response.text


def _times(html: str) -> set[str]:
    return set(re.findall(r"<time[^>]*>([^<]*)</time>", html))


def test_an_agent_reads_ticket_times_in_their_own_zone(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    ticket_id = _ticket(owner_database, "Zone check inbox")
    instants = _instants(owner_database, ticket_id)
    assert len(instants) >= 5  # created, resolved, the reply, their timeline events
    agent = api_client_factory("agent")
    _set_zone(agent, "America/New_York")

    page = agent.get(f"/tickets/{ticket_id}").text
    for instant in instants:
        assert _minute(instant, "America/New_York") in page
    assert "13 Mar 2025 22:30 EDT" in page  # CREATED, checked by hand once
    assert _minute(instants[0], "UTC") not in page
    assert "Times in America/New_York" in page

    listed = agent.get("/tickets", params={"q": f"#{ticket_id}"}).text
    assert f'<a href="/tickets/{ticket_id}">' in listed
    assert _day(instants[0], "America/New_York") in _times(listed)  # created: 13 Mar
    assert _day(instants[0], "UTC") not in _times(listed)

    # Another agent without a preference keeps the reporting timezone.
    manager = api_client_factory("manager")
    other = manager.get(f"/tickets/{ticket_id}").text
    assert _minute(instants[0], "UTC") in other
    assert "Times in UTC" in other


def test_a_client_reads_portal_times_in_their_own_zone(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    ticket_id = _ticket(owner_database, "Zone check portal")
    instants = _instants(owner_database, ticket_id)
    client = api_client_factory("client_a")
    _set_zone(client, "Pacific/Honolulu")

    page = client.get(f"/portal/tickets/{ticket_id}").text
    for instant in instants:
        assert _minute(instant, "Pacific/Honolulu") in page
    assert _minute(instants[0], "UTC") not in page
    assert "Times in Pacific/Honolulu" in page

    listed = client.get("/portal", params={"q": f"#{ticket_id}"}).text
    assert f"/portal/tickets/{ticket_id}" in listed
    assert _day(instants[0], "Pacific/Honolulu") in _times(listed)
    assert _day(instants[0], "UTC") not in _times(listed)

    # The API keeps ISO 8601 instants: the preference changes no JSON.
    body = client.get(f"/api/v1/tickets/{ticket_id}").json()
    assert datetime.fromisoformat(body["created_at"]) == instants[0]
    assert body["created_at"].endswith(("+00:00", "Z"))


def test_the_zone_comes_with_the_identity(
    api_client_factory: ApiClientFactory, owner_database: Database, auth_app: FastAPI
) -> None:
    """The statement that resolves the session returns the reader's zone too, so a page's
    times cost no read of their own; the settings page reads the preferences once (for the
    form)."""
    ticket_id = _ticket(owner_database, "Zone check reads")
    agent = api_client_factory("agent")
    _set_zone(agent, "Asia/Kolkata")
    statements: list[str] = []

    def count(
        _conn: Connection, _cursor: object, statement: str, *_args: object, **_kw: object
    ) -> None:
        statements.append(statement)

    engine = auth_app.state.request_database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = agent.get(f"/tickets/{ticket_id}")
        ticket_statements = list(statements)
        statements.clear()
        settings = agent.get("/account/settings")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    assert page.text.count(" IST<") >= 4  # several times on the page ...
    assert [s for s in ticket_statements if "user_preferences" in s] == []  # ... no read
    assert "sa_resolve_session" in ticket_statements[0]
    assert settings.status_code == 200
    assert "Times in Asia/Kolkata" in settings.text
    assert len([s for s in statements if "user_preferences" in s]) == 1


DASHBOARD = "/dashboard/over-time?date=between:2025-03-01,2025-03-31&grain=day"
API = (
    "/api/v1/analytics/overview?date=between:2025-03-01,2025-03-31",
    "/api/v1/analytics/tickets-over-time?date=between:2025-03-01,2025-03-31&grain=day",
    "/api/v1/analytics/tickets-over-time?date=between:2025-01-01,2025-06-30&grain=week",
    "/api/v1/analytics/tickets-over-time?date=between:2025-01-01,2025-06-30&grain=month",
)


def _chart(html: str) -> str:
    found = re.search(r'id="chart-over-time">(.*?)</script>', html, re.S)
    assert found is not None
    return found.group(1)


def test_analytics_numbers_do_not_depend_on_the_viewers_zone(
    api_client_factory: ApiClientFactory,
) -> None:
    manager = api_client_factory("manager")
    before = [manager.get(url).json() for url in API]
    chart = _chart(manager.get(DASHBOARD).text)
    # +14 h: most instants of the month fall on another local day than in UTC.
    _set_zone(manager, "Pacific/Kiritimati")
    page = manager.get(DASHBOARD).text
    assert [manager.get(url).json() for url in API] == before
    assert _chart(page) == chart
    assert "Times in Pacific/Kiritimati" in page
    assert "reporting timezone, UTC" in page  # the page says what the days are counted in


# A zone this server's tzdata cannot load: written by an older release, or since removed from
# tzdata (the checks on the way in would refuse it today, so plain SQL puts it there).
GONE = "Mars/Olympus_Mons"
PAGES = (
    "/dashboard",
    "/dashboard/sla",
    "/api/v1/analytics/overview",
    "/api/v1/me/preferences",
    "/account/settings",
    "/admin/sla",
    "/api/v1/sla/calendar",
)


def test_a_zone_this_server_cannot_load_shows_the_reporting_zone_instead(
    api_client_factory: ApiClientFactory,
    personas: dict[Persona, TestUser],
    owner_database: Database,
) -> None:
    admin = api_client_factory("admin")
    with owner_database.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO user_preferences (user_id, timezone) VALUES (:id, :zone)"),
            {"id": personas["admin"].id, "zone": GONE},
        )
        # The calendar too, without the SLA rebuild its trigger would start at commit.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE business_calendars SET timezone = :zone"), {"zone": GONE})
    for path in PAGES:
        response = admin.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    prefs = admin.get("/api/v1/me/preferences").json()
    assert (prefs["timezone"], prefs["effective_timezone"]) == (GONE, "UTC")
    assert "Times in UTC" in admin.get("/dashboard").text
    settings = admin.get("/account/settings").text
    assert f"{GONE} is not a timezone this server knows" in settings
    # The calendar's zone is the database's to compute with: shown as stored, and flagged
    # where the admin picks it.
    assert admin.get("/api/v1/sla/calendar").json()["timezone"] == GONE
    assert f"{GONE} is not a timezone this server knows" in admin.get("/admin/sla").text
