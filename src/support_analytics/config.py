"""Settings, read once from the environment (and `.env`)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogFormat = Literal["json", "text"]


class Settings(BaseSettings):
    """Every knob of the product. Environment variables are `SUPPORT_ANALYTICS_<NAME>`,
    except `DATABASE_URL`, which keeps the name every hosting platform uses."""

    model_config = SettingsConfigDict(
        env_prefix="SUPPORT_ANALYTICS_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "SUPPORT_ANALYTICS_DATABASE_URL"),
        description="Any PostgreSQL >= 15. Unset: an embedded PostgreSQL under `home`.",
    )
    request_database_url: str | None = Field(
        default=None,
        description=(
            "The login web requests use (role support_analytics_authenticator). Unset: "
            "DATABASE_URL with that user name and no password (trust/peer, e.g. embedded)."
        ),
    )
    listen_url: str | None = Field(
        default=None,
        description="A direct connection for LISTEN (live updates), needed when DATABASE_URL "
        "goes through a transaction-mode pooler such as PgBouncer. Unset: DATABASE_URL.",
    )
    database_read_url: str | None = Field(
        default=None,
        description="A streaming-replication standby for analytics, dashboard and ticket-list "
        "reads: the request login's URL on it. Unset: every read goes to the primary.",
    )
    read_max_lag_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A standby further behind than this (or unreachable) is skipped: reads "
        "go to the primary and the freshness line says so.",
    )
    home: Path = Field(
        default=Path(".support-analytics"),
        description="Data folder of the embedded PostgreSQL (used when DATABASE_URL is unset).",
    )
    host: str = Field(default="127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    public_url: str | None = Field(
        default=None,
        description="Address people open the app at (e.g. https://support.example.com); "
        "invite and reset links are built from it, never from a request's Host header. "
        "Unset: http://<host>:<port> (localhost for a wildcard host).",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="Outgoing mail server: smtp://user:pass@host:587 (STARTTLS required; "
        "add ?starttls=off only for a relay on the same machine) or smtps://user:pass@host:465 "
        "(TLS from the first byte). Unset: mail is written to the log instead (development).",
    )
    mail_from: str = Field(
        default="Support Analytics <support-analytics@localhost>",
        description="The From address of every mail.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed (e.g. 127.0.0.1 behind a local "
        "nginx). Empty: those headers are ignored.",
    )
    log_format: LogFormat = Field(
        default="text",
        description="`json`: one JSON object per log line with its request id (production); "
        "`text`: uvicorn's readable lines.",
    )
    metrics_allowed_networks: str = Field(
        default="127.0.0.0/8,::1/128",
        description="Comma-separated addresses or networks allowed to read /metrics; others "
        "get 403. Default: loopback only.",
    )
    reporting_timezone: str = Field(
        default="UTC", description="IANA zone deciding day boundaries and month buckets."
    )
    session_ttl_hours: int = Field(
        default=24 * 7, ge=1, description="Idle lifetime of a session; renewed while in use."
    )
    pool_size: int = Field(default=10, ge=1, description="Database connections per process.")
    prepare_statements: bool = Field(
        default=True,
        description="`serve` compiles the analytics statements before its first request "
        "(about 1 s of CPU per process); off, the first requests of each kind compile them.",
    )
    request_queue_seconds: float = Field(
        default=3.0,
        gt=0,
        description="How long a request waits for a free database connection before it is "
        "answered 503 with Retry-After (at most `pool_size` requests use the database at once).",
    )
    pool_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Backstop: longest wait for a pooled connection anywhere (then 503).",
    )
    sse_max_streams: int = Field(
        default=1000, ge=1, description="Open live-update streams per process (then 503)."
    )
    sse_max_streams_per_session: int = Field(
        default=6, ge=1, description="Open live-update streams per signed-in session (then 429)."
    )
    sse_viewer_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long a stream reconnect trusts the session it last resolved "
        "(so reconnects need no database); 0 resolves every reconnect.",
    )
    password_hash_concurrency: int = Field(
        default=2,
        ge=1,
        description="Password hashes (argon2, 64 MiB each) computed at once per process; "
        "others wait up to 5 s, then 503.",
    )
    shutdown_seconds: int = Field(
        default=8,
        ge=1,
        description="On SIGTERM: live streams close at once, in-flight requests get this long.",
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A connection that has not sent a complete request head by then is closed.",
    )
    worker_start_seconds: int = Field(
        default=60,
        ge=1,
        description="With `--workers N`: how long a worker may take to start before it is "
        "restarted.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body accepted; a larger one is answered 413 before it is "
        "parsed.",
    )
    csv_export_concurrency: int = Field(
        default=4,
        ge=1,
        description="Ticket CSV exports streamed at once per process (each holds a database "
        "connection while it streams); beyond it 503 with Retry-After.",
    )
    webhook_allowed_hosts: str = Field(
        default="",
        description="Comma-separated host names alert webhooks may be sent to (exact, or "
        "*.example.com for its subdomains). Empty: no webhook URL can be added.",
    )

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"public_url must start with http:// or https://, not {value!r}")
        return value.rstrip("/") if value else None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            # The URL may hold a password: name the rule, never echo the value.
            raise ValueError("smtp_url must look like smtp://user:pass@host:587 or smtps://host")
        return value

    def link_base_url(self) -> str:
        """Where emailed or shown links (invites, resets) point."""
        return self.public_url or local_url(self.host, self.port)

    @field_validator("reporting_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value


def local_url(host: str, port: int) -> str:
    """The address to open in a browser: a wildcard host is reached through localhost."""
    shown = "localhost" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
