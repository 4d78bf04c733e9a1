"""The real parts the browser tests drive: sandbox, companion and the fixture helpdesk server."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp

from companion.accounts import AccountStore, keyring_backend_name
from companion.actions.feeds import ADJUSTMENT_FEED, AdjustmentMessage, build_adjustment_feed
from companion.actions.record import RefundLine
from companion.amazon.pool import GatewayPool
from companion.config import Settings
from companion.errors import KeyringUnavailable
from companion.keys import ACTIONS, PAIRINGS
from companion.marketplaces import marketplace
from spdesk_demo.sandbox_account import install_sandbox_account
from spdesk_sandbox.defaults import SANDBOX_SELLER_ID
from spdesk_sandbox.server import SandboxServer, start_sandbox
from tests.e2e.browsers import REPO
from tests.e2e.servers import LoopThread, RunningApp, fixture_site, serve
from tests.plugins.actions import FAST_ACTIONS, adopt_sandbox_rates
from tests.plugins.companion import CompanionClient, Reply, start_client, stop_client
from tests.plugins.sandbox import TEST_SETTINGS, clear_spapi_token_caches

FIXTURE_PAGES = REPO / "extension" / "test" / "fixtures" / "helpdesks"
# Finances shows a refund only after this (virtual) lag: long enough that a refund made outside
# spdesk stays invisible to the companion for the whole test, as it does for minutes at Amazon.
POSTING_LAG_SECONDS = 86_400.0


@dataclass
class Stack:
    """A running sandbox, a companion with the sandbox account, and the fixture pages."""

    loop: LoopThread
    sandbox: SandboxServer
    companion: CompanionClient
    site: RunningApp

    def page_url(self, host: str, page: str) -> str:
        """URL of a saved helpdesk page under a realistic host name."""
        return f"http://{host}:{self.site.port}/{page}"

    def site_origin(self, host: str) -> str:
        """The web origin of a fixture host (what the extension enables)."""
        return f"http://{host}:{self.site.port}"

    def order_id(self, label: str) -> str:
        """The seeded order id behind a label such as `us-fbm-unshipped-multi`."""
        return str(self.loop.call(lambda: self.sandbox.seed.order_id(label)))

    def api(self, method: str, path: str, json: Any = None) -> Reply:
        """Call the companion as a paired extension would."""
        return self.loop.run(self.companion.request(method, path, json=json))

    def new_pairing_code(self) -> str:
        """A fresh one-time code, as `spdesk pair` shows it."""
        return str(self.loop.call(lambda: self.companion.app[PAIRINGS].new_code()))

    def pair(self, origin: str, label: str) -> dict[str, Any]:
        """Pair an extension origin through POST /v1/pair; returns token and pairingId."""
        return self.pair_with(self.companion, origin, label)

    def pair_with(
        self, companion: CompanionClient, origin: str, label: str = "e2e"
    ) -> dict[str, Any]:
        """Pair an extension origin with a given companion; returns token and pairingId."""
        code = self.loop.call(lambda: companion.app[PAIRINGS].new_code())
        reply = self.loop.run(
            companion.request(
                "POST",
                "/v1/pair",
                json={"code": code, "label": label},
                headers={"Origin": origin, "Authorization": None},
            )
        )
        assert reply.status == 201, reply.body
        return dict(reply.json())

    def sandbox_json(self, method: str, path: str, json: Any = None) -> Any:
        """Call the sandbox's control API under /_sandbox/."""

        async def call() -> Any:
            async with (
                aiohttp.ClientSession() as session,
                session.request(
                    method, f"{self.sandbox.url}/_sandbox{path}", json=json
                ) as response,
            ):
                assert response.status < 300, await response.text()
                return await response.json()

        return self.loop.run(call())

    def actions_of(self, order_id: str) -> list[dict[str, Any]]:
        """Every action on an order, newest first."""
        reply = self.api("GET", f"/v1/orders/{order_id}/actions")
        assert reply.status == 200, reply.body
        return list(reply.json()["actions"])


def require_keyring() -> None:
    """Fail with the fix when no Secret Service answers (the companion needs it)."""
    try:
        keyring_backend_name()
    except KeyringUnavailable:
        raise AssertionError(
            "No usable OS keyring: run the browser tests under packaging/with-keyring.sh"
        ) from None


