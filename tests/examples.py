"""How many examples a property test draws. The PostgreSQL 18 pass draws what each test asks;
the PostgreSQL 15 pass proves the same SQL runs the same on the older server, which a few
examples per test show as well as hundreds (every statement shape runs in each), so it sets
SUPPORT_ANALYTICS_TEST_EXAMPLE_SHARE (see the Makefile) and draws that share, at least 10."""

from __future__ import annotations

import math
import os

from hypothesis import HealthCheck

# Property tests here take database fixtures per test and query a real server.
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _share() -> float:
    raw = os.environ.get("SUPPORT_ANALYTICS_TEST_EXAMPLE_SHARE", "1")
    share = float(raw)
    if not 0 < share <= 1:
        raise ValueError(f"SUPPORT_ANALYTICS_TEST_EXAMPLE_SHARE must be in (0, 1], not {raw}")
    return share


def examples(wanted: int) -> int:
    """`wanted`, or this pass's share of it."""
    return min(wanted, max(10, math.ceil(wanted * _share())))
