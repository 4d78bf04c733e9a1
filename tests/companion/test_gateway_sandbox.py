"""The gateway against the real sandbox over HTTP: reads, faults, retries, tokens, rate limits."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from companion.amazon.clients import Target
from companion.amazon.gateway import Gateway
from companion.amazon.outcome import (
    AmazonAccessDenied,
    AmazonCredentialsRejected,
    AmazonOutcomeUnknown,
)
from companion.amazon.retry import RetryPolicy
from companion.errors import AmazonThrottled, AmazonTimeout, AmazonUnavailable, OrderNotFound
from spdesk_sandbox.server import SandboxServer
from tests.companion.gateway_support import FAST, sandbox_target

GatewayFactory = Callable[..., Gateway]


@pytest.fixture
async def make_gateway() -> AsyncIterator[GatewayFactory]:
    """Gateways for a sandbox (closed afterwards); keyword arguments go to Gateway."""
    made: list[Gateway] = []

    def make(server: SandboxServer, target: Target | None = None, **kwargs: Any) -> Gateway:
        kwargs.setdefault("policy", FAST)
        kwargs.setdefault("request_timeout", 5.0)
        target = target or sandbox_target(server)
        gateway = Gateway(target, **kwargs)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.aclose()


async def usage(server: SandboxServer, operation: str) -> dict[str, Any]:
    """The sandbox's request / 429 counters for one operation."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.url}/_sandbox/usage") as reply:
            return dict((await reply.json())["operations"].get(operation, {}))


async def test_reads_an_order(sandbox: SandboxServer, make_gateway: GatewayFactory) -> None:
    gateway = make_gateway(sandbox)
    order = await gateway.get_order(sandbox.seed.order_id("us-fbm-unshipped-multi"))
    assert order.status == "UNSHIPPED" and order.fulfilled_by == "MERCHANT"
    assert order.marketplace_id == "ATVPDKIKX0DER" and order.currency == "USD"
    first = order.items[0]
    live = sandbox.state.order(order.order_id)
    assert live is not None and first.proceeds is not None
    assert first.proceeds.total == live.items[0].paid_total()
    assert first.proceeds.charges["ITEM"] == live.items[0].charged["Principal"]


async def test_unknown_order(sandbox: SandboxServer, make_gateway: GatewayFactory) -> None:
    gateway = make_gateway(sandbox)
    with pytest.raises(OrderNotFound):
        await gateway.get_order("999-0000000-0000000")
    assert await gateway.get_fulfillment_order("999-0000000-0000000") is None


