"""Every widget equals the oracle for random filter bars (Hypothesis), through the rollups
(reporting zone UTC, the zone they were built in) and through the raw tables (another zone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics import (
    clients,
    distribution,
    overdue,
    overview,
    resolution_times,
    rollups,
    team_performance,
    tickets_over_time,
)
from support_analytics.analytics.columns import parse_number_range, parse_text
from support_analytics.filters import TicketFilters
from tests.analytics import oracle
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.examples import HEALTH, examples

UTC_ZONE = ZoneInfo("UTC")
OTHER_ZONE = ZoneInfo("America/New_York")
AS_OF = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def session(analytics_database: str) -> Iterator[Session]:
    engine = create_engine(analytics_database, connect_args={"options": "-c timezone=UTC"})
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def conn(analytics_database: str) -> Iterator[Conn]:
    with oracle.connect(analytics_database) as conn:
        yield conn


def product_filters(spec: FilterSpec) -> TicketFilters:
    return TicketFilters.from_query(spec.params())


def check_all(session: Session, conn: Conn, spec: FilterSpec, tz: ZoneInfo) -> None:
    filters = product_filters(spec)
    want = oracle.everything(conn, spec, tz.key)
    got_overview = overview.overview(session, filters, tz).model_dump(mode="json")
    oracle.assert_close(got_overview, want["overview"], "overview")
    if spec.date is not None and spec.date[1] is not None and spec.date[2] is not None:
        assert got_overview["previous"] is not None
    oracle.assert_close(
        tickets_over_time.tickets_over_time(session, filters, tz).model_dump(mode="json"),
        want["tickets_over_time"],
        "tickets_over_time",
    )
    team = team_performance.team_performance(session, filters, tz).model_dump(mode="json")
    oracle.assert_close(team["rows"], want["team_rows_by_assigned"], "team")
    assert team["top_performer_ids"] == want["top_performer_ids"]
    oracle.assert_close(
        distribution.ticket_types_chart(session, filters, tz).model_dump(mode="json"),
        want["ticket_types"],
        "ticket_types",
    )
    oracle.assert_close(
        distribution.priorities(session, filters, tz).model_dump(mode="json"),
        want["priorities"],
        "priorities",
    )
    oracle.assert_close(
        clients.client_analysis(session, filters, tz).model_dump(mode="json"),
        want["clients_page_1"],
        "clients",
    )
    resolution = resolution_times.resolution_times(session, filters, tz, as_of=AS_OF)
    oracle.assert_close(
        resolution.model_dump(mode="json")["by_priority"],
        want["resolution_by_priority"],
        "resolution",
    )
    want_overdue = oracle.overdue(conn, spec, tz.key, AS_OF, limit=5)
    assert resolution.overdue_count == want_overdue["total"]
    page = overdue.overdue(session, filters, tz, page=1, page_size=5, as_of=AS_OF)
    assert page.total == want_overdue["total"]
    oracle.assert_close(page.model_dump(mode="json")["rows"], want_overdue["rows"], "overdue")
    session.rollback()


def test_rollups_are_in_use(session: Session) -> None:
    assert rollups.usable(session, UTC_ZONE)
    assert not rollups.usable(session, OTHER_ZONE)
    session.rollback()


@settings(max_examples=examples(160), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_rollups_equal_the_oracle(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check_all(session, conn, spec, UTC_ZONE)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_raw_tables_equal_the_oracle_in_another_zone(
    session: Session, conn: Conn, spec: FilterSpec
) -> None:
    check_all(session, conn, spec, OTHER_ZONE)


EDGE_SPECS = (
    FilterSpec(),
    FilterSpec(date=("on", "2025-03-14", "2025-03-14")),  # a day without tickets
    FilterSpec(ticket_type=("is", (15,))),  # no such type: matches nothing
    FilterSpec(team_member=("is", (None,))),  # unassigned only
    FilterSpec(team_member=("is_not", (None,))),
    FilterSpec(team_member=("none_of", (3, None)), priority=("is_not", ("low",))),
    FilterSpec(team_member=("is", (16,))),  # a member without tickets
    FilterSpec(date=("between", "2025-02-15", "2025-05-10"), priority=("any_of", ("high",))),
    FilterSpec(date=("on_or_after", "2025-11-27", None)),
    FilterSpec(date=("on_or_before", None, "2025-01-31")),
    FilterSpec(date=("between", "2025-12-01", "2026-02-28")),  # after the data (plus young)
    FilterSpec(client=("is", (51,))),  # a client without tickets
    FilterSpec(client=("none_of", (1, 2, 3)), plan=("is_not", ("starter",))),
    FilterSpec(plan=("any_of", ("professional", "enterprise")), team_member=("is", (None,))),
    FilterSpec(date=("between", "2025-02-15", "2025-05-10"), client=("any_of", (4, 9, 52))),
)


@pytest.mark.parametrize("tz", [UTC_ZONE, OTHER_ZONE], ids=["rollups", "raw"])
@pytest.mark.parametrize("spec", EDGE_SPECS, ids=lambda s: s.query_string() or "none")
def test_edge_cases(session: Session, conn: Conn, spec: FilterSpec, tz: ZoneInfo) -> None:
    check_all(session, conn, spec, tz)


def test_empty_sets_give_zero_counts_and_null_averages(session: Session) -> None:
    nothing = TicketFilters.parse(ticket_type="is:15")
    for tz in (UTC_ZONE, OTHER_ZONE):
        cards = overview.overview(session, nothing, tz)
        assert (cards.total_tickets, cards.open_tickets, cards.feedback_count) == (0, 0, 0)
        assert cards.avg_resolution_hours is None
        assert cards.csat_avg is None
        assert cards.csat_satisfied_pct is None
        assert tickets_over_time.tickets_over_time(session, nothing, tz).series == []
        stats = resolution_times.resolution_times(session, nothing, tz).by_priority
        assert [s.count for s in stats] == [0, 0, 0, 0]
        assert all(s.median_hours is None for s in stats)
    session.rollback()


def test_member_and_client_without_tickets_are_listed(session: Session, conn: Conn) -> None:
    team = team_performance.team_performance(session, TicketFilters(), UTC_ZONE)
    new_hire = next(r for r in team.rows if r.name == "New Hire")  # username new_hire
    assert (new_hire.tickets_assigned, new_hire.avg_rating) == (0, None)
    assert team.rows[-1] is new_hire  # fewest tickets last
    last_page = clients.client_analysis(session, TicketFilters(), UTC_ZONE, page=3)
    assert last_page.total == 51
    assert last_page.rows[-1].name == "Quiet Co"
    assert last_page.rows[-1].total_tickets == 0
    assert str(last_page.rows[-1].total_spent) == "0.00"
    searched = clients.client_analysis(session, TicketFilters(), UTC_ZONE, q="CORP")
    want = oracle.clients(conn, FilterSpec(), "UTC", q="CORP")
    oracle.assert_close(searched.model_dump(mode="json")["rows"], want)
    wildcard = clients.client_analysis(session, TicketFilters(), UTC_ZONE, q="%")
    assert wildcard.total == 0  # the user's % is a character, not a wildcard
    session.rollback()


def sort_value(value: object) -> str | float:
    return value if isinstance(value, str) else float(str(value))


def test_team_table_sorts_and_filters_every_column(session: Session, conn: Conn) -> None:
    spec = FilterSpec(date=("between", "2025-06-01", "2025-08-31"))
    rows = oracle.team_rows(conn, spec, "UTC")
    filters = product_filters(spec)
    for column in team_performance.SORT_COLUMNS:
        for descending in (False, True):
            query = team_performance.TeamTableQuery(sort=column, descending=descending)
            got = team_performance.team_performance(session, filters, UTC_ZONE, query)
            present = [r for r in rows if r[column] is not None]
            present.sort(key=lambda r: int(str(r["team_member_id"])))
            present.sort(key=lambda r: sort_value(r[column]), reverse=descending)
            want = present + [r for r in rows if r[column] is None]
            assert [r.team_member_id for r in got.rows] == [r["team_member_id"] for r in want]
    query = team_performance.TeamTableQuery(
        name=parse_text("name", "contains:SON"),
        ranges={"tickets_assigned": parse_number_range("tickets_assigned", "between:200,260")},
    )
    got = team_performance.team_performance(session, filters, UTC_ZONE, query)
    want_ids = [
        r["team_member_id"]
        for r in sorted(
            rows, key=lambda r: (-int(str(r["tickets_assigned"])), int(str(r["team_member_id"])))
        )
        if "son" in str(r["name"]) and 200 <= int(str(r["tickets_assigned"])) <= 260
    ]
    assert [r.team_member_id for r in got.rows] == want_ids
    session.rollback()


def test_previous_period_has_equal_length(session: Session, conn: Conn) -> None:
    got = overview.overview(
        session, TicketFilters.parse(date="between:2025-04-02,2025-05-01"), UTC_ZONE
    )
    assert got.previous_date == "between:2025-03-03,2025-04-01"
    want = oracle.overview_cards(
        conn, FilterSpec(date=("between", "2025-03-03", "2025-04-01")), "UTC"
    )
    assert got.previous is not None
    oracle.assert_close(got.previous.model_dump(mode="json"), want)
    single = overview.overview(session, TicketFilters.parse(date="on:2025-03-15"), UTC_ZONE)
    assert single.previous_date == "on:2025-03-14"
    assert single.previous is not None
    assert single.previous.total_tickets == 0
    assert (
        overview.overview(
            session, TicketFilters.parse(date="on_or_after:2025-03-15"), UTC_ZONE
        ).previous
        is None
    )
    session.rollback()


def test_overdue_pages_follow_each_other(session: Session, conn: Conn) -> None:
    spec = FilterSpec(priority=("is", ("urgent",)))
    filters = product_filters(spec)
    want = oracle.overdue(conn, spec, "UTC", AS_OF, limit=45)
    got = [
        row
        for page in (1, 2, 3)
        for row in overdue.overdue(
            session, filters, UTC_ZONE, page=page, page_size=15, as_of=AS_OF
        ).model_dump(mode="json")["rows"]
    ]
    oracle.assert_close(got, want["rows"])
    # Long ago every open ticket was young; only the late resolutions count.
    long_ago = AS_OF - timedelta(days=4000)
    young = overdue.overdue(session, filters, UTC_ZONE, as_of=long_ago)
    assert young.total == oracle.overdue(conn, spec, "UTC", long_ago)["total"]
    assert all(row.status not in ("open", "in_progress") for row in young.rows)
    session.rollback()
