"""Webhook endpoints: the signing secret, the signature, the host allow-list and the POST.

The secret is never stored. Each endpoint has a random salt; its secret is
`whsec_` + base64url(HMAC-SHA256(K, "alert-webhook:" + salt)), where K is the
`alert-webhook` key of `signing_keys` (readable by the owner login only). The admin who
adds the endpoint is shown the secret once; afterwards only the sender can derive it again.

Signature header, on every POST:

    X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>

The receiver recomputes it over the raw body and refuses old timestamps (docs/alerts.md has
a verification example)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message as HTTPMessage
from typing import IO
from urllib.parse import urlsplit

from typing_extensions import override

from support_analytics.errors import InvalidInput

SIGNATURE_HEADER = "X-Signature"
TIMEOUT_SECONDS = 5.0
SALT_BYTES = 16
URL_MAX = 2000


def derive_secret(key: bytes, salt: bytes) -> str:
    digest = hmac.new(key, b"alert-webhook:" + salt, hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def signature(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The `X-Signature` value for `body` sent at `timestamp` (now by default)."""
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (used by the tests and shown in the docs)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance:
        return False
    expected = signature(secret, body, timestamp=t).split(",v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def allowed_hosts(setting: str) -> tuple[str, ...]:
    return tuple(h.strip().lower() for h in setting.split(",") if h.strip())


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Exact names, or `*.example.com` for its subdomains."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
        if host == entry:
            return True
    return False


def check_url(url: str, allowed_setting: str) -> str:
    """An http(s) URL whose host is on SUPPORT_ANALYTICS_WEBHOOK_ALLOWED_HOSTS; a 422
    naming `url` otherwise."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise InvalidInput(f"url: at most {URL_MAX} characters", field="url")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput("url: must be an http:// or https:// address", field="url")
    if parts.username or parts.password:
        raise InvalidInput("url: must not carry a user name or password", field="url")
    allowed = allowed_hosts(allowed_setting)
    if not host_allowed(parts.hostname, allowed):
        listed = ", ".join(allowed) or "none (SUPPORT_ANALYTICS_WEBHOOK_ALLOWED_HOSTS is empty)"
        raise InvalidInput(
            f"url: host {parts.hostname!r} is not allowed. Allowed: {listed}", field="url"
        )
    return url


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None
    error: str | None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead past the allow-list (to an internal address): never followed.
    @override
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, secret: str) -> Outcome:
    """One POST (blocking); 2xx is delivered, anything else is an outcome to log and retry."""
    request = urllib.request.Request(  # noqa: S310 (scheme checked by check_url)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "support-analytics-alerts",
            SIGNATURE_HEADER: signature(secret, body),
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return Outcome(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, None, f"{type(exc).__name__}: {reason}"[:300])
    if 200 <= status < 300:
        return Outcome(True, status, None)
    return Outcome(False, status, f"HTTP {status}")
