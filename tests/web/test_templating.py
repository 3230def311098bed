"""Every page formats numbers and dates the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from support_analytics.web import templating


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42900, "42,900"), (0, "0"), (1234567.4, "1,234,567"), (None, "—")],
)
def test_thousands(value: int | float | None, expected: str) -> None:
    assert templating.thousands(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.345, "12.3"), (1234.56, "1,234.6"), (0.0, "0.0"), (Decimal("7.25"), "7.2"), (None, "—")],
)
def test_hours_have_one_decimal(value: float | Decimal | None, expected: str) -> None:
    assert templating.hours(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1234.5", "$1,234.50"), ("-299.00", "-$299.00"), (Decimal(0), "$0.00"), (None, "—")],
)
def test_money(value: str | Decimal | None, expected: str) -> None:
    assert templating.money(value) == expected


def test_percent_and_delta() -> None:
    assert templating.percent(12.345) == "12.3%"
    assert templating.signed_delta(3.25) == "+3.2%"
    assert templating.signed_delta(-1) == "-1.0%"
    assert templating.signed_delta(0) == "±0.0%"
    assert templating.signed_delta(None) == "—"


def test_dates_render_in_the_reporting_timezone() -> None:
    env = templating.templates.env
    moment = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
    rendered = env.from_string("{{ m | local_date }} {{ m | local_datetime }}").render(m=moment)
    assert rendered == "14 Mar 2025 14 Mar 2025 23:30 UTC"
    assert env.from_string("{{ d | local_date }}").render(d=date(2025, 1, 2)) == "2 Jan 2025"
    assert env.from_string("{{ none | local_date }}").render(none=None) == "—"


def test_month_label() -> None:
    assert templating.month_label("2025-03") == "Mar 2025"
    assert templating.month_label("garbage") == "garbage"
