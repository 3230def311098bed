"""`db backup` / `db restore`: pg_dump's custom format out, pg_restore into an empty database.

The tools must be of the server's major version (pg_dump refuses a newer server, and an older
pg_restore cannot read a newer archive). The embedded server's wheel ships them beside
`postgres`; for any other server we look in Debian's `/usr/lib/postgresql/<major>/bin`, then
on PATH, and fail naming the package to install.

The request roles and the authenticator login are cluster-level objects: a dump of one
database does not carry them, but its grants and policies name them. Restore creates any that
are missing (as the migrations do) before pg_restore runs, so the restored grants, policies
and the request pool work on a fresh cluster. Objects are restored owned by the restoring
login (`--no-owner`): the owner of the source need not exist on the target.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from support_analytics.db import embedded
from support_analytics.tenancy.connection import AUTHENTICATOR
from support_analytics.tenancy.roles import RequestRole

# (step, done, total) like the loaders' progress; step is "dump" or "restore".
Progress = Callable[[str, int, int], None]

# Extensions the schema creates only where the server has them (and never uses).
OPTIONAL_EXTENSIONS = frozenset({"uuid-ossp"})
# `12; 3079 16385 EXTENSION - uuid-ossp` and `4321; 0 0 COMMENT - EXTENSION "uuid-ossp"`
_EXTENSION_ENTRY = re.compile(r'\d+; \d+ \d+ (?:COMMENT - )?EXTENSION "?(?:- )?(?P<name>[^"\s]+)')
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


class BackupError(RuntimeError):
    """A backup or restore that could not run or failed; the message says why."""


@dataclass(frozen=True)
class Tools:
    pg_dump: Path
    pg_restore: Path
    major: int


def server_major(url: str) -> int:
    with psycopg.connect(url) as conn:
        number = conn.execute("SHOW server_version_num").fetchone()
    assert number is not None
    return int(number[0]) // 10000


def _tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def find_tools(major: int) -> Tools:
    """pg_dump and pg_restore of PostgreSQL `major`: the embedded wheel's, Debian's, PATH's."""
    folders = [embedded.BIN, Path(f"/usr/lib/postgresql/{major}/bin")]
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    for folder in folders:
        dump, restore = folder / "pg_dump", folder / "pg_restore"
        if dump.exists() and restore.exists() and _tool_major(dump) == major:
            return Tools(pg_dump=dump, pg_restore=restore, major=major)
    raise BackupError(
        f"no pg_dump/pg_restore of PostgreSQL {major} found (looked in "
        f"{', '.join(str(f) for f in folders)}); the server is version {major}: install its "
        f"client tools (Debian: postgresql-client-{major})"
    )


def _table_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN {_SYSTEM_SCHEMAS} "
            "AND n.nspname NOT LIKE 'pg_%'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def _run_verbose(
    command: list[str], *, step: str, total: int, counts: Callable[[str], bool], progress: Progress
) -> None:
    """Run a pg tool with --verbose, advancing `progress` on each line `counts` accepts."""
    done = 0
    progress(step, done, total)
    errors: list[str] = []
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "error:" in line or "FATAL" in line:
                errors.append(line.strip())
            elif counts(line):
                done = min(done + 1, total)
                progress(step, done, total)
        returncode = proc.wait()
    if returncode != 0:
        detail = " | ".join(errors[-5:]) or f"exit status {returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}")
    progress(step, total, total)


def backup(url: str, file: Path, *, progress: Progress | None = None) -> Tools:
    """Dump the database at libpq `url` to `file` (custom format). Written beside `file`
    first and renamed, so a failed dump never leaves a half file under the name asked for."""
    tools = find_tools(server_major(url))
    partial = file.with_name(f".{file.name}.partial")
    try:
        _run_verbose(
            [
                str(tools.pg_dump),
                "--format=custom",
                "--verbose",
                f"--file={partial}",
                f"--dbname={url}",
            ],
            step="dump",
            total=max(_table_count(url), 1),
            counts=lambda line: "dumping contents of table" in line,
            progress=progress or _silent,
        )
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return tools


def _silent(_step: str, _done: int, _total: int) -> None:
    return None


