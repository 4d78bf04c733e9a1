"""No 4xx but 429 is ever sent again: counted, per operation, by the requests the sandbox received.

Amazon refuses a 4xx request as it is; sending it again cannot change the answer, and for
createFeed it spends a scarce token. Only 429 (come back later) and 5xx are retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from companion.actions.feeds import ACKNOWLEDGEMENT_FEED
from companion.amazon.gateway import Gateway
from companion.errors import SpdeskError
from spdesk_sandbox.server import SandboxServer
from tests.companion.gateway_support import FAST, sandbox_target
from tests.sandbox.feedkit import envelope

US = "ATVPDKIKX0DER"
REFUSALS = ["status_400", "status_401", "expired_token", "status_404", "status_408"]
REFUSALS += ["status_409", "status_413", "status_415", "status_422"]
Call = Callable[[], Awaitable[Any]]


async def _calls(gateway: Gateway, server: SandboxServer) -> dict[str, Call]:
    """One gateway call per SP-API operation the companion uses (a feed made beforehand)."""
    seed = server.seed
    xml = envelope("OrderAcknowledgement", []).encode()
    document = await gateway.upload_feed_document(xml)
    feed_id = await gateway.create_feed(ACKNOWLEDGEMENT_FEED, [US], document)
    deadline = time.monotonic() + 20
    while (feed := await gateway.get_feed(feed_id)).result_feed_document_id is None:
        assert time.monotonic() < deadline, feed
        await asyncio.sleep(0.02)  # poll interval of a deadline-bound wait
    report = feed.result_feed_document_id
    since = datetime.now(UTC) - timedelta(days=1)
    return {
        "getOrder": lambda: gateway.get_order(seed.order_id("us-fbm-shipped")),
        "getFulfillmentOrder": lambda: gateway.get_fulfillment_order(
            seed.order_id("us-mcf-received")
        ),
        "cancelFulfillmentOrder": lambda: gateway.cancel_fulfillment_order(
            seed.order_id("us-mcf-planning")
        ),
        "listFinancialEventsByOrderId": lambda: gateway.list_financial_events(
            seed.order_id("us-fbm-shipped")
        ),
        "createFeedDocument": lambda: gateway.upload_feed_document(xml),
        "createFeed": lambda: gateway.create_feed(ACKNOWLEDGEMENT_FEED, [US], document),
        "getFeed": lambda: gateway.get_feed(feed_id),
        "getFeeds": lambda: gateway.get_feeds([ACKNOWLEDGEMENT_FEED], since),
        "getFeedDocument": lambda: gateway.get_feed_document_bytes(report),
    }


async def _received(server: SandboxServer, operation: str, call: Call) -> int:
    before = server.state.throttle.received[operation]
    try:
        await call()
    except SpdeskError:
        pass
    return server.state.throttle.received[operation] - before


@pytest.fixture
async def gateway(quick_sandbox: SandboxServer) -> Any:
    gateway = Gateway(sandbox_target(quick_sandbox), policy=FAST, request_timeout=5.0)
    yield gateway
    await gateway.aclose()


async def test_no_operation_resends_a_refused_request(
    quick_sandbox: SandboxServer, gateway: Gateway
) -> None:
    calls = await _calls(gateway, quick_sandbox)
    assert len(calls) == 9  # every operation of the gateway
    sent: dict[tuple[str, str], int] = {}
    for kind in REFUSALS:
        for operation, call in calls.items():
            quick_sandbox.state.faults.add(kind, operation, count=1)
            sent[(kind, operation)] = await _received(quick_sandbox, operation, call)
            quick_sandbox.state.faults.clear()
    assert {key for key, count in sent.items() if count != 1} == set()


async def test_every_operation_comes_back_after_a_429(
    quick_sandbox: SandboxServer, gateway: Gateway
) -> None:
    calls = await _calls(gateway, quick_sandbox)
    for operation, call in calls.items():
        await _received(quick_sandbox, operation, call)  # learns the sandbox's (scaled) rate
        quick_sandbox.state.faults.add("throttle", operation, count=1)
        assert await _received(quick_sandbox, operation, call) == 2, operation
