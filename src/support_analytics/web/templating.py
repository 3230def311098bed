"""The one Jinja2 environment every page renders with, and the number/date formats it shows.

Formatting lives here, not in templates, so every page writes 42,900 tickets, 12.3 h and
$1,234.50 the same way and a missing value always reads as an em dash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request

from support_analytics.app_settings import app_settings
from support_analytics.auth.dependencies import display_zone
from support_analytics.config import get_settings
from support_analytics.dates import day_text, moment_text, month_text
from support_analytics.tickets.status import vocabulary

MISSING = "—"
TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def thousands(value: int | float | Decimal | None) -> str:
    """42900 → "42,900"; floats keep no decimals (counts are whole)."""
    if value is None:
        return MISSING
    return f"{round(value):,}"


def hours(value: float | Decimal | None) -> str:
    """Hours with one decimal and thousands separators: 1234.56 → "1,234.6"."""
    if value is None:
        return MISSING
    return f"{float(value):,.1f}"


def one_decimal(value: float | Decimal | None) -> str:
    """Ratings and other small means: 4.236 → "4.2"."""
    if value is None:
        return MISSING
    return f"{float(value):.1f}"


def percent(value: float | Decimal | None, decimals: int = 1) -> str:
    """A value already in percent (0 to 100): 12.345 → "12.3%"."""
    if value is None:
        return MISSING
    return f"{float(value):,.{decimals}f}%"


def money(value: str | int | float | Decimal | None) -> str:
    """US dollars (the reference data's currency) with the sign in front: "-299.00" → "-$299.00"."""
    if value is None or value == "":
        return MISSING
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def signed_delta(value: float | Decimal | None, decimals: int = 1) -> str:
    """A period-over-period change: 3.26 → "+3.3%", -1 → "-1.0%", 0 → "±0.0%"."""
    if value is None:
        return MISSING
    number = float(value)
    sign = "+" if number > 0 else ("-" if number < 0 else "±")
    return f"{sign}{abs(number):,.{decimals}f}%"


def _reporting(context: Context) -> str:
    """The reporting timezone of the app serving the request. Only a template rendered
    without a request (no page is; the filters' tests are) falls back to the process's."""
    request = context.get("request")
    if isinstance(request, Request):
        return app_settings(request).reporting_timezone
    return get_settings().reporting_timezone


def _zone(context: Context) -> ZoneInfo:
    """The reader's zone on a page (`display_zone`: theirs, else the reporting one)."""
    request = context.get("request")
    if isinstance(request, Request):
        return display_zone(request)
    return ZoneInfo(_reporting(context))


@dataclass(frozen=True)
class Zones:
    shown: str
    """The zone every time on the page is in (the footer names it; JavaScript reads it from
    `<body data-timezone>`)."""
    reporting: str
    """The zone days, weeks and months are counted in (date filters, charts, reports)."""


@pass_context
def page_zones(context: Context) -> Zones:
    return Zones(shown=_zone(context).key, reporting=_reporting(context))


def _localise(context: Context, value: datetime | date | str | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(_zone(context))
    return value


@pass_context
def local_date(context: Context, value: datetime | date | str | None) -> str:
    """The day of a moment in the reader's zone, or a calendar day as it is: "14 Mar 2025"
    (`support_analytics.dates`)."""
    moment = _localise(context, value)
    return MISSING if moment is None else day_text(moment)


@pass_context
def local_datetime(context: Context, value: datetime | date | str | None) -> str:
    """A moment in the reader's zone, to the minute, zone named: "14 Mar 2025 09:30 UTC"."""
    moment = _localise(context, value)
    if moment is None:
        return MISSING
    if isinstance(moment, datetime):
        return moment_text(moment)
    return day_text(moment)


def month_label(value: str) -> str:
    """ "2025-03" → "Mar 2025"."""
    try:
        return month_text(datetime.strptime(value, "%Y-%m"))
    except ValueError:
        return value


def day_label(value: str) -> str:
    """ "2025-03-14" → "14 Mar 2025" (a day the server holds as ISO text)."""
    try:
        return day_text(date.fromisoformat(value))
    except ValueError:
        return value


def _static_version(path: str) -> str:
    try:
        return str(int((STATIC_DIR / path).stat().st_mtime))
    except OSError:
        return "0"


def static_url(path: str) -> str:
    """A root-relative URL (right behind any proxy) that changes when the file does."""
    return f"/static/{path}?v={_static_version(path)}"


def _build() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    env = templates.env
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(
        thousands=thousands,
        hours=hours,
        one_decimal=one_decimal,
        percent=percent,
        money=money,
        signed_delta=signed_delta,
        local_date=local_date,
        local_datetime=local_datetime,
        month_label=month_label,
        day_label=day_label,
    )
    env.globals["static_url"] = static_url
    env.globals["page_zones"] = page_zones
    env.globals["vocabulary"] = vocabulary()
    return templates


templates = _build()
