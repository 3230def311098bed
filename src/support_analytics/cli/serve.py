"""`serve` and `demo`."""

from __future__ import annotations

import errno
import os
import socket
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import uvicorn

from support_analytics.auth import demo as demo_accounts
from support_analytics.cli.context import console, fail, open_database
from support_analytics.cli.progress import generation_progress
from support_analytics.cli.protocol import HeadTimeoutProtocol
from support_analytics.config import get_settings, local_url
from support_analytics.db import reference
from support_analytics.db.engine import libpq_url
from support_analytics.jobs import worker as job_worker
from support_analytics.web.server_options import forwarding, log_config

HostOption = Annotated[str | None, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on.")]
WorkersOption = Annotated[int, typer.Option(min=1, help="Worker processes.")]


def _check_port_free(host: str, port: int) -> None:
    # Checked before the database starts, so a taken port fails in a second, not after it.
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise fail(f"cannot listen on {host!r}: {exc.strerror}") from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"port {port} on {host} is already in use; pick another with --port"
                ) from exc
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def public_url(host: str, port: int) -> str:
    return local_url(host, port)


def announce(host: str, port: int) -> None:
    console.print(
        f"\n[bold]support-analytics[/] is running at [bold cyan]{public_url(host, port)}[/]"
        "  (Ctrl-C to stop)\n"
    )


def run_server(url: str, host: str, port: int, workers: int) -> None:
    # Worker processes build the app from the environment, so hand them the resolved URL.
    os.environ["SUPPORT_ANALYTICS_DATABASE_URL"] = url
    os.environ.pop("DATABASE_URL", None)
    get_settings.cache_clear()
    settings = get_settings()
    uvicorn.run(
        "support_analytics.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # Forwarded headers only from SUPPORT_ANALYTICS_TRUSTED_PROXIES; link tokens redacted
        # from the access log (web/server_options.py).
        proxy_headers=forwarding(settings).proxy_headers,
        forwarded_allow_ips=forwarding(settings).forwarded_allow_ips,
        log_config=log_config(settings.log_format),
        http=HeadTimeoutProtocol,
        # Live streams end at the first SIGTERM (live/shutdown.py); this bounds the rest.
        timeout_graceful_shutdown=settings.shutdown_seconds,
        # A worker imports the app and connects before it answers the supervisor's check.
        timeout_worker_healthcheck=settings.worker_start_seconds,
    )


def serve(host: HostOption = None, port: PortOption = None, workers: WorkersOption = 1) -> None:
    """Serve the web app and the JSON API."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    _check_port_free(host, port)
    with open_database(settings) as database:
        announce(host, port)
        run_server(database.url, host, port, workers)


def demo(
    host: HostOption = None,
    port: PortOption = None,
    insecure_demo_accounts: Annotated[
        bool,
        typer.Option(
            "--insecure-demo-accounts",
            help="Create the demo accounts (passwords published in the README) even on a "
            "non-loopback address or a DATABASE_URL database.",
        ),
    ] = False,
) -> None:
    """Migrate, load the reference data when empty (anchored so it ends today), create demo
    accounts, print logins, serve. Only on a loopback address with the embedded database
    unless --insecure-demo-accounts."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    refused = demo_accounts.refusal(host, embedded=settings.database_url is None)
    if refused and not insecure_demo_accounts:
        raise fail(refused)
    _check_port_free(host, port)
    with open_database(settings) as database:
        try:
            today = datetime.now(ZoneInfo(settings.reporting_timezone)).date()
            with generation_progress(console) as progress:
                reference.load(libpq_url(database.url), as_of=today, progress=progress)
            console.print(f"reference data loaded, shifted to end on {today.isoformat()}")
        except reference.DatabaseNotEmpty:
            console.print("reference data already present: reusing it")
        accounts = demo_accounts.ensure_demo_accounts(database)
        announce(host, port)
        for account in accounts:
            console.print(f"  {account.role.value:<8} {account.email:<20} {account.password}")
        # One process on a laptop: the job worker (mail, schedules) runs in a thread.
        stop_worker = job_worker.start_in_thread(libpq_url(database.url))
        try:
            run_server(database.url, host, port, workers=1)
        finally:
            stop_worker()
