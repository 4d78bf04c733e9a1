"""A companion and its sandbox running on their own event loop in a thread.

For clients that block (schemathesis sends with requests): the companion must keep serving while
the test thread waits for its answer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from companion.accounts import AccountStore
from companion.config import Settings
from companion.keys import PAIRINGS
from companion.server import RunningCompanion, start_companion
from spdesk_demo.sandbox_account import install_sandbox_account
from spdesk_sandbox.server import SandboxServer, start_sandbox
from tests.plugins.actions import FAST_ACTIONS
from tests.plugins.companion import TEST_EXTENSION_ORIGIN
from tests.plugins.sandbox import TEST_SETTINGS

T = TypeVar("T")


@dataclass
class LiveCompanion:
    """A paired companion with the sandbox behind it, served from a background thread."""

    loop: asyncio.AbstractEventLoop
    sandbox: SandboxServer
    server: RunningCompanion
    token: str
    origin: str = TEST_EXTENSION_ORIGIN
    order_ids: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base URL of the companion."""
        return self.server.url

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the companion's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


async def _start(settings: Settings, store: AccountStore) -> tuple[SandboxServer, RunningCompanion]:
    sandbox = await start_sandbox(TEST_SETTINGS)
    install_sandbox_account(store, sandbox.url)
    return sandbox, await start_companion(settings, store=store)


async def _stop(sandbox: SandboxServer, server: RunningCompanion) -> None:
    await server.stop()
    await sandbox.stop()


@contextmanager
def live_companion(root: Path) -> Iterator[LiveCompanion]:
    """Start sandbox and companion on a fresh loop in a thread; pair one extension origin."""
    settings = Settings.for_tests(root, **FAST_ACTIONS)
    store = AccountStore(settings)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="live-companion", daemon=True)
    thread.start()
    try:
        sandbox, server = asyncio.run_coroutine_threadsafe(_start(settings, store), loop).result(60)
        pairings = server.app[PAIRINGS]
        _, token = pairings.exchange(pairings.new_code(), TEST_EXTENSION_ORIGIN, "fuzz")
        live = LiveCompanion(loop, sandbox, server, token)
        live.order_ids = dict(sandbox.seed.labels)
        try:
            yield live
        finally:
            live.run(_stop(sandbox, server))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        for account in store.list():
            store.remove(account.name)
