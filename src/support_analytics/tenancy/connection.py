"""The connection pool web requests use: the `support_analytics_authenticator` login.

Requests must not run on the owner's connection: there, SQL that slipped into a request could
`RESET ROLE` back to a user that bypasses row-level security. The authenticator can read
nothing itself; it only switches to a request role, so undoing the switch gains nothing.

Its URL is `SUPPORT_ANALYTICS_REQUEST_DATABASE_URL` when set, else DATABASE_URL with the
authenticator's user name and no password (trust/peer authentication: the embedded server,
a local socket). When neither works the app still starts on the owner connection and logs
a warning naming the weaker mode, so a misconfigured deployment is loud but not down.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import make_url

from support_analytics.db.engine import Database, DatabaseConfigError, connect, normalise_url
from support_analytics.tenancy.roles import RequestRole

AUTHENTICATOR = "support_analytics_authenticator"

log = logging.getLogger(__name__)


def derived_url(owner_url: str) -> str:
    return (
        make_url(owner_url)
        .set(username=AUTHENTICATOR, password=None)
        .render_as_string(hide_password=False)
    )


def _can_switch_to_every_request_role(database: Database) -> bool:
    with database.engine.connect() as conn:
        return all(
            conn.execute(
                text("SELECT pg_has_role(current_user, :role, 'MEMBER')"), {"role": role.value}
            ).scalar_one()
            for role in RequestRole
        )


def connect_for_requests(
    owner_url: str,
    *,
    explicit_url: str | None = None,
    pool_size: int = 10,
    pool_timeout: float = 5.0,
) -> Database:
    """The request pool: `pool_size` connections and no overflow, since the request gate
    (tenancy/gate.py) admits exactly that many requests at once."""
    url = normalise_url(explicit_url) if explicit_url else derived_url(owner_url)
    try:
        database = connect(url, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout)
    except DatabaseConfigError as exc:
        if explicit_url:
            raise
        log.warning(
            "requests use the owner connection (%s); set SUPPORT_ANALYTICS_REQUEST_DATABASE_URL "
            "to the %s login so injected SQL cannot RESET ROLE past row-level security",
            exc.message,
            AUTHENTICATOR,
        )
        return connect(owner_url, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout)
    if not _can_switch_to_every_request_role(database):
        database.engine.dispose()
        raise DatabaseConfigError(
            f"the request login cannot SET ROLE to every request role; run `db upgrade` "
            f"as the owner (migration 0003_identity_login grants them to {AUTHENTICATOR})"
        )
    return database
