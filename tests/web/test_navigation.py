"""The navigation shows only what the signed-in role may use (SPEC section 4.8)."""

from __future__ import annotations

import re

from tests.fixtures.auth import ApiClientFactory, Persona


def nav_links(html: str) -> list[str]:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


EXPECTED: tuple[tuple[Persona, int, list[str]], ...] = (
    ("admin", 200, ["/dashboard", "/tickets", "/alerts", "/admin"]),
    ("manager", 200, ["/dashboard", "/tickets", "/alerts"]),
    ("agent", 200, ["/dashboard", "/tickets", "/alerts"]),
    ("client_a", 403, ["/portal"]),
)


def test_nav_by_role(api_client_factory: ApiClientFactory) -> None:
    # One test for every persona: signing users in (argon2) is the slow part.
    for persona, status, links in EXPECTED:
        response = api_client_factory(persona).get("/dashboard")
        assert response.status_code == status, persona
        assert nav_links(response.text) == links, persona
    anonymous = api_client_factory("anonymous").get(
        "/dashboard/team?sort=name", follow_redirects=False
    )
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fdashboard%2Fteam%3Fsort%3Dname"


def test_fragments_and_readable_422s(api_client_factory: ApiClientFactory) -> None:
    client = api_client_factory("manager")
    page = client.get("/dashboard/over-time?priority=is:urgent")
    fragment = client.get(
        "/dashboard/over-time?priority=is:urgent",
        headers={"HX-Request": "true", "HX-Target": "view"},
    )
    assert "<html" in page.text
    assert "<html" not in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text
    for response in (page, fragment):
        assert response.headers["cache-control"] == "no-store"
        assert "HX-Request" in response.headers["vary"]
    for url in (
        "/dashboard?colour=blue",
        "/dashboard/team?sort=height",
        "/dashboard/team?avg_rating=gte:abc",
        "/dashboard/clients?page=0",
        "/dashboard/resolution?date=between:2025-06-01,2025-01-01",
    ):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.headers["content-type"].startswith("text/html"), url
        assert "not valid" in response.text, url


def test_a_422_page_offers_to_drop_only_the_bad_parameter(
    api_client_factory: ApiClientFactory,
) -> None:
    client = api_client_factory("manager")
    for url, kept in (
        ("/dashboard/team?date=on:2025-03-14&priority=is:critical", "/dashboard/team?date=on"),
        ("/tickets?rating=7&status=open", "/tickets?status=open"),
        ("/dashboard/clients?page=0&q=acme", "/dashboard/clients?q=acme"),
    ):
        response = client.get(url)
        assert response.status_code == 422, url
        found = re.search(r'href="([^"]+)" data-drop-parameter', response.text)
        assert found is not None, url
        assert found.group(1).startswith(kept), (url, found.group(1))
        assert client.get(found.group(1).replace("&amp;", "&")).status_code == 200, url
