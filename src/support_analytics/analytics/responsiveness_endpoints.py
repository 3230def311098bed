"""/api/v1/analytics/responsiveness/histogram and /over-time: the first response time charts
of the Responsiveness view, internal users only, under the full filter bar, JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from support_analytics.analytics import responsiveness_charts as charts
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser, Principal
from support_analytics.errors import error_responses
from support_analytics.export import bom_param, csv_response
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params


def _internal(user: InternalUser) -> Principal:
    return user


router = APIRouter(
    prefix="/api/v1/analytics",
    tags=["analytics"],
    dependencies=[Depends(_internal), Depends(reject_unknown_query_params), Depends(bom_param)],
    responses=error_responses(401, 403, 422, 503),
)

Format = Annotated[
    Literal["json", "csv"],
    Query(description="`csv`: the table as CSV with a header row."),
]
GrainParam = Annotated[
    charts.Grain,
    Query(description="Points per `day`, `week` (Monday to Sunday) or `month`."),
]

HISTOGRAM_EXAMPLE = {
    "bars": [
        {"label": "0 min-15 min", "lower_hours": 0.0, "upper_hours": 0.25, "count": 410},
        {"label": "15 min-30 min", "lower_hours": 0.25, "upper_hours": 0.5, "count": 0},
        {"label": "30 min-1 h", "lower_hours": 0.5, "upper_hours": 1.0, "count": 42490},
        {"label": "1 h-2 h", "lower_hours": 1.0, "upper_hours": 2.0, "count": 0},
    ]
}
OVER_TIME_EXAMPLE = {
    "grain": "month",
    "series": [
        {"period": "2025-01", "count": 3575, "median_hours": 0.5, "p90_hours": 0.5},
        {"period": "2025-02", "count": 3575, "median_hours": 0.5, "p90_hours": 0.5},
    ],
}


RESPONSIVENESS_EXAMPLE = {
    "first_response": {
        "count": 42900,
        "awaiting": 0,
        "median_hours": 0.5,
        "p90_hours": 0.5,
        "avg_hours": 0.4987,
    },
    "by_priority": [
        {
            "priority": "urgent",
            "count": 4290,
            "awaiting": 0,
            "median_hours": 0.5,
            "p90_hours": 0.5,
            "avg_hours": 0.4968,
        }
    ],
    "one_touch": {"resolved": 30030, "one_touch": 135, "pct": 0.45},
}
TEAM_EXAMPLE = {
    "rows": [
        {
            "team_member_id": 1,
            "name": "John Smith",
            "first_replies": 2860,
            "median_first_response_hours": 0.5,
        }
    ]
}


def _examples(example: object) -> dict[int | str, dict[str, object]]:
    return {
        200: {
            "content": {
                "application/json": {
                    "examples": {
                        "shape": {
                            "summary": "The response's shape (numbers illustrative)",
                            "value": example,
                        }
                    }
                },
                "text/csv": {},
            }
        }
    }


RESPONSIVENESS_RESPONSES = _examples(RESPONSIVENESS_EXAMPLE)
TEAM_RESPONSES = _examples(TEAM_EXAMPLE)


@router.get(
    "/responsiveness/histogram",
    response_model=charts.FrtHistogram,
    responses=_examples(HISTOGRAM_EXAMPLE),
)
def get_frt_histogram(
    db: DbSession, filters: TicketFiltersParam, tz: ReportingZone, format: Format = "json"
) -> Response:
    """Tickets with a first reply per first-response-time bar (lower <= FRT < upper hours;
    the last bar open-ended), ticket creation day under the date filter. Exact."""
    result = charts.histogram(db, filters, tz)
    if format == "csv":
        return csv_response("frt-histogram", charts.FrtBar, result.bars)
    return Response(result.model_dump_json(), media_type="application/json")


@router.get(
    "/responsiveness/over-time",
    response_model=charts.FrtOverTime,
    responses=_examples(OVER_TIME_EXAMPLE),
)
def get_frt_over_time(
    db: DbSession,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    grain: GrainParam = "month",
    format: Format = "json",
) -> Response:
    """Per creation day, week or month: tickets with a first reply, median and p90 first
    response time (continuous percentiles, exact); periods without one are left out."""
    result = charts.over_time(db, filters, tz, grain)
    if format == "csv":
        return csv_response("frt-over-time", charts.FrtPoint, result.series)
    return Response(result.model_dump_json(), media_type="application/json")
