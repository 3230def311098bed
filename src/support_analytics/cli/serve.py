"""`serve` and `demo`."""

from __future__ import annotations

import errno
import importlib.util
import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from support_analytics.auth import demo as demo_accounts
from support_analytics.cli.context import console, fail, open_database
from support_analytics.cli.progress import generation_progress
from support_analytics.cli.protocol import HeadTimeoutProtocol
from support_analytics.config import get_settings, local_url
from support_analytics.db import reference
from support_analytics.db.engine import libpq_url
from support_analytics.jobs import worker as job_worker
from support_analytics.web.server_options import forwarding, log_config

logger = logging.getLogger("uvicorn.error")

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


class Supervisor(Multiprocess):
    """uvicorn's supervisor of `--workers N`, changed at shutdown only.

    The listening socket is one kernel socket held by the supervisor and by every worker. At
    SIGTERM the workers stop accepting, but uvicorn's supervisor kept its own copy open until
    it exited, so connections made while the workers drained were accepted by the kernel and
    never answered. It now closes its copy before it signals the workers: once they have
    closed theirs too, a new connection is refused at once (and a load balancer moves on).

    uvicorn's supervisor also only queues signals while it waits for the workers, so a second
    SIGTERM or Ctrl-C did nothing until the graceful period ended. Here it kills the workers.
    """

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()

    def join_all(self) -> None:
        self.signal_queue.clear()  # the signal that started the shutdown
        for worker in self.processes:
            while worker.process.is_alive():
                if self.signal_queue:
                    self.signal_queue.clear()
                    logger.warning("Second signal received: stopping the workers now.")
                    for each in self.processes:
                        if each.process.is_alive():
                            each.process.kill()
                worker.process.join(timeout=0.1)


@contextmanager
def _workers_skip_the_command_line() -> Iterator[None]:
    # A spawned worker first re-runs the parent's main module, before it can answer the
    # supervisor's health check. Under the `support-analytics` console script that imports
    # every CLI command (bench, db, users: as heavy as the app itself) in each worker.
    # multiprocessing skips a package's `__main__` (`python -m support_analytics`), so the
    # console script presents itself as that module while the workers start.
    main = sys.modules["__main__"]
    if main.__spec__ is not None:
        yield
        return
    main.__spec__ = importlib.util.find_spec("support_analytics.__main__")
    try:
        yield
    finally:
        main.__spec__ = None


def run_server(url: str, host: str, port: int, workers: int) -> None:
    # Worker processes build the app from the environment, so hand them the resolved URL.
    os.environ["SUPPORT_ANALYTICS_DATABASE_URL"] = url
    os.environ.pop("DATABASE_URL", None)
    get_settings.cache_clear()
    settings = get_settings()
    config = uvicorn.Config(
        "support_analytics.web.app:create_server_app",
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
        # The supervisor's liveness check, also while a worker starts (see Supervisor).
        timeout_worker_healthcheck=settings.worker_start_seconds,
    )
    if workers > 1:
        with _workers_skip_the_command_line():
            Supervisor(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    with suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


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
