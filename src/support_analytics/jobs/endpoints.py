"""`GET /api/v1/jobs` and the `/admin/jobs` page: the queue, for admins only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from support_analytics.auth.dependencies import AdminUser
from support_analytics.errors import error_responses
from support_analytics.jobs.queries import JobList, list_jobs
from support_analytics.web.templating import templates

router = APIRouter(prefix="/api/v1", tags=["jobs"])
pages = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)


@router.get("/jobs", responses=error_responses(401, 403))
def jobs(request: Request, _admin: AdminUser) -> JobList:
    """Background jobs: counts per status and the newest 200 (queued, running, waiting for a
    retry with its next attempt time, failed). Successful jobs are removed when they finish."""
    return list_jobs(request.app.state.database)


@pages.get("/jobs")
def jobs_page(request: Request, admin: AdminUser) -> Response:
    return templates.TemplateResponse(
        request,
        "admin/jobs.html",
        {"principal": admin, "jobs": list_jobs(request.app.state.database)},
    )
