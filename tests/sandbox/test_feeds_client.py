"""The feed cycle driven by python-amazon-sp-api's async Feeds client over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import aiohttp
from sp_api.asyncio.api import Feeds, Orders

from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import spapi_client
from tests.sandbox.feedkit import (
    ACKNOWLEDGEMENT,
    ADJUSTMENT,
    ack_message,
    adjusted_item,
    adjustment_message,
    envelope,
    order_view,
    run_to_report,
)


async def test_refund_cycle_submit_poll_report(quick_sandbox: SandboxServer) -> None:
    order = order_view(quick_sandbox, "us-fbm-shipped")
    line = order.items[0]
    xml = envelope(
        "OrderAdjustment",
        [
            adjustment_message(
                1,
                order.order_id,
                adjusted_item(
                    line.item_code, {"Principal": "5.00", "Tax": "0.40"}, merchant_id="act_1"
                ),
            )
        ],
    )
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        feed, report = await run_to_report(feeds, ADJUSTMENT, xml)
    assert report.transaction_id == feed["feedId"]
    assert report.status_code == "Complete"
    assert report.summary == {
        "MessagesProcessed": 1,
        "MessagesSuccessful": 1,
        "MessagesWithError": 0,
        "MessagesWithWarning": 0,
    }
    assert report.results == []
    assert line.refunded["Principal"] >= Decimal("5.00")
    applied = [a for a in quick_sandbox.state.adjustments if a.feed_id == feed["feedId"]]
    assert [(a.message_id, a.merchant_adjustment_item_id, a.components) for a in applied] == [
        (1, "act_1", {"Principal": Decimal("5.00"), "Tax": Decimal("0.40")})
    ]


async def test_cancel_cycle_cancels_the_order(quick_sandbox: SandboxServer) -> None:
    order = order_view(quick_sandbox, "us-fbm-unshipped-single")
    xml = envelope(
        "OrderAcknowledgement",
        [ack_message(1, order.order_id, [(order.items[0].item_code, "NoInventory")])],
    )
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        _, report = await run_to_report(feeds, ACKNOWLEDGEMENT, xml)
    assert report.summary["MessagesSuccessful"] == 1
    assert str(order.status) == "CANCELLED"


async def test_partial_cancel_shows_on_the_order_and_in_the_control_api(
    quick_sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    order = order_view(quick_sandbox, "us-fbm-buyer-cancel-request")
    code = order.items[0].item_code
    multi = order_view(quick_sandbox, "us-fbm-unshipped-multi")
    xml = envelope(
        "OrderAcknowledgement",
        [
            ack_message(1, order.order_id, [(code, "NoInventory")]),
            ack_message(2, multi.order_id, [(multi.items[1].item_code, "NoInventory")]),
        ],
    )
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        feed, report = await run_to_report(feeds, ACKNOWLEDGEMENT, xml)
    assert report.summary["MessagesSuccessful"] == 2
    async with spapi_client(Orders, quick_sandbox, version="2026-01-01") as orders:
        seen = (
            await orders.get_order(multi.order_id, includedData=["CANCELLATION", "FULFILLMENT"])
        ).payload
    row = seen["order"]["orderItems"][1]
    assert row["cancellation"]["cancellationExecution"]["cancelReason"] == "NoInventory"
    assert seen["order"]["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    async with sandbox_session.get(
        f"{quick_sandbox.url}/_sandbox/cancellations", params={"orderId": order.order_id}
    ) as response:
        [listed] = (await response.json())["cancellations"]
    assert listed["feedId"] == feed["feedId"] and listed["messageId"] == 1
    assert listed["countsAgainstCancelRate"] is True  # the buyer asked; NoInventory was used
