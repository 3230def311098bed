"""When a digest is due and which days it covers (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from support_analytics.digests.schedule import CATCH_UP, Period, due_period, latest_slot

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")


def test_a_daily_digest_covers_yesterday_in_the_recipients_zone() -> None:
    # 07:15 UTC is 08:15 in Berlin (winter): the 08:00 slot of 10 March has passed.
    now = datetime(2025, 3, 10, 7, 15, tzinfo=UTC)
    assert due_period("daily", 8, 1, BERLIN, now) == Period(date(2025, 3, 9), date(2025, 3, 9))
    # In UTC it is not 08:00 yet: the latest slot is yesterday's, 23 hours old.
    assert due_period("daily", 8, 1, ZoneInfo("UTC"), now) is None


def test_a_weekly_digest_covers_the_seven_days_before_its_weekday() -> None:
    now = datetime(2025, 3, 10, 8, 5, tzinfo=UTC)  # a Monday
    assert due_period("weekly", 8, 1, ZoneInfo("UTC"), now) == Period(
        date(2025, 3, 3), date(2025, 3, 9)
    )
    assert due_period("weekly", 8, 2, ZoneInfo("UTC"), now) is None  # Tuesday's is days old


def test_half_hour_zones_and_the_catch_up_window() -> None:
    slot = datetime(2025, 3, 10, 2, 30, tzinfo=UTC)  # 08:00 in Kolkata
    assert due_period("daily", 8, 1, KOLKATA, slot - timedelta(minutes=1)) is None
    assert due_period("daily", 8, 1, KOLKATA, slot) is not None
    assert due_period("daily", 8, 1, KOLKATA, slot + CATCH_UP - timedelta(minutes=1))
    assert due_period("daily", 8, 1, KOLKATA, slot + CATCH_UP) is None


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)),
    st.integers(0, 23),
    st.integers(1, 7),
    st.sampled_from([BERLIN, KOLKATA, ZoneInfo("America/New_York"), ZoneInfo("UTC")]),
)
def test_the_latest_slot_is_past_recent_and_on_its_weekday(
    naive: datetime, hour: int, weekday: int, zone: ZoneInfo
) -> None:
    now = naive.replace(tzinfo=UTC)
    weekly = latest_slot("weekly", hour, weekday, zone, now)
    assert weekly <= now
    assert now - weekly < timedelta(days=7, hours=2)
    assert weekly.date().isoweekday() == weekday
    daily = latest_slot("daily", hour, 1, zone, now)
    assert daily <= now
    assert now - daily < timedelta(days=1, hours=2)
