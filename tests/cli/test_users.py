"""`support-analytics users ...` against a private copy of the reference database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support_analytics.auth import service
from support_analytics.db.engine import connect
from support_analytics.tenancy.scope import owner_transaction
from tests.cli.helpers import cli_env, run_cli


def _users(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(tmp_path, "users", *args, SUPPORT_ANALYTICS_DATABASE_URL=url)


def _status(url: str, email: str) -> str | None:
    database = connect(url, pool_size=1)
    try:
        with owner_transaction(database) as session:
            user = service.find_user_by_email(session, email)
            return user.status if user else None
    finally:
        database.engine.dispose()


def test_create_list_disable_enable(fresh_database: str, tmp_path: Path) -> None:
    created = _users(
        fresh_database,
        tmp_path,
        "create",
        "--email",
        "Cli.Admin@Example.com",
        "--role",
        "admin",
        "--team-member-id",
        "5",
        "--password",
        "cli-admin-password",
    )
    assert created.returncode == 0, created.stderr
    assert "cli.admin@example.com (admin), active" in created.stdout
    listed = _users(fresh_database, tmp_path, "list")
    assert "cli.admin@example.com" in listed.stdout
    assert _users(fresh_database, tmp_path, "disable", "cli.admin@example.com").returncode == 0
    assert _status(fresh_database, "cli.admin@example.com") == "disabled"
    assert _users(fresh_database, tmp_path, "enable", "CLI.ADMIN@example.com").returncode == 0
    assert _status(fresh_database, "cli.admin@example.com") == "active"


def test_password_from_stdin(fresh_database: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "support_analytics",
            "users",
            "create",
            "--email",
            "piped@example.com",
            "--role",
            "client",
            "--client-id",
            "7",
        ],
        input="quiet lantern harbour 1\n",
        env=cli_env(tmp_path, SUPPORT_ANALYTICS_DATABASE_URL=fresh_database),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _status(fresh_database, "piped@example.com") == "active"


def test_invite_and_reset_links(fresh_database: str, tmp_path: Path) -> None:
    invited = _users(
        fresh_database,
        tmp_path,
        "create",
        "--email",
        "invited@example.com",
        "--role",
        "agent",
        "--team-member-id",
        "6",
        "--invite",
        "--base-url",
        "https://support.example",
    )
    assert invited.returncode == 0, invited.stderr
    assert "https://support.example/set-password/" in invited.stdout
    assert _status(fresh_database, "invited@example.com") == "invited"
    link = _users(fresh_database, tmp_path, "reset-link", "invited@example.com")
    assert "invite link" in link.stdout
    assert "/set-password/" in link.stdout


def test_errors_are_one_line(fresh_database: str, tmp_path: Path) -> None:
    no_link = _users(
        fresh_database,
        tmp_path,
        "create",
        "--email",
        "x@example.com",
        "--role",
        "agent",
        "--password",
        "long-enough-pass",
    )
    assert no_link.returncode == 1
    assert "needs a team member" in no_link.stderr
    assert "Traceback" not in no_link.stderr
    weak = _users(
        fresh_database,
        tmp_path,
        "create",
        "--email",
        "y@example.com",
        "--role",
        "client",
        "--client-id",
        "1",
        "--password",
        "short",
    )
    assert weak.returncode == 1
    assert "at least 10 characters" in weak.stderr
    unknown = _users(fresh_database, tmp_path, "reset-link", "nobody@example.com")
    assert unknown.returncode == 1
    assert "no user with email" in unknown.stderr
    bad_role = _users(
        fresh_database, tmp_path, "create", "--email", "z@example.com", "--role", "root"
    )
    assert bad_role.returncode == 2


def test_load_reference_replace_keeps_accounts(fresh_database: str, tmp_path: Path) -> None:
    # Issue 11, item 1: the seed's TRUNCATE ... CASCADE used to reach users through
    # team_members and clients; item 2: the loader takes an integer seed like `db generate`.
    for email, role, link in [
        ("kept.agent@example.com", "agent", ("--team-member-id", "3")),
        ("kept.client@example.com", "client", ("--client-id", "7")),
    ]:
        created = _users(
            fresh_database,
            tmp_path,
            "create",
            "--email",
            email,
            "--role",
            role,
            *link,
            "--password",
            "kept-account-password",
        )
        assert created.returncode == 0, created.stderr
    reloaded = run_cli(
        tmp_path,
        "db",
        "load-reference",
        "--replace",
        "--random-seed",
        "42",
        SUPPORT_ANALYTICS_DATABASE_URL=fresh_database,
    )
    assert reloaded.returncode == 0, reloaded.stderr
    assert "user accounts kept: 2" in reloaded.stdout  # it says what survived
    assert "reference data (seed.sql)" in reloaded.stdout  # progress, phase by phase
    assert "analytics rollups" in reloaded.stdout
    listed = _users(fresh_database, tmp_path, "list")
    assert "kept.agent@example.com" in listed.stdout
    assert "kept.client@example.com" in listed.stdout
    assert _status(fresh_database, "kept.client@example.com") == "active"
