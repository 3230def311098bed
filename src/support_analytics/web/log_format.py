"""One JSON object per log line (SUPPORT_ANALYTICS_LOG_FORMAT=json), for log shippers.

Every line has `time` (UTC, ISO 8601), `level`, `logger`, `request_id` (web/request_id.py;
`-` outside a request) and `message`; access-log lines add `client`, `method`, `path` and
`status` as fields of their own, and a logged exception its traceback as `exception`. What
is written is what the filters left: link tokens in paths are redacted before formatting
(web/server_options.py), and no logger of the app is handed a password, a session token or a
cookie (tests/ops/test_logs.py signs in, fails a sign-in, invites and resets, and looks).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from support_analytics.web.request_id import NO_REQUEST

# uvicorn.access records: (client_addr, method, full_path, http_version, status_code).
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) == len(_ACCESS_FIELDS)
        ):
            line.update(zip(_ACCESS_FIELDS, record.args, strict=True))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)