async def test_429_storm_is_retried_then_succeeds(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    await gateway.get_order(order_id)  # learns the applied rate from x-amzn-RateLimit-Limit
    sandbox.state.faults.add("throttle", "getOrder", count=2)
    order = await gateway.get_order(order_id)
    assert order.status == "SHIPPED"
    counters = await usage(sandbox, "getOrder")
    assert counters["throttled"] == 2 and counters["requests"] == 4


async def test_endless_429_storm_becomes_amazon_throttled(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    await gateway.get_order(order_id)
    sandbox.state.faults.add("throttle", "getOrder", count=None)
    with pytest.raises(AmazonThrottled) as info:
        await gateway.get_order(order_id)
    assert info.value.status == 503 and info.value.code == "amazon_throttled"
    assert (await usage(sandbox, "getOrder"))["requests"] == 1 + FAST.max_attempts


async def test_html_500_is_an_error_not_an_empty_success(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    sandbox.state.faults.add("html_500", "getOrder", count=None)
    with pytest.raises(AmazonUnavailable) as info:
        await make_gateway(sandbox).get_order(sandbox.seed.order_id("us-fbm-shipped"))
    assert info.value.code == "amazon_unavailable" and info.value.status == 502
    assert info.value.details["httpStatus"] == 500


async def test_one_html_503_is_retried(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    sandbox.state.faults.add("html_503", "getOrder", count=1)
    order = await make_gateway(sandbox).get_order(sandbox.seed.order_id("us-fbm-shipped"))
    assert order.status == "SHIPPED"


async def test_slow_amazon_times_out(sandbox: SandboxServer, make_gateway: GatewayFactory) -> None:
    sandbox.state.faults.add("slow", "getOrder", count=None, delay_seconds=30)
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.1, deadline=2.0)
    gateway = make_gateway(sandbox, request_timeout=0.3, policy=policy)
    try:
        with pytest.raises(AmazonTimeout) as info:
            await gateway.get_order(sandbox.seed.order_id("us-fbm-shipped"))
    finally:
        sandbox.state.faults.clear()  # release the held requests
    assert info.value.status == 504


async def test_an_expired_token_fails_once_and_the_next_call_gets_a_fresh_one(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    await gateway.get_order(order_id)  # caches an access token
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sandbox.url}/_sandbox/tokens/expire") as reply:
            assert reply.status == 200
    before = sandbox.state.throttle.received["getOrder"]
    with pytest.raises(AmazonAccessDenied):
        await gateway.get_order(order_id)  # a 403 is final: not sent again
    assert sandbox.state.throttle.received["getOrder"] == before + 1
    order = await gateway.get_order(order_id)  # the evicted token is fetched afresh
    assert order.order_id == order_id


async def test_wrong_refresh_token_is_a_clear_error(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    good = sandbox_target(sandbox)
    bad = dataclasses.replace(good, refresh_token=SecretStr("Atzr|revoked-token"))
    with pytest.raises(AmazonCredentialsRejected) as info:
        await make_gateway(sandbox, bad).get_order(sandbox.seed.order_id("us-fbm-shipped"))
    assert "spdesk account add" in info.value.message


async def test_client_buckets_keep_a_burst_free_of_429(
    sandbox_factory: Callable[..., Any], make_gateway: GatewayFactory
) -> None:
    # Amazon's real burst (30) with rates x20: 36 lookups at once overrun Amazon's bucket
    # unless the client waits for its own tokens.
    server = await sandbox_factory(rate_scale=20.0)
    gateway = make_gateway(server)
    order_id = server.seed.order_id("us-fbm-shipped")
    orders = await asyncio.gather(*(gateway.get_order(order_id) for _ in range(36)))
    assert {o.order_id for o in orders} == {order_id}
    counters = await usage(server, "getOrder")
    assert counters == {**counters, "requests": 36, "throttled": 0}


async def test_finances_shows_posted_refunds(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped-partly-refunded")
    events = await make_gateway(sandbox).list_financial_events(order_id)
    posted = sandbox.state.posted_adjustments(order_id)
    assert posted, "the seed has a posted refund for this order"
    for adjustment in posted:
        for component, amount in adjustment.components.items():
            assert events.refunded(adjustment.item_code, component) >= amount > Decimal(0)


async def test_feed_document_round_trip(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    xml = '<?xml version="1.0" encoding="UTF-8"?><AmazonEnvelope>Größe 東京</AmazonEnvelope>'
    document_id = await gateway.upload_feed_document(xml.encode())
    stored = sandbox.state.documents[document_id]
    assert xml.encode() in (stored.content if hasattr(stored, "content") else stored)
    with pytest.raises(TypeError):
        await gateway.upload_feed_document(xml)  # type: ignore[arg-type]


async def test_create_feed_is_never_resent_after_a_5xx(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    document_id = await gateway.upload_feed_document(b"<AmazonEnvelope/>")
    # One failure only: a resend would succeed and create a feed.
    sandbox.state.faults.add("html_500", "createFeed", count=1)
    with pytest.raises(AmazonOutcomeUnknown) as info:
        await gateway.create_feed("POST_PAYMENT_ADJUSTMENT_DATA", ["ATVPDKIKX0DER"], document_id)
    assert info.value.code == "amazon_outcome_unknown"
    assert not sandbox.state.feeds


async def test_create_feed_retries_a_429(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    document_id = await gateway.upload_feed_document(b"<AmazonEnvelope/>")
    # A 429 is a refusal, so resending is safe; the first feed teaches the applied rate.
    await gateway.create_feed("POST_PAYMENT_ADJUSTMENT_DATA", ["ATVPDKIKX0DER"], document_id)
    sandbox.state.faults.add("throttle", "createFeed", count=1)
    feed_id = await gateway.create_feed(
        "POST_PAYMENT_ADJUSTMENT_DATA", ["ATVPDKIKX0DER"], document_id
    )
    feed = await gateway.get_feed(feed_id)
    assert feed.feed_id == feed_id and feed.feed_type == "POST_PAYMENT_ADJUSTMENT_DATA"
    assert feed.processing_status in {"IN_QUEUE", "IN_PROGRESS", "DONE", "FATAL"}
    listed = await gateway.get_feeds(["POST_PAYMENT_ADJUSTMENT_DATA"])
    assert feed_id in {f.feed_id for f in listed} and len(listed) == 2


async def test_own_bucket_refuses_fast_instead_of_waiting_minutes(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    gateway = make_gateway(sandbox)
    document_id = await gateway.upload_feed_document(b"<AmazonEnvelope/>")
    gateway.limiter.bucket("createFeed").drain()  # as after Amazon's 429 at 0.0083/s
    with pytest.raises(AmazonThrottled):
        await gateway.create_feed("POST_PAYMENT_ADJUSTMENT_DATA", ["ATVPDKIKX0DER"], document_id)
    assert not sandbox.state.feeds


@pytest.mark.parametrize("gzip_reports", [False, True])
async def test_processing_report_is_downloaded_and_gunzipped(
    gzip_reports: bool, sandbox_factory: Callable[..., Any], make_gateway: GatewayFactory
) -> None:
    server = await sandbox_factory(gzip_reports=gzip_reports)
    gateway = make_gateway(server)
    document_id = await gateway.upload_feed_document(b"<AmazonEnvelope/>")
    feed_id = await gateway.create_feed(
        "POST_PAYMENT_ADJUSTMENT_DATA", ["ATVPDKIKX0DER"], document_id
    )
    server.state.clock.advance(600)  # past queueing and processing (virtual time)
    for _ in range(200):  # the processor wakes up on the jump; poll getFeed with a deadline
        feed = await gateway.get_feed(feed_id)
        if feed.processing_status in {"DONE", "FATAL"}:
            break
        await asyncio.sleep(0.05)
    assert feed.processing_status == "DONE" and feed.result_feed_document_id
    report = await gateway.get_feed_document_bytes(feed.result_feed_document_id)
    assert report.startswith(b"<?xml") and b"ProcessingSummary" in report


async def test_unreachable_amazon_is_unavailable(
    sandbox: SandboxServer, make_gateway: GatewayFactory
) -> None:
    good = sandbox_target(sandbox)
    await sandbox.stop()  # nothing listens there any more: connections are refused
    gateway = make_gateway(sandbox, good)
    with pytest.raises(AmazonUnavailable) as info:
        await gateway.get_order("113-4820571-0038214")
    assert info.value.status == 502
