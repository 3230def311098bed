"""/api/v1/docs: Swagger UI from our own vendored swagger-ui-dist, so the API reference works
offline and under the CSP (its one inline script carries the response's nonce; no CDN, no
favicon fetch, no validator badge calling validator.swagger.io)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from support_analytics.web.security import csp_nonce

DOCS_PATH = "/api/v1/docs"
OPENAPI_PATH = "/api/v1/openapi.json"

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
def swagger_ui(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_PATH,
        title="support-analytics API",
        swagger_js_url="/static/vendor/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui.css",
        swagger_favicon_url="data:,",
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{csp_nonce(request)}">')
    return HTMLResponse(html)
