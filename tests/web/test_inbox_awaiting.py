"""Inbox quick views "Awaiting first reply" and "Awaiting reply": links that set (or, when
current, clear) `awaiting=`, marked current, the list narrowed with its chip."""

from __future__ import annotations

import re

from tests.fixtures.auth import ApiClientFactory


def _view(page: str, label: str) -> tuple[str, bool]:
    found = re.search(rf'<a href="([^"]*)" ?(aria-current="page")?>{label}</a>', page)
    assert found is not None, label
    return found.group(1).replace("&amp;", "&"), found.group(2) is not None


def test_awaiting_quick_views(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    page = agent.get("/tickets?priority=is:high").text
    href, current = _view(page, "Awaiting first reply")
    assert not current
    assert "awaiting=first_reply" in href
    assert "priority=is%3Ahigh" in href or "priority=is:high" in href
    narrowed = agent.get(href).text
    again, current = _view(narrowed, "Awaiting first reply")
    assert current
    assert "awaiting" not in again
    assert "awaiting a first reply" in narrowed
    href, _ = _view(page, "Awaiting reply")
    assert "awaiting=reply" in href
    listed = agent.get("/api/v1/tickets?awaiting=reply&page_size=1").json()["total"]
    assert agent.get(href).status_code == 200
    assert isinstance(listed, int)