def contents(url: str) -> dict[str, int]:
    """Non-system schemas of the database and how many relations each holds; extensions other
    than plpgsql count as content of their schema."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT n.nspname, (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid)"
            " + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)"
            " + (SELECT count(*) FROM pg_extension e WHERE e.extnamespace = n.oid"
            "    AND e.extname <> 'plpgsql') "
            f"FROM pg_namespace n WHERE n.nspname NOT IN {_SYSTEM_SCHEMAS} "
            "AND n.nspname NOT LIKE 'pg_%' ORDER BY 1"
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


def describe_contents(url: str) -> list[str]:
    """One line per non-empty schema: what `--replace` would drop."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT n.nspname, c.relkind, count(*) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname NOT IN {_SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_%' "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S') GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    kinds = {
        "r": "tables",
        "p": "partitioned tables",
        "v": "views",
        "m": "materialized views",
        "S": "sequences",
    }
    per_schema: dict[str, list[str]] = {}
    for schema, kind, count in rows:
        per_schema.setdefault(str(schema), []).append(f"{count} {kinds[str(kind)]}")
    return [
        f"schema {schema}: {', '.join(parts)}, with their data, functions and extensions"
        for schema, parts in per_schema.items()
    ]


def _drop_everything(url: str) -> None:
    schemas = list(contents(url))
    with psycopg.connect(url) as conn:
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        # pg_dump does not create `public`, so it must exist, empty, for the restore.
        conn.execute("CREATE SCHEMA IF NOT EXISTS public")


def ensure_cluster_roles(url: str) -> None:
    """The request roles and the authenticator login, created when missing (the same
    statements as migrations 0002 and 0003_identity_login), and granted as they do."""
    with psycopg.connect(url, autocommit=True) as conn:
        for role in RequestRole:
            if not conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (role.value,)
            ).fetchone():
                conn.execute(
                    sql.SQL("CREATE ROLE {} NOLOGIN NOINHERIT").format(sql.Identifier(role.value))
                )
            conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(role.value)))
        if not conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (AUTHENTICATOR,)
        ).fetchone():
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOINHERIT").format(sql.Identifier(AUTHENTICATOR))
            )
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(role.value) for role in RequestRole),
                sql.Identifier(AUTHENTICATOR),
            )
        )
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(conn.info.dbname), sql.Identifier(AUTHENTICATOR)
            )
        )


def _archive_entries(tools: Tools, file: Path) -> list[str]:
    """The archive's table of contents (`pg_restore --list`), one entry per line."""
    listed = subprocess.run(
        [str(tools.pg_restore), "--list", str(file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if listed.returncode != 0:
        raise BackupError(f"{file} is not a backup pg_restore can read: {listed.stderr.strip()}")
    return [line for line in listed.stdout.splitlines() if line and not line.startswith(";")]


def _without_missing_optional_extensions(url: str, entries: list[str]) -> list[str]:
    """`entries` less the optional extensions (created only where available, as migration
    0001 does) that the target server lacks: a dump from a server with `uuid-ossp` restores
    into the embedded one, which is built without it and never uses it."""
    with psycopg.connect(url) as conn:
        available = {
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)",
                (list(OPTIONAL_EXTENSIONS),),
            )
        }
    missing = OPTIONAL_EXTENSIONS - available
    kept = []
    for entry in entries:
        extension = _EXTENSION_ENTRY.match(entry)
        if extension is None or extension["name"] not in missing:
            kept.append(entry)
    return kept


def restore(
    url: str, file: Path, *, replace: bool = False, progress: Progress | None = None
) -> Tools:
    """Restore `file` into the database at libpq `url`, in one transaction. The database must
    be empty unless `replace`, which first drops every non-system schema (see
    `describe_contents`)."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    tools = find_tools(server_major(url))
    entries = _without_missing_optional_extensions(url, _archive_entries(tools, file))
    if any(contents(url).values()):
        if not replace:
            raise BackupError(
                "the database is not empty ("
                + "; ".join(describe_contents(url))
                + "); restore into an empty database, or pass --replace to drop all of it first"
            )
        _drop_everything(url)
    ensure_cluster_roles(url)
    with tempfile.NamedTemporaryFile("w", suffix=".list", prefix="sa-restore-") as use_list:
        use_list.write("".join(f"{entry}\n" for entry in entries))
        use_list.flush()
        _restore_entries(
            tools, url, file, use_list=Path(use_list.name), total=len(entries), progress=progress
        )
    return tools


def _restore_entries(
    tools: Tools, url: str, file: Path, *, use_list: Path, total: int, progress: Progress | None
) -> None:
    _run_verbose(
        [
            str(tools.pg_restore),
            "--verbose",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--use-list={use_list}",
            f"--dbname={url}",
            str(file),
        ],
        step="restore",
        total=total,
        counts=lambda line: (
            line.startswith("pg_restore: ")
            and ("creating " in line or "processing data" in line or "executing " in line)
        ),
        progress=progress or _silent,
    )
