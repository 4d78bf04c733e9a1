"""The /_sandbox/ control API: reset, orders, adjustments, cancellations, clock, usage."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from spdesk_sandbox.records import Adjustment
from spdesk_sandbox.server import SandboxServer


async def _call(
    session: aiohttp.ClientSession,
    server: SandboxServer,
    method: str,
    path: str,
    json: Any = None,
) -> tuple[int, Any]:
    async with session.request(method, f"{server.url}/_sandbox/{path}", json=json) as response:
        return response.status, await response.json()


async def test_orders_lists_labels_and_summaries(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    status, body = await _call(sandbox_session, sandbox, "GET", "orders")
    assert status == 200
    assert body["labels"]["us-mcf-planning"] == sandbox.seed.order_id("us-mcf-planning")
    by_label = {o["label"]: o for o in body["orders"]}
    multi = by_label["us-fbm-unshipped-multi"]
    assert multi["status"] == "UNSHIPPED" and len(multi["items"]) == 3
    assert multi["items"][0]["charged"]["GiftWrap"] == "3.99"
    refunded = by_label["us-fbm-shipped-partly-refunded"]["items"][0]["refunded"]
    assert refunded == {
        "Principal": "20.00",
        "Tax": "1.65",
        "Shipping": "4.99",
        "ShippingTax": "0.41",
    }
    assert {f["status"] for f in body["fulfillmentOrders"]} == {
        "Received",
        "Planning",
        "Processing",
    }


async def test_seeded_refunds_and_cancellations_are_listed(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    refunded_id = sandbox.seed.order_id("us-fbm-shipped-partly-refunded")
    _, body = await _call(sandbox_session, sandbox, "GET", f"adjustments?orderId={refunded_id}")
    assert [a["total"] for a in body["adjustments"]] == ["21.65", "5.40"]
    assert body["adjustments"][0]["merchantAdjustmentItemId"] == "SC-GOODWILL-1"
    _, body = await _call(sandbox_session, sandbox, "GET", "cancellations")
    assert [c["orderId"] for c in body["cancellations"]] == [
        sandbox.seed.order_id("us-fbm-cancelled")
    ]


async def test_reset_returns_to_the_seed(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    state = sandbox.state
    order = state.orders[sandbox.seed.order_id("us-fbm-shipped")]
    item = order.items[0]
    item.refunded["Principal"] = Decimal("89.00")
    state.adjustments.append(
        Adjustment(
            "adj-1",
            order.order_id,
            item.item_code,
            "USD",
            {"Principal": Decimal("89.00")},
            "CustomerReturn",
            state.now(),
            state.now(),
        )
    )
    state.faults.add("html_500", "getOrder", count=None)
    status, body = await _call(sandbox_session, sandbox, "POST", "reset")
    assert status == 200 and body["reset"] is True
    fresh = state.orders[order.order_id]
    assert fresh.items[0].refunded == {}
    assert all(a.adjustment_id != "adj-1" for a in state.adjustments)
    assert state.faults.active == []


async def test_clock_advance(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    before = sandbox.state.now()
    status, body = await _call(sandbox_session, sandbox, "POST", "clock/advance", {"seconds": 7200})
    assert status == 200
    now = datetime.fromisoformat(body["now"].replace("Z", "+00:00"))
    assert now - before >= timedelta(seconds=7199)  # the answer is rounded to seconds
    _, clock = await _call(sandbox_session, sandbox, "GET", "clock")
    assert clock["speed"] == sandbox.settings.speed


@pytest.mark.parametrize("body", [{"seconds": -5}, {"seconds": "soon"}, {}, [1]])
async def test_clock_advance_refuses_bad_input(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession, body: Any
) -> None:
    status, reply = await _call(sandbox_session, sandbox, "POST", "clock/advance", body)
    assert status == 400 and reply["error"]["message"]


async def test_usage_starts_empty(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    status, body = await _call(sandbox_session, sandbox, "GET", "usage")
    assert status == 200
    assert body["total"] == {"requests": 0, "throttled": 0}
    assert body["rateScale"] == sandbox.settings.rate_scale
