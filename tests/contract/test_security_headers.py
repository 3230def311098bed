"""The script CSP (self + a per-response nonce that every inline script carries), no caching of
API JSON and CSV, and API docs that load nothing from another host."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-+/=]+)'")


def _script_src(policy: str) -> str:
    for directive in policy.split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "script-src":
            return value
    raise AssertionError(f"no script-src in {policy!r}")


def _nonce(response_headers: dict[str, str] | object) -> str:
    assert isinstance(response_headers, dict)
    policy = response_headers["content-security-policy"]
    script_src = _script_src(policy)
    assert "'unsafe-inline'" not in script_src
    assert "'self'" in script_src
    match = NONCE.search(script_src)
    assert match, policy
    return match.group(1)


def _inline_scripts_carry(html: str, nonce: str) -> int:
    inline = [tag for tag in SCRIPT_TAG.findall(html) if " src=" not in tag]
    for tag in inline:
        assert f'nonce="{nonce}"' in tag, tag
    return len(inline)


def test_pages_inline_scripts_carry_the_headers_nonce(
    api_client_factory: ApiClientFactory,
) -> None:
    manager = api_client_factory("manager")
    seen: set[str] = set()
    inline_total = 0
    for path in ("/dashboard/over-time", "/dashboard/distribution", "/dashboard/resolution"):
        for headers in ({}, {"HX-Request": "true"}):
            response = manager.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text[:200])
            nonce = _nonce(dict(response.headers))
            assert nonce not in seen  # a fresh nonce for every response
            seen.add(nonce)
            inline_total += _inline_scripts_carry(response.text, nonce)
    assert inline_total > 0
    # No inline event handlers anywhere: the CSP would block them.
    client = api_client_factory("client_a")
    portal = client.get("/portal/")
    assert portal.status_code == 200
    assert not re.search(r"\son[a-z]+=", portal.text)


def test_api_json_and_csv_are_not_stored(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    for url in (
        "/api/v1/me",
        "/api/v1/analytics/overview",
        "/api/v1/analytics/priorities?format=csv",
        "/api/v1/tickets?format=csv&page_size=1",
        "/api/v1/nowhere",
    ):
        response = manager.get(url)
        assert response.headers.get("cache-control") == "no-store", url


def test_api_docs_are_served_from_this_origin(api_client_factory: ApiClientFactory) -> None:
    anonymous: TestClient = api_client_factory("anonymous")
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), html
    assert "/static/vendor/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui.css" in html
    assert "validatorUrl" in html
    assert _inline_scripts_carry(html, _nonce(dict(response.headers))) == 1
    for asset in ("/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css"):
        assert anonymous.get(asset).status_code == 200
