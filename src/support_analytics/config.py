"""Settings, read once from the environment (and `.env`)."""

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    home: Path = Field(
        default=Path(".support-analytics"),
        description="Data folder of the embedded PostgreSQL (used when DATABASE_URL is unset).",
    )
    host: str = Field(default="127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    reporting_timezone: str = Field(
        default="UTC", description="IANA zone deciding day boundaries and month buckets."
    )
    session_ttl_hours: int = Field(
        default=24 * 7, ge=1, description="Idle lifetime of a session; renewed while in use."
    )
    pool_size: int = Field(default=10, ge=1, description="Database connections per process.")
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

    @field_validator("reporting_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
