"""A computed digest as a mail: HTML and plain text from `mail/templates/digest.*`, the key
numbers as a CSV attachment (the one CSV writer, `export.lines`), and a List-Unsubscribe
header with the signed link. Dates are the period's days; moments (SLA due times) are shown
in the recipient's own timezone."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from support_analytics.dates import day_text, moment_text
from support_analytics.digests.content import Digest, Number
from support_analytics.export import lines
from support_analytics.mail.message import Attachment, Mail, render
from support_analytics.sla.schemas import TARGET_LABELS
from support_analytics.web.templating import MISSING
from support_analytics.web.urls import url

CSV_COLUMNS = ("metric", "period", "current", "previous", "change_pct")


@dataclass(frozen=True)
class Links:
    base_url: str
    unsubscribe: str
    internal: bool


def number_text(number: Number, value: float | None) -> str:
    if value is None:
        return MISSING
    if number.unit == "count":
        return f"{int(value):,}"
    if number.unit == "hours":
        return f"{value:,.1f} h"
    if number.unit == "rating":
        return f"{value:.2f}"
    return f"{value:.1f}%"


def change_text(number: Number) -> str:
    change = number.change_pct
    if change is None:
        return "no comparison" if number.previous is None else MISSING
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    return f"{sign}{abs(change):.1f}%"


def period_text(digest: Digest) -> str:
    period = digest.period
    if period.start == period.end:
        return day_text(period.start)
    return f"{day_text(period.start)} to {day_text(period.end)}"


def _csv_value(number: Number, value: float | None) -> float | int | None:
    return int(value) if value is not None and number.unit == "count" else value


def csv_text(digest: Digest) -> str:
    rows = [
        (
            n.key,
            digest.period.date_filter(),
            _csv_value(n, n.current),
            _csv_value(n, n.previous),
            n.change_pct,
        )
        for n in digest.numbers
    ]
    return "".join(lines(CSV_COLUMNS, rows))


def digest_mail(digest: Digest, *, to: str, frequency: str, zone: ZoneInfo, links: Links) -> Mail:
    base = links.base_url.rstrip("/")
    dashboard = (
        base + url("/dashboard", digest.filters.to_params()) if links.internal else base + "/portal"
    )
    subject = f"Your {frequency} Support Analytics digest: {period_text(digest)}"
    numbers = [
        {
            "label": n.label,
            "current": number_text(n, n.current),
            "previous": number_text(n, n.previous),
            "change": change_text(n),
        }
        for n in digest.numbers
    ]
    breaches = [
        {
            "ticket_id": b.ticket_id,
            "title": b.title,
            "target": TARGET_LABELS.get(b.target, b.target),
            "due": moment_text(b.due_at.astimezone(zone)),
            "over": f"{b.over_by_hours:,.1f} h",
        }
        for b in digest.breaches
    ]
    movers = [
        {"name": m.name, "current": m.current, "previous": m.previous, "delta": f"{m.delta:+d}"}
        for m in digest.movers
    ]
    stamp = digest.period.end.isoformat()
    return render(
        "digest",
        to=to,
        subject=subject,
        context={
            "period": period_text(digest),
            "frequency": frequency,
            "numbers": numbers,
            "movers": movers,
            "sla": digest.sla,
            "breached": {TARGET_LABELS[k]: v for k, v in digest.breached.items()},
            "breaches": breaches,
            "dashboard_url": dashboard,
            "internal": links.internal,
            "unsubscribe_url": links.unsubscribe,
            "settings_url": f"{base}/account/settings",
            "zone": zone.key,
        },
        attachments=(Attachment(filename=f"digest-{stamp}.csv", content=csv_text(digest)),),
        headers=(
            ("List-Unsubscribe", f"<{links.unsubscribe}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    )
