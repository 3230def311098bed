"""What the HTTP server believes about a request's origin, and what it writes to its access
log. Passed to uvicorn by `serve` (cli/serve.py); both apply in every worker process.

Forwarded headers: `X-Forwarded-For` decides the client address the sign-in throttle counts
by, and `X-Forwarded-Proto` whether the session cookie is marked Secure. Anyone can send
them, so they are believed only from the reverse proxies named in
SUPPORT_ANALYTICS_TRUSTED_PROXIES; by default from nobody (uvicorn's own default trusts
127.0.0.1, which on a shared machine is every local user).

Access log: invite and reset links carry their single-use token in the path
(`/set-password/<token>`); the log shows `/set-password/[redacted]` instead, so reading logs
does not give anyone an account.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass

from uvicorn.config import LOGGING_CONFIG

from support_analytics.config import LogFormat, Settings
from support_analytics.web.log_format import JsonFormatter
from support_analytics.web.request_id import RequestIdFilter

_TOKEN_IN_PATH = re.compile(r"(/set-password/)[^/?#\s]+")
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Forwarding:
    proxy_headers: bool
    forwarded_allow_ips: str


def forwarding(settings: Settings) -> Forwarding:
    trusted = ",".join(part.strip() for part in settings.trusted_proxies.split(",") if part.strip())
    return Forwarding(proxy_headers=bool(trusted), forwarded_allow_ips=trusted)


def redact(path: str) -> str:
    return _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", path)


class RedactTokens(logging.Filter):
    """For `uvicorn.access`, whose records carry the path as their third argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def log_config(log_format: LogFormat = "text") -> dict[str, object]:
    """uvicorn's default logging, with the access log's tokens redacted; `json`: one JSON
    object per line (web/log_format.py) instead of uvicorn's coloured text."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_tokens"]
    # Every line names its request (web/request_id.py); the app's own loggers share the
    # server's handler so their lines carry it too (and still propagate, for pytest's caplog).
    config["filters"]["request_id"] = {"()": RequestIdFilter}
    for handler in config["handlers"].values():
        handler["filters"] = ["request_id"]
    for formatter in config["formatters"].values():
        formatter["fmt"] = formatter["fmt"].replace(
            "%(levelprefix)s", "%(levelprefix)s [%(request_id)s]", 1
        )
    config["loggers"]["support_analytics"] = {"handlers": ["default"], "level": "INFO"}
    if log_format == "json":
        config["formatters"] = {name: {"()": JsonFormatter} for name in config["formatters"]}
    result: dict[str, object] = config
    return result
