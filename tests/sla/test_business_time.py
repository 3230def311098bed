"""Business time in SQL (`business_seconds`, `business_due` over `business_seconds_cum`) equals
a brute-force walk over minutes (tests/sla/walk.py) for random calendars: several intervals a
day (split shifts, overlapping, up to midnight), holidays, zones with DST changes (Berlin,
New York, Lord Howe's half-hour shift) or none, spans of up to four weeks starting anywhere,
in or out of hours."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_analytics.db import migrate
from support_analytics.db.engine import libpq_url
from tests.conftest import PgServer
from tests.examples import examples
from tests.sla import walk
from tests.sla.walk import WalkCalendar

# The calendars here are rebuilt over this range only (the migration's is 2000-2060).
RANGE_FIRST = date(2024, 12, 1)
RANGE_END = date(2026, 3, 1)
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")
# DST changes of 2025 in those zones, and a quiet summer day.
ANCHORS = (
    datetime(2025, 3, 9, 7, tzinfo=UTC),
    datetime(2025, 3, 30, 1, tzinfo=UTC),
    datetime(2025, 4, 5, 15, tzinfo=UTC),
    datetime(2025, 10, 4, 15, tzinfo=UTC),
    datetime(2025, 10, 26, 1, tzinfo=UTC),
    datetime(2025, 11, 2, 6, tzinfo=UTC),
    datetime(2025, 7, 15, 12, tzinfo=UTC),
)
DAY = 86_400


@pytest.fixture(scope="module")
def conn(pg_server: PgServer) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A migrated database without tickets; every test rolls its calendars back."""
    with pg_server.scratch_database("sa_sla_time") as url:
        migrate.upgrade(url)
        with psycopg.connect(libpq_url(url)) as conn:
            yield conn


intervals = st.tuples(st.integers(0, 1439), st.integers(1, 720)).map(
    lambda pair: (pair[0], min(1440, pair[0] + pair[1]))
)


@st.composite
def calendars(draw: st.DrawFn) -> WalkCalendar:
    hours = {
        weekday: draw(st.lists(intervals, max_size=3))
        for weekday in range(1, 8)
        if draw(st.integers(0, 4)) > 0
    }
    if draw(st.booleans()):
        # Office hours with a lunch break on weekdays: the common split shift.
        for weekday in range(1, 6):
            hours[weekday] = [(8 * 60, 12 * 60), (13 * 60, 17 * 60 + 30)]
    holidays = draw(st.frozensets(st.dates(date(2025, 2, 20), date(2025, 12, 20)), max_size=30))
    return WalkCalendar(timezone=draw(st.sampled_from(ZONES)), hours=hours, holidays=holidays)


@st.composite
def spans(draw: st.DrawFn) -> tuple[datetime, datetime]:
    anchor = draw(st.sampled_from(ANCHORS))
    start = anchor + timedelta(
        seconds=draw(st.integers(-10 * DAY, 10 * DAY)),
        microseconds=draw(st.sampled_from((0, 0, 1, 499_999, 999_999))),
    )
    length = draw(st.one_of(st.integers(0, DAY), st.integers(0, 28 * DAY)))
    return start, start + timedelta(seconds=length, microseconds=draw(st.integers(0, 999_999)))


def _install(conn: psycopg.Connection[tuple[object, ...]], calendar: WalkCalendar) -> int:
    row = conn.execute(
        "INSERT INTO business_calendars (name, timezone) VALUES (%s, %s) RETURNING id",
        (uuid.uuid4().hex, calendar.timezone),
    ).fetchone()
    assert row is not None
    calendar_id = int(str(row[0]))
    for weekday, day_hours in calendar.hours.items():
        for start, end in day_hours:
            conn.execute(
                "INSERT INTO business_hours (calendar_id, weekday, start_time, end_time)"
                " VALUES (%s, %s, make_time(%s, %s, 0), make_time(%s, %s, 0))",
                (calendar_id, weekday, start // 60, start % 60, end // 60, end % 60),
            )
    for day in calendar.holidays:
        conn.execute(
            "INSERT INTO business_holidays (calendar_id, day) VALUES (%s, %s)", (calendar_id, day)
        )
    conn.execute(
        "SELECT business_calendar_rebuild(%s, %s, %s)", (calendar_id, RANGE_FIRST, RANGE_END)
    )
    return calendar_id


def _micros(seconds: object) -> int:
    return round(float(str(seconds)) * walk.MICROS)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(calendar=calendars(), span=spans(), fraction=st.floats(0, 1), data=st.data())
def test_business_seconds_and_due_equal_the_walk(
    conn: psycopg.Connection[tuple[object, ...]],
    calendar: WalkCalendar,
    span: tuple[datetime, datetime],
    fraction: float,
    data: st.DataObject,
) -> None:
    start, end = span
    try:
        calendar_id = _install(conn, calendar)
        row = conn.execute(
            "SELECT business_seconds(%s, %s, %s)", (calendar_id, start, end)
        ).fetchone()
        assert row is not None
        expected = walk.business_micros(calendar, start, end)
        assert abs(_micros(row[0]) - expected) <= 1, (row[0], expected / walk.MICROS)

        # The inverse: whole seconds, or a number of microseconds, reachable inside the span.
        goal = int(expected * fraction)
        if data.draw(st.booleans()):
            goal -= goal % walk.MICROS
        due_row = conn.execute(
            "SELECT business_due(%s, %s, %s)", (calendar_id, start, goal / walk.MICROS)
        ).fetchone()
        assert due_row is not None
        assert due_row[0] == walk.due(calendar, start, goal), (goal, due_row[0])
    finally:
        conn.rollback()


def test_a_known_week_in_berlin(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Mon-Fri 09:00-17:00 Europe/Berlin with Good Friday 2025 off, over the spring change."""
    calendar = WalkCalendar(
        timezone="Europe/Berlin",
        hours={d: [(9 * 60, 17 * 60)] for d in range(1, 6)},
        holidays=frozenset({date(2025, 4, 18)}),
    )
    try:
        calendar_id = _install(conn, calendar)
        # Friday 16:00 CET to Tuesday 10:00 CEST: 1 h + 8 h + 1 h.
        start = datetime(2025, 3, 28, 15, tzinfo=UTC)
        end = datetime(2025, 4, 1, 8, tzinfo=UTC)
        row = conn.execute(
            "SELECT business_seconds(%s, %s, %s), business_due(%s, %s, 7200)",
            (calendar_id, start, end, calendar_id, start),
        ).fetchone()
        assert row is not None
        assert float(str(row[0])) == 10 * 3600
        # Two business hours after Friday 16:00 CET: Monday 10:00 CEST.
        assert row[1] == datetime(2025, 3, 31, 8, tzinfo=UTC)
        # Thursday 16:00 CEST before Good Friday: one hour that day, Friday off, the second
        # hour on Monday (not a holiday here) until 10:00 CEST.
        row = conn.execute(
            "SELECT business_due(%s, %s, 7200)",
            (calendar_id, datetime(2025, 4, 17, 14, tzinfo=UTC)),
        ).fetchone()
        assert row is not None
        assert row[0] == datetime(2025, 4, 21, 8, tzinfo=UTC)
    finally:
        conn.rollback()
