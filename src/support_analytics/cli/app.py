"""The `support-analytics` command."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from support_analytics.cli import bench, db, serve, users, worker
from support_analytics.cli.context import fail
from support_analytics.errors import AppError

app = typer.Typer(
    name="support-analytics",
    help="Support analytics dashboard and client ticket portal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(serve.serve)
app.command()(serve.demo)
app.command()(bench.bench)
app.command()(worker.worker)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")


def main() -> None:
    try:
        app()
    except AppError as exc:
        raise SystemExit(fail(exc.message).exit_code) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]).upper()
        raise SystemExit(fail(f"invalid setting {where}: {first['msg']}").exit_code) from None
