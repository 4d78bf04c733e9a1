"""Run the companion app on 127.0.0.1: start, report the URL, run until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from companion.accounts import AccountStore
from companion.app import create_app
from companion.config import Settings, SettingsInvalid
from companion.errors import SpdeskError
from companion.identity import forget_running, record_running

log = logging.getLogger(__name__)
# Bind even while connections of a stopped companion linger on the port (TIME_WAIT, FIN_WAIT_2
# after a SIGKILL or a stop with streams open): a supervisor restarts it at once instead of
# failing "port busy" for about a minute. On Linux and macOS a port another program listens on
# is still refused; Windows would let a second program take the port, so not there.
REUSE_ADDRESS = sys.platform != "win32"
# How long a stop waits for running requests before closing them (aiohttp's default is 60 s).
SHUTDOWN_TIMEOUT = 5.0


@dataclass
class RunningCompanion:
    """A companion listening on a port; ``await stop()`` shuts it down."""

    app: web.Application
    runner: web.AppRunner
    host: str
    port: int
    data_dir: Path

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8765``."""
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Stop listening and run the app's cleanup."""
        forget_running(self.data_dir)
        await self.runner.cleanup()


async def start_companion(
    settings: Settings,
    *,
    store: AccountStore | None = None,
    app: web.Application | None = None,
    next_free_ports: int = 0,
) -> RunningCompanion:
    """Start the companion; with ``next_free_ports`` > 0 try that many ports after a busy one."""
    if settings.host != "127.0.0.1":
        raise SettingsInvalid("spdesk only listens on 127.0.0.1.", params={"case": "host"})
    app = app or create_app(settings, store=store)
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
    )
    await runner.setup()
    port = settings.port
    for attempt in range(next_free_ports + 1):
        site = web.TCPSite(runner, settings.host, port, reuse_address=REUSE_ADDRESS)
        try:
            await site.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or attempt == next_free_ports:
                await runner.cleanup()
                raise SpdeskError(
                    f"Port {port} on 127.0.0.1 is busy: another program (or "
                    "another spdesk) uses it. Stop it or pick another port.",
                    code="port_busy",
                    params={"port": port},
                ) from None
            port += 1
            continue
        bound = int(runner.addresses[-1][1])
        record_running(settings.data_dir, bound)
        return RunningCompanion(app, runner, settings.host, bound, settings.data_dir)
    raise AssertionError("unreachable")


@contextlib.asynccontextmanager
async def stop_signals() -> AsyncIterator[asyncio.Event]:
    """An event set by SIGINT or SIGTERM, from entering the block on.

    Enter it before starting anything: a SIGTERM that arrives while the companion starts (a
    supervisor stopping it at once) then still stops it cleanly, journal checkpointed, instead of
    killing it with the default action.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
            loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
