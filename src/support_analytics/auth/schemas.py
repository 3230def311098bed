"""Request and response bodies of /api/v1/auth and /api/v1/me."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from support_analytics.tenancy.claims import Principal, Role
from support_analytics.text import LINE_FORBIDDEN, SECRET_FORBIDDEN, refusing

# NUL or a lone surrogate would otherwise reach PostgreSQL or argon2 (a 500, not a 422).
EmailText = Annotated[str, BeforeValidator(refusing(LINE_FORBIDDEN, strip=False))]
Secret = Annotated[str, BeforeValidator(refusing(SECRET_FORBIDDEN, strip=False))]


class LoginBody(BaseModel):
    # Anything else in the body (role, client_id...) is ignored: identity comes from the
    # password check alone.
    model_config = ConfigDict(extra="ignore")

    email: EmailText = Field(min_length=1, max_length=254)
    password: Secret = Field(min_length=1, max_length=1024)


class ChangePasswordBody(BaseModel):
    current_password: Secret = Field(min_length=1, max_length=1024)
    new_password: Secret = Field(min_length=1, max_length=1024)


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
