"""The schema's behaviour as it is now, read from a migrated database: row-level security and
its policies, triggers, and the functions they call, as SQL files under docs/schema/. The
migrations are snapshots of each change; these files are the current state in one place, and
tests/db/test_schema_docs.py fails when they drift from what the migrations build."""

from __future__ import annotations

import psycopg

HEADER = "-- Generated from a migrated database by tests/db/test_schema_docs.py; do not edit.\n"
# The job queue's own objects (procrastinate's schema, documented with the library) are left
# out: they are not this application's behaviour.
_OURS = "NOT {name} LIKE 'procrastinate%'"

_RLS = """
    SELECT c.relname, c.relforcerowsecurity
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
      AND {ours}
    ORDER BY 1
""".format(ours=_OURS.format(name="c.relname"))
_POLICIES = """
    SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check
    FROM pg_policies WHERE schemaname = 'public' AND {ours} ORDER BY 1, 2
""".format(ours=_OURS.format(name="tablename"))
_TRIGGERS = """
    SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid, true)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND NOT t.tgisinternal AND {ours}
    ORDER BY 1, 2
""".format(ours=_OURS.format(name="c.relname"))
_FUNCTIONS = """
    SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
      AND {ours}
    ORDER BY 1, 2
""".format(ours=_OURS.format(name="p.proname"))


def _policies(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    out = [HEADER, "\n-- Tables under row-level security (FORCE: the owner is bound too):\n"]
    for table, forced in conn.execute(_RLS):
        out.append(f"--   {table}{' (FORCE)' if forced else ''}\n")
    for table, name, permissive, roles, cmd, qual, check in conn.execute(_POLICIES):
        out.append(f"\nCREATE POLICY {name} ON {table}\n  AS {str(permissive).upper()} FOR {cmd}")
        out.append(f" TO {str(roles).strip('{}')}")
        if qual is not None:
            out.append(f"\n  USING ({qual})")
        if check is not None:
            out.append(f"\n  WITH CHECK ({check})")
        out.append(";\n")
    return "".join(out)


def _triggers(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    out = [HEADER]
    table = None
    for relname, _name, definition in conn.execute(_TRIGGERS):
        if relname != table:
            out.append(f"\n-- {relname}\n")
            table = relname
        out.append(f"{definition};\n")
    return "".join(out)


def _functions(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    out = [HEADER]
    for name, arguments, definition in conn.execute(_FUNCTIONS):
        out.append(f"\n-- {name}({arguments})\n{str(definition).rstrip()};\n")
    return "".join(out)


def render(libpq_url: str) -> dict[str, str]:
    """File name under docs/schema/ -> its text, for the database at `libpq_url`."""
    with psycopg.connect(libpq_url) as conn:
        return {
            "policies.sql": _policies(conn),
            "triggers.sql": _triggers(conn),
            "functions.sql": _functions(conn),
        }
