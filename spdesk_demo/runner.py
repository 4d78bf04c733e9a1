"""Start the sandbox, the companion and the demo helpdesk together, and check them end to end."""

from __future__ import annotations

import contextlib
import errno
import logging
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from companion.accounts import AccountStore
from companion.config import Settings
from companion.errors import SpdeskError
from companion.keys import PAIRINGS
from companion.server import RunningCompanion, start_companion
from spdesk_demo.helpdesk import create_helpdesk_app
from spdesk_demo.sandbox_account import install_sandbox_account
from spdesk_demo.tickets import TICKETS
from spdesk_sandbox.server import SandboxServer, start_sandbox
from spdesk_sandbox.settings import SandboxSettings

log = logging.getLogger(__name__)

HELPDESK_PORT = 8766
# A refund's feed (10 s queue + 60 s processing at Amazon) then takes about 10 s instead of 70.
DEMO_SPEED = 7.0
CHECK_ORIGIN = "chrome-extension://dddddddddddddddddddddddddddddddd"


@dataclass
class DemoStack:
    """Everything the demo runs; ``await stop()`` shuts it down in reverse order."""

    sandbox: SandboxServer
    companion: RunningCompanion
    helpdesk: web.AppRunner
    helpdesk_url: str
    store: AccountStore

    async def stop(self) -> None:
        """Stop the helpdesk, the companion, then the sandbox."""
        await self.helpdesk.cleanup()
        await self.companion.stop()
        await self.sandbox.stop()


async def _start_helpdesk(sandbox: SandboxServer, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(
        create_helpdesk_app(sandbox.seed.order_id), access_log=None, handle_signals=False
    )
    await runner.setup()
    for candidate in range(port, port + 10) if port else [0]:
        try:
            await web.TCPSite(runner, "127.0.0.1", candidate).start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        return runner, f"http://127.0.0.1:{runner.addresses[-1][1]}"
    await runner.cleanup()
    raise SpdeskError(
        f"Ports {port}-{port + 9} on 127.0.0.1 are all busy; the demo helpdesk cannot start.",
        code="port_busy",
        params={"port": port, "last": port + 9},
    )


async def start_demo(
    settings: Settings, *, helpdesk_port: int = HELPDESK_PORT, sandbox_state: Path | None = None
) -> DemoStack:
    """Sandbox on a free port, its account in the keyring, the companion, the helpdesk."""
    async with contextlib.AsyncExitStack() as undo:  # stops what started if a later part fails
        sandbox = await start_sandbox(
            SandboxSettings(port=0, speed=DEMO_SPEED, state_dir=sandbox_state)
        )
        undo.push_async_callback(sandbox.stop)
        store = AccountStore(settings)
        install_sandbox_account(store, sandbox.url)
        store.set_default("sandbox")
        companion = await start_companion(
            settings, store=store, next_free_ports=9 if settings.port else 0
        )
        undo.push_async_callback(companion.stop)
        helpdesk, helpdesk_url = await _start_helpdesk(sandbox, helpdesk_port)
        undo.pop_all()
    return DemoStack(sandbox, companion, helpdesk, helpdesk_url, store)


async def check_demo(stack: DemoStack) -> str:
    """Pair a stand-in extension, look one order up through the companion, read the helpdesk."""
    order_id = stack.sandbox.seed.order_id(TICKETS[0].label)  # the ticket that opens first
    companion = stack.companion
    pairings = companion.app[PAIRINGS]
    host = {"Host": f"127.0.0.1:{companion.port}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        code = pairings.new_code()
        async with http.post(
            f"{companion.url}/v1/pair",
            json={"code": code, "label": "check"},
            headers={**host, "Origin": CHECK_ORIGIN},
        ) as reply:
            paired = await reply.json()
            if reply.status != 201:
                raise SpdeskError(
                    f"Pairing failed: {paired}",
                    code="demo_check_failed",
                    params={"case": "pairing", "status": reply.status},
                )
        try:
            auth = {**host, "Authorization": f"Bearer {paired['token']}"}
            async with http.get(f"{companion.url}/v1/orders/{order_id}", headers=auth) as reply:
                view = await reply.json()
                if reply.status != 200 or view.get("orderId") != order_id:
                    raise SpdeskError(
                        f"Order lookup failed ({reply.status}): {view}",
                        code="demo_check_failed",
                        params={"case": "lookup", "status": reply.status},
                    )
            async with http.get(stack.helpdesk_url + "/") as reply:
                if order_id not in await reply.text():
                    raise SpdeskError(
                        "The demo helpdesk does not show the sandbox orders.",
                        code="demo_check_failed",
                        params={"case": "helpdesk"},
                    )
        finally:
            pairings.revoke(paired["pairingId"])
    return (
        f"OK: order {order_id} ({view['status']}, {view['totals']['charged']} "
        f"{view['marketplace']['currency']}) read through the companion at {companion.url}"
    )
