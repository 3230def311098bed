"""Request and response bodies of /api/v1/auth and /api/v1/me."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from support_analytics.tenancy.claims import Principal, Role


class LoginBody(BaseModel):
    # Anything else in the body (role, client_id...) is ignored: identity comes from the
    # password check alone.
    model_config = ConfigDict(extra="ignore")

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class ChangePasswordBody(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    id: int
    email: str
    kind: Literal["internal", "client"]
    role: Role
    client_id: int | None
    team_member_id: int | None
    display_name: str

    @classmethod
    def of(cls, principal: Principal) -> Me:
        return cls(
            id=principal.user_id,
            email=principal.email,
            kind=principal.kind,
            role=principal.role,
            client_id=principal.client_id,
            team_member_id=principal.team_member_id,
            display_name=principal.display_name,
        )
