"""Reading digests that arrived at the loopback SMTP server."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from email.message import EmailMessage

from tests.mail.smtp import Received

# A Monday: a weekly digest on Mondays covers 3-9 March 2025 (reference data has tickets).
MONDAY = datetime(2025, 3, 10, 8, 5, tzinfo=UTC)
WEEK = ("2025-03-03", "2025-03-09")


def attachment(mail: Received) -> str:
    for part in mail.message.iter_attachments():
        assert isinstance(part, EmailMessage)
        content = part.get_content()
        assert isinstance(content, str)
        return content
    raise AssertionError("no attachment")


def numbers(mail: Received) -> dict[str, tuple[str, str]]:
    """metric -> (current, previous) from the CSV attachment."""
    rows = csv.DictReader(io.StringIO(attachment(mail)))
    return {row["metric"]: (row["current"], row["previous"]) for row in rows}
