"""The one CSV writer (issue 12 item 16, issue 11's CSV points) and the streamed ticket export
(issue 12 item 23): quoting, formula escaping, rounding, BOM, file names, a server-side cursor
read in batches, and a bound on concurrent exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Generator
from datetime import date

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.export import BOM, cell, escape_text, file_name, lines
from support_analytics.filters.grammar import DateFilter
from support_analytics.tenancy.gate import RequestGate
from support_analytics.tickets import queries
from support_analytics.tickets.export import ExportLimit, ExportsBusy, limit_for, through_gate
from support_analytics.tickets.queries import TicketQuery
from tests.fixtures.auth import ApiClientFactory
from tests.tickets.conftest import Count, create

CALC = "x;=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (CALC, "x;'=cmd|' /C calc'!A0"),
        ("a,+b\t-c;@d", "a,'+b\t'-c;'@d"),
        ("plain text; no formula", "plain text; no formula"),
        ("1 - 2 = -1", "1 - 2 = -1"),
    ],
)
def test_every_formula_start_is_neutralised(raw: str, escaped: str) -> None:
    assert escape_text(raw) == escaped


def test_cells_quote_text_round_floats_and_keep_numbers_numbers() -> None:
    assert cell(12.3456) == 12.35
    assert cell(7) == 7
    assert cell(None) == ""
    assert cell(date(2025, 3, 1)) == "2025-03-01"
    body = "".join(lines(("id", "title", "hours"), [[1, CALC, 1.005], [2, "ok", None]]))
    assert body.splitlines()[0] == "id,title,hours"
    assert body.splitlines()[1] == "1,\"x;'=cmd|' /C calc'!A0\",1.0"
    assert body.splitlines()[2] == '2,"ok",""'
    for delimiter in (",", ";"):
        # Whatever a spreadsheet splits on, no cell it sees starts a formula.
        for row in csv.reader(io.StringIO(body), delimiter=delimiter):
            assert not any(value.startswith(("=", "+", "-", "@")) for value in row), row


@pytest.mark.parametrize(
    ("flt", "name"),
    [
        (DateFilter.between(date(2025, 4, 1), date(2025, 6, 30)), "x_2025-04-01_2025-06-30.csv"),
        (DateFilter.on(date(2025, 3, 14)), "x_2025-03-14.csv"),
        (DateFilter.on_or_after(date(2025, 6, 1)), "x_2025-06-01_2026-11-29.csv"),
        (DateFilter.on_or_before(date(2025, 6, 1)), "x_2026-11-29.csv"),
        (None, "x_2026-11-29.csv"),
    ],
)
def test_file_names_say_what_and_when(flt: DateFilter | None, name: str) -> None:
    assert file_name("x", flt, date(2026, 11, 29)) == name


def test_ticket_csv_escapes_quotes_and_names_the_file(
    api_client_factory: ApiClientFactory,
) -> None:
    client_a = api_client_factory("client_a")
    create(client_a, title=CALC)
    response = client_a.get("/api/v1/tickets", params={"format": "csv", "q": "calc"})
    assert response.status_code == 200, response.text
    assert "\"x;'=cmd|' /C calc'!A0\"" in response.text
    assert re.fullmatch(
        r'attachment; filename="tickets_\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["content-disposition"],
    )
    assert not response.text.startswith(BOM)
    with_bom = client_a.get("/api/v1/tickets", params={"format": "csv", "q": "calc", "bom": "1"})
    assert with_bom.content.startswith(BOM.encode())
    assert with_bom.text.removeprefix(BOM) == response.text


def test_analytics_csv_rounds_hours_and_names_its_range(
    api_client_factory: ApiClientFactory,
) -> None:
    manager = api_client_factory("manager")
    response = manager.get(
        "/api/v1/analytics/team-performance",
        params={"format": "csv", "date": "between:2025-04-01,2025-06-30", "bom": "1"},
    )
    assert response.status_code == 200, response.text
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="team-performance_2025-04-01_2025-06-30.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix(BOM))))
    hours = [row["avg_resolution_hours"] for row in rows if row["avg_resolution_hours"]]
    assert hours
    assert all(re.fullmatch(r"\d+(\.\d{1,2})?", value) for value in hours), hours


def test_rows_stream_from_a_server_side_cursor_in_batches(
    owner_database: Database, count: Count
) -> None:
    sizes: list[int] = []
    open_cursors: list[int] = []
    with owner_database.sessions() as session, session.begin():
        for batch in queries.stream_rows(session, TicketQuery(), batch=500):
            sizes.append(len(batch))
            open_cursors.append(
                session.execute(text("SELECT count(*) FROM pg_cursors")).scalar_one()
            )
    total = count("tickets")
    assert sum(sizes) == total
    assert max(sizes) == 500  # never more than one batch in memory
    assert len(sizes) == -(-total // 500)
    # Fetched through a server-side cursor: it is open while batches come (a client-side
    # cursor shows none); the last batch may arrive after the exhausted cursor has closed.
    assert all(n >= 1 for n in open_cursors[:-1])


def test_concurrent_exports_are_bounded(
    auth_app: FastAPI, api_client_factory: ApiClientFactory
) -> None:
    agent: TestClient = api_client_factory("agent")
    auth_app.state.csv_export_limit = ExportLimit(1)
    try:
        held = limit_for(auth_app.state, 1).take()
        busy = agent.get("/api/v1/tickets", params={"format": "csv"})
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"]
        held.release()
        ok = agent.get("/api/v1/tickets", params={"format": "csv", "status": "open"})
        assert ok.status_code == 200
        # The finished export gave its slot back.
        limit_for(auth_app.state, 1).take().release()
    finally:
        del auth_app.state.csv_export_limit


def test_a_slot_is_given_back_once() -> None:
    limit = ExportLimit(1)
    slot = limit.take()
    with pytest.raises(ExportsBusy):
        limit.take()
    slot.release()
    slot.release()  # the stream's end and the background task may both release
    limit.take()
    with pytest.raises(ExportsBusy):
        limit.take()


def test_a_stream_holds_a_gate_slot_and_gives_everything_back_when_cut_short() -> None:
    gate = RequestGate(1, wait_seconds=0.1)
    limit = ExportLimit(1)
    slot = limit.take()
    closed: list[bool] = []

    def chunks() -> Generator[str, None, None]:
        try:
            yield from ("a", "b", "c")
        finally:
            closed.append(True)

    async def read_one() -> tuple[str, int]:
        body = through_gate(gate, chunks(), slot)
        first = await anext(body)
        in_use = gate.in_use
        await body.aclose()  # the client went away
        return first, in_use

    assert anyio.run(read_one) == ("a", 1)
    assert closed == [True]
    assert gate.in_use == 0
    limit.take()  # the export slot was given back
