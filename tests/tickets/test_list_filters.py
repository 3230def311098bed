"""The ticket list's rating and resolution-day filters: grammar, and every list total and first
page equal to plain SQL over the raw tables for random combinations with the filter bar,
status and client (Hypothesis), through the JSON API and the inbox page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from support_analytics.filters.grammar import InvalidFilter
from support_analytics.tickets.list_filters import RATINGS, RatingFilter, parse_rating
from tests.analytics import oracle
from tests.analytics.conftest import edge_case_database
from tests.analytics.oracle import DateSpec, FilterSpec
from tests.analytics.strategies import date_specs, filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples


@pytest.fixture(scope="module")
def fresh_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    """The reference data plus the analytics edge cases (a rating-less feedback, `closed` and
    unassigned tickets, young open tickets), shared by this module's tests."""
    with edge_case_database(pg_server, template_database) as url:
        yield url


# ---------- grammar ----------

rating_filters = st.builds(
    RatingFilter,
    st.frozensets(st.sampled_from(RATINGS)),
    st.booleans(),
).filter(lambda f: bool(f.ratings) or f.unrated)


@given(rating_filters)
def test_rating_round_trip(flt: RatingFilter) -> None:
    assert parse_rating(flt.format()) == flt


def test_rating_forms() -> None:
    assert parse_rating("any") == RatingFilter(frozenset(RATINGS))
    assert parse_rating(" 5, 4 ,5") == RatingFilter(frozenset({4, 5}))
    assert parse_rating("none").format() == "none"
    assert parse_rating("1,2,3,4,5").format() == "any"
    assert parse_rating("1,2,3,4,5,none").format() == "1,2,3,4,5,none"
    assert parse_rating("4,5").phrase() == "rated 4 or 5"
    assert parse_rating("1,2,3").phrase() == "rated 1, 2 or 3"
    assert parse_rating("2,none").phrase() == "rated 2, or not rated"
    assert parse_rating("any").phrase() == "rated (any rating)"
    assert parse_rating("none").phrase() == "not rated"


@pytest.mark.parametrize("raw", ["0", "6", "4.5", "any,5", "4,,5", "yes", "-1", "٣"])
def test_malformed_ratings_name_the_parameter(raw: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        parse_rating(raw)
    assert caught.value.parameter == "rating"
    assert "Accepted:" in caught.value.message


# ---------- the list against plain SQL ----------


@dataclass(frozen=True)
class ListCase:
    bar: FilterSpec
    status: str | None
    clients: tuple[int, ...]
    ratings: tuple[int, ...]
    unrated: bool
    rating_text: str | None
    resolved: DateSpec | None

    def params(self) -> dict[str, str]:
        out = self.bar.params()
        if self.status:
            out["status"] = self.status
        if self.clients:
            out["client"] = "any_of:" + ",".join(str(c) for c in self.clients)
        if self.rating_text is not None:
            out["rating"] = self.rating_text
        if self.resolved is not None:
            out["resolved"] = FilterSpec(date=self.resolved).params()["date"]
        return out


@st.composite
def list_cases(draw: st.DrawFn) -> ListCase:
    ratings = tuple(draw(st.lists(st.sampled_from(RATINGS), max_size=5, unique=True)))
    unrated = draw(st.booleans())
    rating_text: str | None = None
    if draw(st.booleans()) and (ratings or unrated):
        words = [str(r) for r in ratings] + (["none"] if unrated else [])
        rating_text = ",".join(draw(st.permutations(words)))
    elif draw(st.booleans()):
        ratings, unrated, rating_text = RATINGS, False, "any"
    bar = draw(filter_specs())
    # The bar's own client filter when it has none (one `client` parameter per address).
    clients = draw(st.lists(st.integers(1, 51), max_size=3, unique=True))
    return ListCase(
        bar=bar,
        status=draw(st.sampled_from((None, "open,in_progress", "resolved,closed", "closed"))),
        clients=tuple(clients) if bar.client is None else (),
        ratings=ratings if rating_text is not None else (),
        unrated=unrated if rating_text is not None else False,
        rating_text=rating_text,
        resolved=draw(st.one_of(st.none(), date_specs())),
    )


def expected(conn: oracle.Conn, case: ListCase) -> tuple[int, list[int]]:
    """Written from the parameters' definitions, sharing nothing with the product's SQL."""
    params: list[object] = []
    parts = [oracle.where(case.bar, "UTC", params)]
    if case.status:
        parts.append("coalesce(t.status, 'open') = ANY(%s)")
        params.append(case.status.split(","))
    if case.clients:
        parts.append("t.client_id = ANY(%s)")
        params.append(list(case.clients))
    if case.rating_text is not None:
        parts.append(
            "(EXISTS (SELECT 1 FROM ticket_feedback f WHERE f.ticket_id = t.id"
            "         AND f.rating = ANY(%s))"
            " OR (%s AND NOT EXISTS (SELECT 1 FROM ticket_feedback f"
            "         WHERE f.ticket_id = t.id AND f.rating IS NOT NULL)))"
        )
        params.extend([list(case.ratings), case.unrated])
    if case.resolved is not None:
        resolved = FilterSpec(date=case.resolved)
        parts.append(oracle.where(resolved, "UTC", params, date_column="t.resolved_at"))
    where = " AND ".join(parts)
    total = conn.execute(f"SELECT count(*) FROM tickets t WHERE {where}".encode(), params)
    # A resolution-day list is ordered by resolution, newest first; any other by creation.
    newest = "t.resolved_at" if case.resolved is not None else "t.created_at"
    first = conn.execute(
        f"SELECT t.id FROM tickets t WHERE {where} "
        f"ORDER BY {newest} DESC, t.id DESC LIMIT 5".encode(),
        params,
    )
    row = total.fetchone()
    assert row is not None
    return int(str(row[0])), [int(str(r[0])) for r in first.fetchall()]


@pytest.fixture(scope="module")
def conn(fresh_database: str) -> Iterator[oracle.Conn]:
    with oracle.connect(fresh_database) as conn:
        yield conn


@settings(max_examples=examples(120), deadline=None, suppress_health_check=HEALTH)
@given(case=list_cases())
def test_api_list_equals_plain_sql(agent: TestClient, conn: oracle.Conn, case: ListCase) -> None:
    response = agent.get("/api/v1/tickets", params={**case.params(), "page_size": "5"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], [r["id"] for r in body["rows"]]) == expected(conn, case)


def _summary_total(html: str) -> int:
    found = re.search(r'id="inbox-summary"><strong>([\d,]+)</strong>', html)
    assert found is not None, html[:2000]
    return int(found.group(1).replace(",", ""))


@settings(max_examples=examples(15), deadline=None, suppress_health_check=HEALTH)
@given(case=list_cases())
def test_inbox_page_equals_plain_sql(agent: TestClient, conn: oracle.Conn, case: ListCase) -> None:
    page = agent.get("/tickets", params=case.params())
    assert page.status_code == 200, page.text[:2000]
    assert _summary_total(page.text) == expected(conn, case)[0]


def test_the_edge_cases_are_there_to_be_found(agent: TestClient, conn: oracle.Conn) -> None:
    """A feedback without stars is "not rated" (and not "rated"); guards the oracle's data."""
    starless = conn.execute(b"SELECT ticket_id FROM ticket_feedback WHERE rating IS NULL")
    ids = [int(str(r[0])) for r in starless.fetchall()]
    assert ids
    unrated = agent.get("/api/v1/tickets", params={"rating": "none", "q": f"#{ids[0]}"})
    rated = agent.get("/api/v1/tickets", params={"rating": "any", "q": f"#{ids[0]}"})
    assert ids[0] in [r["id"] for r in unrated.json()["rows"]]
    assert ids[0] not in [r["id"] for r in rated.json()["rows"]]


# ---------- bad input and the page's controls ----------


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"rating": "6"}, "rating"),
        ({"rating": "any,none,x"}, "rating"),
        ({"resolved": "2025-03-01"}, "resolved"),
        ({"resolved": "between:2025-03-31,2025-03-01"}, "resolved"),
        ({"resolved": "on:2025-02-30"}, "resolved"),
    ],
)
def test_bad_values_are_422_naming_the_parameter(
    agent: TestClient, params: dict[str, str], parameter: str
) -> None:
    api = agent.get("/api/v1/tickets", params=params)
    assert api.status_code == 422
    assert api.json()["error"]["message"].startswith(f"{parameter}:")
    page = agent.get("/tickets", params=params)
    assert page.status_code == 422
    assert "text/html" in page.headers["content-type"]
    assert f"{parameter}:" in page.text


