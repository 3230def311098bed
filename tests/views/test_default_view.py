"""A bare /dashboard opens the user's default saved view; any query string is explicit state
and wins, and the way back to the unfiltered overview ("Clear all filters") is not
redirected away."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory

DEFAULT = "/dashboard/team?priority=is:high"


def _make_default(client: TestClient, url: str, *, shared: bool = False) -> None:
    response = client.post(
        "/api/v1/views", json={"name": "Mine", "url": url, "default": True, "shared": shared}
    )
    assert response.status_code == 201, response.text


def test_a_bare_dashboard_opens_the_default_view(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    assert manager.get("/dashboard", follow_redirects=False).status_code == 200
    _make_default(manager, DEFAULT)

    opened = manager.get("/dashboard", follow_redirects=False)
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"] == DEFAULT
    assert opened.headers["cache-control"] == "no-store"
    assert manager.get("/dashboard").status_code == 200  # the redirect lands on a page

    # An explicit query string is the user's choice.
    explicit = manager.get("/dashboard?priority=is:low", follow_redirects=False)
    assert explicit.status_code == 200
    # htmx swaps (filter bar, history restore) never get redirected.
    swap = manager.get("/dashboard", headers={"HX-Request": "true", "HX-Target": "view"})
    assert swap.status_code == 200
    # "Clear all filters" on the overview carries explicit state, so it shows the overview.
    page = manager.get("/dashboard?priority=is:low").text
    clear = re.search(r'id="empty-clear"|href="(/dashboard[^"]*)"[^>]*>\s*Clear', page)
    assert clear is not None
    target = clear.group(1) or "/dashboard?compare=previous"
    assert target != "/dashboard"
    assert manager.get(target.replace("&amp;", "&"), follow_redirects=False).status_code == 200


def test_a_shared_default_and_users_without_one(api_client_factory: ApiClientFactory) -> None:
    manager, agent = api_client_factory("manager"), api_client_factory("agent")
    _make_default(manager, DEFAULT, shared=True)
    # The manager's default is not the agent's.
    assert agent.get("/dashboard", follow_redirects=False).status_code == 200
    views = agent.get("/api/v1/views").json()["rows"]
    assert agent.put("/api/v1/views/default", json={"view_id": views[0]["id"]}).status_code in {
        200,
        204,
    }
    assert agent.get("/dashboard", follow_redirects=False).headers["location"] == DEFAULT


def test_a_default_that_is_the_bare_overview_does_not_loop(
    api_client_factory: ApiClientFactory,
) -> None:
    manager = api_client_factory("manager")
    _make_default(manager, "/dashboard")
    assert manager.get("/dashboard", follow_redirects=False).status_code == 200
