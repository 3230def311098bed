"""Result tables as CSV: a header row, RFC 4180 quoting, streamed in chunks. Text cells that
a spreadsheet would run as a formula are prefixed with `'` (client names are user data)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from fastapi.responses import StreamingResponse
from pydantic import BaseModel

CHUNK_ROWS = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | Decimal | datetime | None


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def lines(columns: Sequence[str], rows: Iterable[BaseModel]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for number, row in enumerate(rows, start=1):
        writer.writerow([cell(getattr(row, column)) for column in columns])
        if number % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_response(name: str, model: type[BaseModel], rows: Sequence[BaseModel]) -> StreamingResponse:
    """`rows` are materialised by the caller: the request's transaction ends before the body
    is sent."""
    columns = list(model.model_fields)
    return StreamingResponse(
        lines(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
