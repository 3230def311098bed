"""The command line: help everywhere, and every kind of bad input gives one readable line and
the conventional exit code (1 for a failure, 2 for a usage error), never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from support_analytics.cli.app import app
from tests.cli.helpers import free_port, run_cli

runner = CliRunner()


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    # Typer vendors its own click: walk groups by their `commands` mapping.
    paths = [prefix]
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        for name in sorted(subcommands):
            paths.extend(_command_paths(subcommands[name], (*prefix, str(name))))
    return paths


COMMANDS = _command_paths(typer.main.get_command(app))


def test_every_expected_command_exists() -> None:
    for expected in [("serve",), ("demo",), ("db", "upgrade"), ("db", "load-reference")]:
        assert expected in COMMANDS
    assert ("db", "generate") in COMMANDS
    assert ("db", "url") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "root")
def test_help_on_every_command(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["db", "no-such-command"],
        ["serve", "--no-such-option"],
        ["db", "generate"],
        ["db", "generate", "--tickets", "0"],
        ["db", "generate", "--tickets", "-5"],
        ["db", "generate", "--tickets", "many"],
        ["db", "generate", "--tickets", "10", "--random-seed", "-1"],
        ["serve", "--port", "70000"],
    ],
    ids=" ".join,
)
def test_usage_errors_exit_2_with_usage(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("mysql://root@localhost/app", "must be a postgresql:// URL"),
        ("not a url at all", "not a valid URL"),
        ("postgresql://user@localhost", "names no database"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "cannot connect to the database"),
    ],
)
def test_bad_database_url_is_one_line_and_exit_1(
    tmp_path: Path, database_url: str, expected: str
) -> None:
    result = run_cli(tmp_path, "db", "upgrade", DATABASE_URL=database_url)
    assert result.returncode == 1
    assert expected in _one_error_line(result.stderr)
    assert not (tmp_path / "pgdata").exists()  # never fell back to the embedded database


def test_port_in_use_is_a_clear_message(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = run_cli(tmp_path, "serve", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in _one_error_line(result.stderr)


def test_load_reference_on_data_refuses_with_the_replace_hint(
    tmp_path: Path, fresh_database: str
) -> None:
    result = run_cli(tmp_path, "db", "load-reference", DATABASE_URL=fresh_database)
    assert result.returncode == 1
    assert "--replace" in _one_error_line(result.stderr)


def test_generate_on_data_refuses_with_the_replace_hint(
    tmp_path: Path, fresh_database: str
) -> None:
    result = run_cli(tmp_path, "db", "generate", "--tickets", "5", DATABASE_URL=fresh_database)
    assert result.returncode == 1
    assert "--replace" in _one_error_line(result.stderr)


def test_generate_through_the_command(tmp_path: Path, migrated_database: str) -> None:
    result = run_cli(
        tmp_path, "db", "generate", "--tickets", "2000", DATABASE_URL=migrated_database
    )
    assert result.returncode == 0, result.stderr
    assert "tickets:       2,000" in result.stdout
    assert "indexes and foreign keys" in result.stdout


def test_bad_setting_is_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "db", "url", SUPPORT_ANALYTICS_REPORTING_TIMEZONE="Mars/Olympus")
    assert result.returncode == 1
    assert "REPORTING_TIMEZONE" in _one_error_line(result.stderr)
