"""`support-analytics users ...`: accounts from the command line (no open sign-up)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from support_analytics.auth import invites, policy, service
from support_analytics.cli.context import console, fail, open_database
from support_analytics.config import get_settings
from support_analytics.errors import AppError
from support_analytics.mail.outbox import MailedSender
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction

app = typer.Typer(help="User accounts: create, list, disable, reset links.", no_args_is_help=True)


def _base_url(base_url: str | None) -> str:
    settings = get_settings()
    return base_url or settings.link_base_url()


def _read_password(password: str | None) -> str:
    if password is not None:
        return password
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


@app.command()
def create(
    *,
    email: Annotated[str, typer.Option(help="Sign-in email (case-insensitive, unique).")],
    role: Annotated[Role, typer.Option(help="agent, manager, admin or client.")],
    team_member_id: Annotated[
        int | None, typer.Option(help="The team_members row of an internal user.")
    ] = None,
    client_id: Annotated[int | None, typer.Option(help="The clients row of a client user.")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Initial password; omitted: prompted, or one line read from stdin."),
    ] = None,
    invite: Annotated[
        bool, typer.Option("--invite", help="Set no password; print an invite link instead.")
    ] = False,
    base_url: Annotated[str | None, typer.Option(help="Public URL for the invite link.")] = None,
) -> None:
    """Create an account (active with a password, or invited with a link)."""
    secret = None if invite else _read_password(password)
    try:
        with open_database() as database, owner_transaction(database) as session:
            user = service.create_user(
                session,
                email=email,
                role=role,
                team_member_id=team_member_id,
                client_id=client_id,
            )
            if secret is not None:
                reason = policy.refusal(secret, email=user.email)
                if reason:
                    raise fail(reason)
                service.activate_with_password(session, user.id, secret)
                console.print(f"created {user.email} ({role.value}), active")
                return
            link = invites.issue(
                session,
                user_id=user.id,
                purpose="invite",
                base_url=_base_url(base_url),
                created_by=None,
                sender=MailedSender(),
            )
            console.print(f"created {user.email} ({role.value}), invited; link (7 days):")
            console.print(link.url, soft_wrap=True)
    except AppError as exc:
        raise fail(exc.message) from None


@app.command("list")
def list_users() -> None:
    """Every account with its role, link and status."""
    with open_database() as database, owner_transaction(database) as session:
        users = service.list_users(session)
    table = Table("id", "email", "name", "role", "team member", "client", "status", "last login")
    for user in users:
        table.add_row(
            str(user.id),
            user.email,
            user.display_name,
            user.role.value,
            str(user.team_member_id or ""),
            str(user.client_id or ""),
            user.status,
            f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "",
        )
    console.print(table)


def _set_status(email: str, status: str) -> None:
    try:
        with open_database() as database, owner_transaction(database) as session:
            user = service.find_user_by_email(session, email)
            if user is None:
                raise fail(f"no user with email {email}")
            updated = service.set_status(session, user.id, status)
    except AppError as exc:
        raise fail(exc.message) from None
    console.print(f"{updated.email} is now {updated.status}")


@app.command()
def disable(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Disable an account; its sessions stop working at once."""
    _set_status(email, "disabled")


@app.command()
def enable(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Re-enable a disabled account."""
    _set_status(email, "active")


@app.command("reset-link")
def reset_link(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    base_url: Annotated[str | None, typer.Option(help="Public URL for the link.")] = None,
) -> None:
    """Print a single-use password link (an invite link for invited accounts)."""
    try:
        with open_database() as database, owner_transaction(database) as session:
            user = service.find_user_by_email(session, email)
            if user is None:
                raise fail(f"no user with email {email}")
            link = invites.issue(
                session,
                user_id=user.id,
                purpose="invite" if user.status == "invited" else "reset",
                base_url=_base_url(base_url),
                created_by=None,
                sender=MailedSender(),
            )
    except AppError as exc:
        raise fail(exc.message) from None
    console.print(f"{link.purpose} link for {link.email} (single use):")
    console.print(link.url, soft_wrap=True)
