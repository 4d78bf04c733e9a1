"""The feed processor on the virtual clock: queueing, serial runs, cancel, faults, GZIP."""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import replace
from datetime import datetime, timedelta

import aiohttp
import pytest
from sp_api.asyncio.api import Feeds
from sp_api.base.exceptions import SellingApiBadRequestException

from spdesk_sandbox.server import SandboxServer, start_sandbox
from tests.plugins.sandbox import (
    TEST_SETTINGS,
    SandboxFactory,
    sandbox_access_token,
    spapi_client,
)
from tests.sandbox.feedkit import (
    ADJUSTMENT,
    adjusted_item,
    adjustment_message,
    envelope,
    order_view,
    parse_report,
    submit,
    wait_for_status,
)

US = "ATVPDKIKX0DER"


def refund_xml(server: SandboxServer, count: int = 1, amount: str = "1.00") -> str:
    order = order_view(server, "us-fbm-shipped")
    code = order.items[0].item_code
    return envelope(
        "OrderAdjustment",
        [
            adjustment_message(
                n, order.order_id, adjusted_item(code, {"Principal": amount}, merchant_id=f"m{n}")
            )
            for n in range(1, count + 1)
        ],
    )


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
async def slow(sandbox_factory: SandboxFactory) -> SandboxServer:
    """Real time barely moves (speed 1): the tests move the virtual clock themselves."""
    return await sandbox_factory(speed=1.0, feed_queue_seconds=10.0, feed_processing_seconds=60.0)


async def test_lifecycle_follows_the_virtual_clock(slow: SandboxServer) -> None:
    async with spapi_client(Feeds, slow) as feeds:
        feed_id = await submit(feeds, ADJUSTMENT, refund_xml(slow), US)
        queued = (await feeds.get_feed(feed_id)).payload
        assert queued["processingStatus"] == "IN_QUEUE"
        assert "processingStartTime" not in queued and "resultFeedDocumentId" not in queued
        slow.state.clock.advance(10)
        running = await wait_for_status(feeds, feed_id, {"IN_PROGRESS"})
        assert not slow.state.adjustments[2:], "nothing is applied before the feed is done"
        slow.state.clock.advance(60)
        done = await wait_for_status(feeds, feed_id, {"DONE"})
    start, end = parse_time(running["processingStartTime"]), parse_time(done["processingEndTime"])
    assert end - start >= timedelta(seconds=60)
    assert parse_time(done["createdTime"]) <= start
    assert done["resultFeedDocumentId"]


async def test_feeds_run_one_after_another_and_only_queued_ones_cancel(
    slow: SandboxServer,
) -> None:
    async with spapi_client(Feeds, slow) as feeds:
        first = await submit(feeds, ADJUSTMENT, refund_xml(slow, amount="1.00"), US)
        second = await submit(feeds, ADJUSTMENT, refund_xml(slow, amount="2.00"), US)
        third = await submit(feeds, ADJUSTMENT, refund_xml(slow, amount="3.00"), US)
        slow.state.clock.advance(10)
        await wait_for_status(feeds, first, {"IN_PROGRESS"})
        assert (await feeds.get_feed(second)).payload["processingStatus"] == "IN_QUEUE"
        with pytest.raises(SellingApiBadRequestException) as refused:
            await feeds.cancel_feed(first)
        assert refused.value.error[0]["code"] == "InvalidInput"
        await feeds.cancel_feed(second)
        assert (await feeds.get_feed(second)).payload["processingStatus"] == "CANCELLED"
        slow.state.clock.advance(60)
        await wait_for_status(feeds, first, {"DONE"})
        slow.state.clock.advance(70)
        await wait_for_status(feeds, third, {"DONE"})
        cancelled = (await feeds.get_feed(second)).payload
    assert "resultFeedDocumentId" not in cancelled
    applied = [(a.feed_id, str(a.total())) for a in slow.state.adjustments if a.feed_id]
    assert applied == [(first, "1.00"), (third, "3.00")]


async def test_feed_fatal_applies_the_first_half_and_has_no_report(
    quick_sandbox: SandboxServer,
) -> None:
    quick_sandbox.state.faults.add("feed_fatal")
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        feed_id = await submit(feeds, ADJUSTMENT, refund_xml(quick_sandbox, count=3), US)
        fatal = await wait_for_status(feeds, feed_id, {"DONE", "FATAL"})
        assert fatal["processingStatus"] == "FATAL" and "resultFeedDocumentId" not in fatal
        after = await submit(feeds, ADJUSTMENT, refund_xml(quick_sandbox, count=1), US)
        next_feed = await wait_for_status(feeds, after, {"DONE", "FATAL"})
        assert next_feed["processingStatus"] == "DONE"
    applied = [
        a.merchant_adjustment_item_id
        for a in quick_sandbox.state.adjustments
        if a.feed_id == feed_id
    ]
    assert applied == ["m1", "m2"]


