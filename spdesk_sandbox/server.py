"""Run the sandbox over real HTTP in-process: `await start_sandbox(settings)` or `async with`."""

from __future__ import annotations

import logging
from types import TracebackType

from aiohttp import web

from spdesk_sandbox.app import create_sandbox_app
from spdesk_sandbox.persistence import load_state, setup_persistence
from spdesk_sandbox.seed import Seed
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState

log = logging.getLogger(__name__)


class SandboxServer:
    """A running sandbox: `url` (LWA and SP-API on one origin), live `state`, `seed` labels."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.app = create_sandbox_app(state)
        setup_persistence(self.app, state)
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        self.url = ""

    @property
    def seed(self) -> Seed:
        """The seed the sandbox started from (`seed.order_id(label)`)."""
        return self.state.seed

    @property
    def settings(self) -> SandboxSettings:
        """The settings the sandbox runs with."""
        return self.state.settings

    async def start(self) -> SandboxServer:
        """Bind and serve; the real port is in `url` (port 0 picks a free one)."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        sockets = self._runner.addresses
        host, port = sockets[0][0], sockets[0][1]
        self.url = f"http://{host}:{port}"
        log.info("sandbox listening on %s", self.url)
        return self

    async def stop(self) -> None:
        """Stop serving and run cleanups (background tasks, persistence)."""
        self.state.faults.clear()  # releases requests held by slow/timeout faults
        await self._runner.cleanup()

    async def __aenter__(self) -> SandboxServer:
        return self if self.url else await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def start_sandbox(settings: SandboxSettings | None = None) -> SandboxServer:
    """Start a sandbox (state restored from `state_dir` when it holds one) and return it."""
    settings = settings or SandboxSettings()
    state = load_state(settings) or SandboxState.create(settings)
    return await SandboxServer(state).start()
