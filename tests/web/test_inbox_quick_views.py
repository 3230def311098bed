"""The inbox's quick views: All, Mine (tickets assigned to the signed-in team member) and
Unassigned, each keeping the rest of the address; they follow a filter-bar change (swapped
out of band with the list, like the chips)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.fixtures.auth import ApiClientFactory


def quick_views(html: str) -> dict[str, dict[str, str]]:
    nav = re.search(r'<nav[^>]*id="quick-views".*?</nav>', html, re.S)
    assert nav, html[:1500]
    found = re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav.group(0))
    return {
        text.strip(): {k: v[0] for k, v in parse_qs(urlsplit(unescape(href)).query).items()}
        for href, text in found
    }


def test_mine_and_unassigned_keep_the_other_filters(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    me = agent.get("/api/v1/me").json()["team_member_id"]
    views = quick_views(agent.get("/tickets?priority=is:high&status=open").text)
    assert views["Mine"] == {"priority": "is:high", "status": "open", "team_member": f"is:{me}"}
    assert views["Unassigned"] == {
        "priority": "is:high",
        "status": "open",
        "team_member": "is:unassigned",
    }
    assert views["All"] == {"priority": "is:high", "status": "open"}

    fragment = agent.get(
        "/tickets?priority=is:low", headers={"HX-Request": "true", "HX-Target": "view"}
    ).text
    assert re.search(r'<nav[^>]*id="quick-views"[^>]*hx-swap-oob="true"', fragment)
    assert quick_views(fragment)["Mine"]["priority"] == "is:low"