async def test_feed_stuck_blocks_later_feeds_until_faults_are_cleared(
    slow: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    slow.state.faults.add("feed_stuck")
    async with spapi_client(Feeds, slow) as feeds:
        stuck = await submit(feeds, ADJUSTMENT, refund_xml(slow), US)
        later = await submit(feeds, ADJUSTMENT, refund_xml(slow), US)
        slow.state.clock.advance(10)
        await wait_for_status(feeds, stuck, {"IN_PROGRESS"})
        slow.state.clock.advance(3600)
        assert (await feeds.get_feed(stuck)).payload["processingStatus"] == "IN_PROGRESS"
        assert (await feeds.get_feed(later)).payload["processingStatus"] == "IN_QUEUE"
        async with sandbox_session.delete(f"{slow.url}/_sandbox/faults") as response:
            assert response.status == 200
        await wait_for_status(feeds, stuck, {"DONE"})
        slow.state.clock.advance(70)
        await wait_for_status(feeds, later, {"DONE"})


async def test_feed_stuck_finishes_once_the_clock_passes_the_limit(slow: SandboxServer) -> None:
    slow.state.faults.add("feed_stuck")
    async with spapi_client(Feeds, slow) as feeds:
        stuck = await submit(feeds, ADJUSTMENT, refund_xml(slow), US)
        slow.state.clock.advance(10)
        await wait_for_status(feeds, stuck, {"IN_PROGRESS"})
        slow.state.clock.advance(8 * 3600)
        done = await wait_for_status(feeds, stuck, {"DONE"})
    assert slow.state.faults.active == []
    assert done["resultFeedDocumentId"]


async def test_gzip_reports(
    sandbox_factory: SandboxFactory, sandbox_session: aiohttp.ClientSession
) -> None:
    server = await sandbox_factory(
        gzip_reports=True, feed_queue_seconds=1.0, feed_processing_seconds=1.0
    )
    async with spapi_client(Feeds, server) as feeds:
        feed_id = await submit(feeds, ADJUSTMENT, refund_xml(server), US)
        done = await wait_for_status(feeds, feed_id, {"DONE"})
        text = await feeds.get_feed_document(done["resultFeedDocumentId"])
    assert parse_report(text).summary["MessagesSuccessful"] == 1
    token = await sandbox_access_token(server, sandbox_session)
    path = f"{server.url}/feeds/2021-06-30/documents/{done['resultFeedDocumentId']}"
    headers = {"x-amz-access-token": token}
    async with sandbox_session.get(path, headers=headers) as response:
        plain = await response.json()
    async with sandbox_session.get(
        path, headers=headers, params={"enableContentEncodingUrlHeader": "true"}
    ) as response:
        encoded = await response.json()
    assert plain["compressionAlgorithm"] == encoded["compressionAlgorithm"] == "GZIP"
    async with sandbox_session.get(plain["url"], auto_decompress=False) as response:
        raw = await response.read()
        assert "Content-Encoding" not in response.headers
    assert gzip.decompress(raw).decode() == text
    async with sandbox_session.get(encoded["url"], auto_decompress=False) as response:
        assert response.headers["Content-Encoding"] == "gzip"


async def test_reset_drops_a_running_feed_and_the_processor_goes_on(
    slow: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    async with spapi_client(Feeds, slow) as feeds:
        dropped = await submit(feeds, ADJUSTMENT, refund_xml(slow), US)
        slow.state.clock.advance(10)
        await wait_for_status(feeds, dropped, {"IN_PROGRESS"})
        async with sandbox_session.post(f"{slow.url}/_sandbox/reset") as response:
            assert response.status == 200
        fresh = await submit(feeds, ADJUSTMENT, refund_xml(slow), US)
        slow.state.clock.advance(70)  # the dropped feed's time runs out; the fresh one starts
        await wait_for_status(feeds, fresh, {"IN_PROGRESS"})
        slow.state.clock.advance(60)
        await wait_for_status(feeds, fresh, {"DONE"})
    assert dropped not in slow.state.feeds
    assert [a.feed_id for a in slow.state.adjustments if a.feed_id] == [fresh]


@pytest.mark.parametrize("clear_first", [False, True])
async def test_stopping_with_a_stuck_feed_ends_the_worker(clear_first: bool) -> None:
    server = await start_sandbox(
        replace(TEST_SETTINGS, speed=1.0, feed_queue_seconds=0.0, feed_processing_seconds=0.0)
    )
    try:
        server.state.faults.add("feed_stuck")
        async with spapi_client(Feeds, server) as feeds:
            feed_id = await submit(feeds, ADJUSTMENT, refund_xml(server), US)
            await wait_for_status(feeds, feed_id, {"IN_PROGRESS"})
        if clear_first:  # the worker wakes up exactly while the app shuts down
            server.state.faults.clear()
    finally:
        stopping = asyncio.ensure_future(server.stop())
        done, _ = await asyncio.wait({stopping}, timeout=5)  # a hang, not a speed limit
    assert stopping in done, "the sandbox did not stop"
    workers = [t for t in asyncio.all_tasks() if t.get_name() == "sandbox-feed-processor"]
    assert workers == []
