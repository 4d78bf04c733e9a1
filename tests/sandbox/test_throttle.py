"""Usage plans: Amazon's bursts and rates, 429 QuotaExceeded, the rate header, counters."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from spdesk_sandbox.throttle import USAGE_PLANS, Throttle, TokenBucket, format_rate
from tests.plugins.sandbox import SandboxFactory, sandbox_access_token
from tests.sandbox.schema import validate_error_list


def test_plans_follow_amazons_published_rates() -> None:
    assert USAGE_PLANS["getOrder"].rate == 0.5 and USAGE_PLANS["getOrder"].burst == 30
    assert USAGE_PLANS["createFeed"].rate == 0.0083 and USAGE_PLANS["createFeed"].burst == 15
    assert USAGE_PLANS["searchOrders"].burst == 20
    assert USAGE_PLANS["getFeedDocument"].rate == 0.0222


def test_bucket_allows_burst_then_refills_at_rate() -> None:
    bucket = TokenBucket(rate=1000.0, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    deadline = time.monotonic() + 2
    while not bucket.take():  # 1000/s refills one token within a few milliseconds
        assert time.monotonic() < deadline


def test_rate_scale_scales_rates_not_bursts() -> None:
    throttle = Throttle(rate_scale=10)
    assert throttle.rate("getOrder") == 5.0
    results = [throttle.acquire("createFeed") for _ in range(16)]
    assert results.count(True) == 15
    assert throttle.snapshot()["createFeed"] == {
        "requests": 16,
        "throttled": 1,
        "rate": 0.083,
        "burst": 15,
    }


def test_rate_header_format() -> None:
    assert [format_rate(r) for r in (0.5, 0.0083, 2.0, 0.0222)] == ["0.5", "0.0083", "2", "0.0222"]


async def test_burst_then_429_rate_header_only_on_answers_let_through(
    sandbox_factory: SandboxFactory, sandbox_session: aiohttp.ClientSession
) -> None:
    server = await sandbox_factory(rate_scale=1.0)
    token = await sandbox_access_token(server, sandbox_session)
    url = f"{server.url}/orders/2026-01-01/orders/{server.seed.order_id('us-fbm-shipped')}"
    headers = {"x-amz-access-token": token}

    async def one() -> tuple[int, str | None]:
        async with sandbox_session.get(url, headers=headers) as response:
            if response.status == 429:
                validate_error_list(await response.json(), "QuotaExceeded")
            return response.status, response.headers.get("x-amzn-RateLimit-Limit")

    results = await asyncio.gather(*(one() for _ in range(35)))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 30  # the burst; at 0.5/s barely anything refills meanwhile
    assert statuses.count(429) == 5
    # Amazon's models (and its real 429s) carry x-amzn-RateLimit-Limit only on answers let through.
    assert {header for status, header in results if status == 200} == {"0.5"}
    assert {header for status, header in results if status == 429} == {None}
    assert server.state.throttle.usage["getOrder"].throttled == 5