def test_blank_values_mean_no_filter(agent: TestClient) -> None:
    """What a plain HTML form sends for an untouched select."""
    everything = agent.get("/api/v1/tickets").json()["total"]
    assert agent.get("/api/v1/tickets", params={"rating": "", "resolved": " "}).json()["total"] == (
        everything
    )
    assert agent.get("/tickets", params={"rating": ""}).status_code == 200


def test_the_inbox_shows_and_keeps_both_filters(agent: TestClient) -> None:
    html = agent.get(
        "/tickets",
        params={"resolved": "between:2025-03-01,2025-03-31", "rating": "4,5", "q": "a"},
    ).text
    summary = re.search(r'id="inbox-summary">(.*?)</p>', html, re.S)
    assert summary is not None
    assert "resolved between 1 Mar 2025 and 31 Mar 2025" in summary.group(1)
    assert "rated 4 or 5" in summary.group(1)
    # The resolution day is a removable chip that keeps everything else.
    chip = re.search(r'data-chip="resolved">.*?href="([^"]+)"', html, re.S)
    assert chip is not None
    removed = chip.group(1).replace("&amp;", "&")
    assert "resolved=" not in removed
    assert "rating=4%2C5" in removed
    assert "q=a" in removed
    # Everything that narrows the list is a chip, and "Clear all" clears all of it.
    assert re.search(r'data-chip="rating">\s*<span>rated 4 or 5</span>', html)
    assert re.search(r'data-chip="q">\s*<span>matching “a”</span>', html)
    assert re.search(r'href="/tickets"[^>]*id="clear-filters"', html)
    # The search form re-submits it, and shows the rating as selected.
    assert '<input type="hidden" name="resolved" value="between:2025-03-01,2025-03-31">' in html
    assert '<option value="4,5" selected>' in html
    # An uncommon rating set is still shown as selected, in words.
    odd = agent.get("/tickets", params={"rating": "3,1"}).text
    assert '<option value="1,3" selected>Rated 1 or 3</option>' in odd


def test_the_summary_never_says_all_tickets_of_a_narrowed_list(agent: TestClient) -> None:
    def summary(params: dict[str, str]) -> str:
        found = re.search(
            r'id="inbox-summary">(.*?)</p>', agent.get("/tickets", params=params).text, re.S
        )
        assert found is not None
        return found.group(1)

    assert "All tickets" in summary({})
    assert "All tickets" not in summary({"status": "open"})
    assert "All tickets" not in summary({"q": "refund"})
    assert "Tickets not rated" in summary({"rating": "none"})
