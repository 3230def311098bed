"""People appear by display name ("Sarah Jones", as the header shows a signed-in user), never
by username ("sarah_jones"): the team table and its API, the filter bar's options, chips and
sentences, the inbox's assignee column and a ticket's thread."""

from __future__ import annotations

import re

from support_analytics.people import display_name
from tests.fixtures.auth import ApiClientFactory


def test_display_name_rule() -> None:
    assert display_name("sarah_jones") == "Sarah Jones"
    assert display_name("mike") == "Mike"
    assert display_name("anna__lee_") == "Anna Lee"


def test_no_username_reaches_analytics_or_lists(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    rows = manager.get("/api/v1/analytics/team-performance").json()["rows"]
    names = [row["name"] for row in rows]
    assert "Sarah Jones" in names
    assert not [n for n in names if "_" in n]

    sarah = next(row["team_member_id"] for row in rows if row["name"] == "Sarah Jones")
    page = manager.get(f"/dashboard?team_member=is:{sarah}").text
    assert "assigned to Sarah Jones" in page
    assert "sarah_jones" not in page
    team = manager.get("/dashboard/team").text
    assert "sarah_jones" not in team

    inbox = manager.get(f"/tickets?team_member=is:{sarah}").text
    assert "Sarah Jones" in inbox
    assert not re.search(r"\b[a-z]+_[a-z]+\b</td>", inbox)
