"""The inbox's summary line names every filter that narrows the list, the list's own status,
client and search included (issue 11: a status filter was left out)."""

from __future__ import annotations

import re

from tests.fixtures.auth import ApiClientFactory


def summary(html: str) -> str:
    found = re.search(r'<p class="rule" id="inbox-summary">(.*?)</p>', html, re.S)
    assert found, html[:2000]
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_summary_names_status_client_and_search(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    text = summary(agent.get("/tickets?status=open").text)
    assert "status open" in text.lower()
    text = summary(agent.get("/tickets?status=resolved,closed&priority=is:urgent").text)
    assert "urgent" in text
    assert "resolved or closed" in text.lower()
    text = summary(agent.get("/tickets?client=is:1&q=login").text)
    assert "TechStart Inc" in text
    assert "“login”" in text
    assert summary(agent.get("/tickets").text).endswith("All tickets")
