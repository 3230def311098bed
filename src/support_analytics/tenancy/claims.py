"""Who is asking: the principal a live session resolves to, as PostgreSQL itself sees it.

The principal is read back from the database (`sa_resolve_session`), never assembled from
anything the client sent, and it decides only which request role the transaction switches to;
what that role may see is decided again, row by row, by the policies from the same token.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from support_analytics.tenancy.roles import RequestRole

# The transaction-local setting a request stores its raw session token in.
SESSION_TOKEN_SETTING = "support_analytics.session_token"  # noqa: S105 (a setting name)

Kind = Literal["internal", "client"]


class Role(StrEnum):
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"
    CLIENT = "client"


INTERNAL_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    kind: Kind
    role: Role
    client_id: int | None
    team_member_id: int | None
    display_name: str
    timezone: str | None = None
    """The zone the user reads instants in (their preference); None: the reporting one."""

    @property
    def is_internal(self) -> bool:
        return self.kind == "internal"

    @property
    def is_client(self) -> bool:
        return self.kind == "client"

    @property
    def request_role(self) -> RequestRole:
        return RequestRole.INTERNAL if self.is_internal else RequestRole.CLIENT


def kind_of(role: Role) -> Kind:
    return "internal" if role in INTERNAL_ROLES else "client"
