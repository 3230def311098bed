"""CSV export: the one writer for every table and ticket list.

- Text cells are always quoted; numbers are not (spreadsheets read them as numbers). The header
  row is our own column names, unquoted.
- Formula injection: a text cell starting with `= + - @`, a tab or a carriage return gets a
  leading `'`, and so does every formula start right after a `;`, `,` or tab inside a cell:
  a spreadsheet that splits on `;` (most European locales) would otherwise read the title
  `x;=cmd|' /C calc'!A0` as two cells, the second one a formula. Client names and ticket
  titles are typed by clients, so nothing else in a cell is trusted either.
- Floats (hours, ratings, percentages) are rounded to 2 places; datetimes are ISO 8601 with
  offset, days ISO dates.
- `?bom=1` starts the file with a UTF-8 byte order mark, so Excel reads it as UTF-8.
- File names say what and when: `team-performance_2025-04-01_2025-06-30.csv` for a closed date
  filter, `tickets_2026-11-29.csv` (the export day in the reporting timezone) otherwise.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.types import Receive, Scope, Send

from support_analytics.errors import InvalidInput
from support_analytics.filters.grammar import DateFilter, parse_date

CHUNK_ROWS = 500
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t])([=+\-@])")

Written = str | int | float | Decimal


def escape_text(text: str) -> str:
    """Neutralise every place a spreadsheet could start a formula (see the module doc)."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def cell(value: object) -> Written:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return escape_text(str(value))


def lines(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header, then the rows in chunks of CHUNK_ROWS (a chunk is one write to the client)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(columns)
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    for number, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if number % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def model_rows(columns: Sequence[str], rows: Iterable[BaseModel]) -> Iterator[list[object]]:
    for row in rows:
        yield [getattr(row, column) for column in columns]


def bom_param(
    bom: Annotated[
        bool,
        Query(
            description="With `format=csv`: `1` starts the file with a UTF-8 byte order "
            "mark, for Excel."
        ),
    ] = False,
) -> bool:
    return bom


def file_name(what: str, flt: DateFilter | None, today: date) -> str:
    if flt is not None and flt.start is not None and flt.end is not None:
        if flt.start == flt.end:
            return f"{what}_{flt.start.isoformat()}.csv"
        return f"{what}_{flt.start.isoformat()}_{flt.end.isoformat()}.csv"
    if flt is not None and flt.start is not None:
        return f"{what}_{flt.start.isoformat()}_{today.isoformat()}.csv"
    return f"{what}_{today.isoformat()}.csv"


class CsvResponse(StreamingResponse):
    """A streamed CSV attachment. `bom` and the file name's dates come from the request's own
    query string when the response is sent, so every route gets them without extra plumbing
    (the route has already validated `date`)."""

    def __init__(
        self,
        what: str,
        chunks: Iterable[str] | AsyncIterable[str],
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(chunks, media_type="text/csv; charset=utf-8", background=background)
        self.what = what

    def _prepare(self, scope: Scope) -> bool:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        bom = (query.get("bom") or [""])[0].lower() in {"1", "true", "yes", "on"}
        raw_date = (query.get("date") or [""])[0]
        zone = ZoneInfo(scope["app"].state.settings.reporting_timezone)
        today = datetime.now(zone).date()
        try:
            flt = parse_date(raw_date, today=today) if raw_date.strip() else None
        except InvalidInput:
            flt = None
        name = file_name(self.what, flt, today)
        self.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        self.headers["Cache-Control"] = "no-store"
        return bom

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._prepare(scope):
            self.body_iterator = _with_bom(self.body_iterator)
        await super().__call__(scope, receive, send)


async def _with_bom(chunks: AsyncIterable[str | bytes | memoryview]) -> AsyncIterator[str]:
    yield BOM
    async for chunk in chunks:
        yield chunk if isinstance(chunk, str) else bytes(chunk).decode()


def csv_response(what: str, model: type[BaseModel], rows: Sequence[BaseModel]) -> CsvResponse:
    """A result table as CSV, one column per field of `model`. `rows` are materialised by the
    caller: the request's transaction ends before the body is sent."""
    columns = list(model.model_fields)
    return CsvResponse(what, lines(columns, model_rows(columns, rows)))
