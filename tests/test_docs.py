"""The docs stay true to the code: every command and option is documented, the CLI reference
is current, links resolve, and nothing points outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, text
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from support_analytics.auth.demo import DEMO_ACCOUNTS
from support_analytics.cli.app import app
from support_analytics.db import migrate

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.rglob("*.md"))]


def _commands() -> Iterator[tuple[str, TyperCommand | TyperGroup]]:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    stack: list[tuple[str, TyperCommand | TyperGroup]] = [("", root)]
    while stack:
        path, command = stack.pop()
        yield path, command
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                assert isinstance(sub, TyperCommand | TyperGroup)
                stack.append((f"{path} {name}".strip(), sub))


COMMANDS = dict(_commands())
LEAVES = sorted(path for path, c in COMMANDS.items() if not isinstance(c, TyperGroup))


def _options(command: TyperCommand | TyperGroup) -> list[str]:
    return [
        opt
        for param in command.params
        if isinstance(param, TyperOption)
        for opt in [*param.opts, *param.secondary_opts]
        if opt.startswith("--")
    ]


def _cli_section(path: str) -> str:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    heading = f"## support-analytics {path}".rstrip() + "\n"
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _readme_cli_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Command line")
    end = text.index("\n## ", start + 1)
    return [line for line in text[start:end].splitlines() if line.startswith("| `")]


def test_the_cli_reference_is_what_help_prints() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_and_parameter_has_help(path: str) -> None:
    command = COMMANDS[path]
    assert (command.help or "").strip(), f"`{path}` has no help text"
    for param in command.params:
        if isinstance(param, TyperOption | TyperArgument) and param.name != "help":
            assert (getattr(param, "help", None) or "").strip(), f"`{path}` {param.name}: no help"


@pytest.mark.parametrize("path", LEAVES)
def test_every_option_is_in_the_cli_reference(path: str) -> None:
    section = _cli_section(path)
    missing = [opt for opt in _options(COMMANDS[path]) if opt not in section]
    assert missing == [], f"docs/cli.md, `{path}`: {missing}"


@pytest.mark.parametrize("path", LEAVES)
def test_every_command_is_in_the_readme_table(path: str) -> None:
    *group, name = path.split()
    rows = [row for row in _readme_cli_rows() if row.startswith(f"| `{' '.join([*group, ''])}")]
    assert any(re.search(rf"[`| \\]{re.escape(name)}[ `\\|]", row) for row in rows), (
        f"README's command table has no row for `{path}`"
    )


def test_options_in_the_readme_table_exist() -> None:
    known = {opt for command in COMMANDS.values() for opt in _options(command)}
    named = {opt for row in _readme_cli_rows() for opt in re.findall(r"--[a-z][a-z-]*", row)}
    assert named - known == set()


def test_the_readme_publishes_the_demo_logins() -> None:
    text = README.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for account in DEMO_ACCOUNTS:
        assert any(
            f"`{account.email}`" in row and f"`{account.password}`" in row for row in rows
        ), account.email


def test_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    outside = re.findall(r"\.\./shared|\bSPEC\b|§|\b[Ii]ssues? #?\d+", text)
    assert outside == [], f"{page.name}: {outside}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        file, _, anchor = target.partition("#")
        resolved = (page.parent / file).resolve()
        missing_anchor = bool(anchor) and resolved.suffix == ".md"
        if not resolved.exists() or (missing_anchor and anchor not in _anchors(resolved)):
            broken.append(target)
    assert broken == [], f"{page.name}: {broken}"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_security_names_every_table_under_row_level_security(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity"
                " AND relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace"
            )
        ).scalars()
        protected = sorted(str(name) for name in tables)
    engine.dispose()
    text_ = (DOCS / "security.md").read_text(encoding="utf-8")
    paragraph = next(p for p in text_.split("\n\n") if "FORCE ROW LEVEL SECURITY` are set" in p)
    assert protected, "no table has row-level security"
    assert [name for name in protected if f"`{name}`" not in paragraph] == []