@contextmanager
def running_stack(
    tmp: Path, companion_settings: dict[str, Any] | None = None, **sandbox_overrides: Any
) -> Iterator[Stack]:
    """Start sandbox, companion (sandbox account in the real keyring) and fixture server.

    The companion's feed batching and polling run in real seconds; by default they are
    shortened to match the sandbox's fast clock (pass `companion_settings={}` for the product's).
    """
    require_keyring()
    # Every sandbox accepts the same sandbox credentials but issues its own access tokens: one
    # cached by an earlier module's companion (its pollers may ask late) would be refused here.
    clear_spapi_token_caches()
    loop = LoopThread()
    overrides = FAST_ACTIONS if companion_settings is None else companion_settings
    settings = Settings.for_tests(tmp).model_copy(update=overrides)
    store = AccountStore(settings)
    sandbox_settings = replace(
        TEST_SETTINGS, posting_lag_seconds=POSTING_LAG_SECONDS, **sandbox_overrides
    )
    sandbox = loop.run(start_sandbox(sandbox_settings))
    try:
        install_sandbox_account(store, sandbox.url)
        companion = loop.run(start_client(settings, store))
        loop.run(adopt_sandbox_rates(companion, sandbox_settings.rate_scale))
        assert loop.run(companion.pair(label="e2e test client")).status == 201
        site = loop.run(serve(fixture_site(FIXTURE_PAGES)))
        try:
            yield Stack(loop=loop, sandbox=sandbox, companion=companion, site=site)
        finally:
            loop.run(site.stop())
            loop.run(stop_client(companion))
    finally:
        loop.run(sandbox.stop())
        for account in store.list():
            store.remove(account.name)
        loop.close()


def build_extension(out: Path) -> Path:
    """Build dist/chrome and dist/firefox into `out` with the project's build script."""
    script = REPO / "packaging" / "build-extension.mjs"
    done = subprocess.run(
        ["node", str(script)],
        cwd=REPO / "extension",
        env={**os.environ, "SPDESK_DIST": str(out)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"the extension build failed:\n{done.stdout}{done.stderr}"
    return out


async def _refund_elsewhere(
    stack: Stack, order_id: str, market_code: str, items: list[dict[str, Any]]
) -> str:
    # Another tool of the same seller (think Seller Central): its own SP-API client, same
    # credentials, straight to Amazon. spdesk learns of it only when Amazon judges a later feed.
    pool = GatewayPool(stack.companion.store)
    try:
        gateway = await pool.get(None)
        market = marketplace(market_code)
        message = AdjustmentMessage(
            message_id=1,
            order_id=order_id,
            merchant_ref="seller-central",
            reason="CustomerReturn",
            items=tuple(RefundLine.from_json(item) for item in items),
        )
        xml = build_adjustment_feed(SANDBOX_SELLER_ID, market, [message])
        document_id = await gateway.upload_feed_document(xml)
        feed_id = await gateway.create_feed(ADJUSTMENT_FEED, [market.id], document_id)
        deadline = asyncio.get_running_loop().time() + 20
        while (feed := await gateway.get_feed(feed_id)).processing_status != "DONE":
            assert feed.processing_status not in {"FATAL", "CANCELLED"}, feed
            assert asyncio.get_running_loop().time() < deadline, "the outside feed never finished"
            await asyncio.sleep(0.05)  # polling interval of a deadline-bound wait
        return feed_id
    finally:
        await pool.aclose()


def refund_elsewhere(
    stack: Stack, order_id: str, market_code: str, items: list[dict[str, Any]]
) -> str:
    """Refund through SP-API outside spdesk and wait until Amazon has applied it."""
    return stack.loop.run(_refund_elsewhere(stack, order_id, market_code, items))


@contextmanager
def extra_companion(stack: Stack, tmp: Path) -> Iterator[CompanionClient]:
    """A second companion against the same sandbox, for a test that stops it."""
    settings = Settings.for_tests(tmp).model_copy(update=FAST_ACTIONS)
    store = AccountStore(settings)
    install_sandbox_account(store, stack.sandbox.url)
    client = stack.loop.run(start_client(settings, store))
    stack.loop.run(adopt_sandbox_rates(client, stack.sandbox.settings.rate_scale))
    try:
        yield client
    finally:
        stack.loop.run(client.session.close())
        if client.server.runner.server is not None:  # the test may have stopped it already
            stack.loop.run(client.server.stop())
        for account in store.list():
            store.remove(account.name)


def stop_companion(stack: Stack, client: CompanionClient, deadline: float = 10.0) -> float:
    """Stop a companion the way `spdesk serve` stops on Ctrl-C; returns the seconds it took."""
    started = time.monotonic()
    future = asyncio.run_coroutine_threadsafe(client.server.stop(), stack.loop.loop)
    try:
        future.result(deadline)
    except concurrent.futures.TimeoutError:
        # Let the shutdown finish so the run goes on, then say what held it.
        stack.loop.call(lambda: client.app[ACTIONS].bus.close())
        future.result(30)
        raise AssertionError(
            f"the companion took over {deadline:.0f} s to stop: something held aiohttp's "
            "graceful shutdown (an open /v1/events stream ends only when the event bus closes)"
        ) from None
    return time.monotonic() - started
