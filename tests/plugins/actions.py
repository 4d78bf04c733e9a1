"""Fixtures for the actions tests: a companion with fast feed timings against the sandbox."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from companion.accounts import AccountStore
from companion.actions.sqlite_ledger import SqliteLedger
from companion.config import Settings
from tests.actions.feedschema import check_document

# Real seconds; the sandbox runs its clock fast, so feeds finish in well under a second.
FAST_ACTIONS = {
    "feed_batch_window": 0.15,
    "feed_poll_interval": 0.05,
    "feed_reconcile_grace": 0.2,
    "feed_retry_delay": 0.1,
    "finances_poll_interval": 0.3,
    "events_keepalive": 0.5,
}


async def eventually(check: Callable[[], Any], within: float = 10.0, interval: float = 0.02) -> Any:
    """Poll `check` (sync or async) until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return str(uuid.uuid4())


async def adopt_sandbox_rates(client: Any, rate_scale: float, account: str | None = None) -> None:
    """Give the gateway's buckets the sandbox's scaled rates, as x-amzn-RateLimit-Limit would.

    Without this a bucket only learns the scaled rate from its first answer; a test that starts
    with an injected 429 (which carries no rate header) would wait Amazon's real two minutes.
    """
    from companion.amazon.ratelimit import USAGE_PLANS
    from companion.keys import GATEWAYS

    gateway = await client.app[GATEWAYS].get(account)
    for operation, plan in USAGE_PLANS.items():
        gateway.limiter.bucket(operation).adopt_rate(plan.rate * rate_scale)


@asynccontextmanager
async def sqlite_ledger(path: Path) -> AsyncIterator[SqliteLedger]:
    """The SQLite ledger on a journal file, opened for a test and closed afterwards."""
    ledger = SqliteLedger(path)
    await ledger.open()
    try:
        yield ledger
    finally:
        await ledger.close()


@pytest.fixture
def actions_settings(settings: Settings) -> Settings:
    """The test settings with the feed engine's delays shortened."""
    return settings.model_copy(update=FAST_ACTIONS)


@pytest.fixture
async def spdesk(
    sandbox: Any, actions_settings: Settings, keyring_store: AccountStore
) -> AsyncIterator[Any]:
    """A paired companion with fast feed timings against the `sandbox` fixture."""
    from spdesk_demo.sandbox_account import install_sandbox_account
    from tests.plugins.companion import start_client, stop_client

    install_sandbox_account(keyring_store, sandbox.url)
    client = await start_client(actions_settings, keyring_store)
    reply = await client.pair()
    assert reply.status == 201, reply.body
    client.extra["sandbox"] = sandbox
    await adopt_sandbox_rates(client, sandbox.settings.rate_scale)
    yield client
    await stop_client(client)
    assert_feeds_follow_the_schema(sandbox)


def assert_feeds_follow_the_schema(sandbox: Any) -> None:
    """Every feed document the companion sent in the test is valid for Amazon's schemas."""
    state = sandbox.state
    for feed in state.feeds.values():
        document = state.documents.get(feed.input_document_id)
        if document is not None and document.content is not None:
            check_document(document.content)
