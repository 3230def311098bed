"""/api/v1/admin/users: list, invite, change role or status, revoke sessions, reset links.
Admins only (403 otherwise); the link is returned to the admin and mailed to the user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field

from support_analytics.app_settings import app_settings
from support_analytics.auth import admin, invites, service
from support_analytics.auth.dependencies import AdminUser, DbSession
from support_analytics.auth.schemas import EmailText
from support_analytics.errors import error_responses
from support_analytics.mail.outbox import MailedSender
from support_analytics.tenancy.claims import Role

router = APIRouter(
    prefix="/api/v1/admin", tags=["admin"], responses=error_responses(401, 403, 422, 503)
)


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    kind: Literal["internal", "client"]
    role: Role
    team_member_id: int | None
    client_id: int | None
    status: str
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: service.UserRow) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            kind="internal" if user.kind == "internal" else "client",
            role=user.role,
            team_member_id=user.team_member_id,
            client_id=user.client_id,
            status=user.status,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class UserList(BaseModel):
    rows: list[UserOut]


class InviteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailText = Field(min_length=3, max_length=254)
    role: Role
    team_member_id: int | None = None
    client_id: int | None = None


class LinkOut(BaseModel):
    email: str
    purpose: Literal["invite", "reset"]
    url: str


class InviteOut(BaseModel):
    user: UserOut
    link: LinkOut


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    status: Literal["active", "disabled"] | None = None


class Revoked(BaseModel):
    revoked: int


def base_url(request: Request) -> str:
    """Links point at the configured public URL: the Host header is the sender's to choose."""
    return app_settings(request).link_base_url()


def link_sender(request: Request) -> invites.LinkSender:
    """The link is handed back to the admin and mailed to the user by the job worker; the
    mail is queued in the request's own transaction (sent only if it commits)."""
    del request
    return MailedSender()


@router.get("/users")
def list_users(db: DbSession, _admin: AdminUser) -> UserList:
    return UserList(rows=[UserOut.of(user) for user in service.list_users(db)])


@router.post("/users", status_code=status.HTTP_201_CREATED, responses=error_responses(409))
def invite_user(body: InviteBody, request: Request, db: DbSession, user: AdminUser) -> InviteOut:
    """Create an invited account and return its single-use invite link (7 days)."""
    result = admin.invite(
        db,
        user,
        email=body.email,
        role=body.role,
        team_member_id=body.team_member_id,
        client_id=body.client_id,
        base_url=base_url(request),
        sender=link_sender(request),
    )
    link = result.link
    return InviteOut(
        user=UserOut.of(result.user),
        link=LinkOut(email=link.email, purpose=link.purpose, url=link.url),
    )


@router.patch("/users/{user_id}", responses=error_responses(404, 409))
def update_user(user_id: int, body: UserPatch, db: DbSession, user: AdminUser) -> UserOut:
    """Change role and/or status; disabling signs the user out at once."""
    updated = service.get_user(db, user_id)
    if body.role is not None:
        updated = admin.change_role(db, user, user_id, body.role)
    if body.status is not None:
        updated = admin.change_status(db, user, user_id, body.status)
    return UserOut.of(updated)


@router.post("/users/{user_id}/revoke-sessions", responses=error_responses(404))
def revoke_sessions(user_id: int, db: DbSession, _admin: AdminUser) -> Revoked:
    return Revoked(revoked=admin.revoke_sessions(db, user_id))


@router.post(
    "/users/{user_id}/reset-link",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409),
)
def reset_link(user_id: int, request: Request, db: DbSession, user: AdminUser) -> LinkOut:
    """A single-use password link (an invite link while the account is still invited)."""
    link = admin.reset_link(
        db, user, user_id, base_url=base_url(request), sender=link_sender(request)
    )
    return LinkOut(email=link.email, purpose=link.purpose, url=link.url)
