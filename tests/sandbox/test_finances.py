"""Finances v0 through python-amazon-sp-api: shipment charges, refunds after the posting lag."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp
from sp_api.asyncio.api import Feeds, Finances

from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import SandboxFactory, sandbox_access_token, spapi_client
from tests.sandbox.contract import Call, ContractCase
from tests.sandbox.feedkit import (
    ADJUSTMENT,
    adjusted_item,
    adjustment_message,
    envelope,
    order_view,
    run_to_report,
)

LAG = 900.0


async def events(server: SandboxServer, order_id: str, **params: Any) -> dict[str, Any]:
    async with spapi_client(Finances, server) as finances:
        response = await finances.get_financial_events_for_order(order_id, **params)
    return dict(response.payload["FinancialEvents"])


def charges(items: list[dict[str, Any]], key: str) -> dict[str, Decimal]:
    return {
        c["ChargeType"]: Decimal(str(c["ChargeAmount"]["CurrencyAmount"]))
        for item in items
        for c in item[key]
    }


async def test_shipped_order_shows_its_charges(sandbox: SandboxServer) -> None:
    order = order_view(sandbox, "us-fbm-shipped")
    found = await events(sandbox, order.order_id)
    [shipment] = found["ShipmentEventList"]
    assert shipment["AmazonOrderId"] == order.order_id
    assert shipment["MarketplaceName"] == "Amazon.com"
    first = shipment["ShipmentItemList"][0]
    assert first["OrderItemId"] == order.items[0].item_code and first["QuantityShipped"] == 1
    assert charges([first], "ItemChargeList") == {
        "Principal": Decimal("89.00"),
        "ShippingCharge": Decimal("0.00"),
        "Tax": Decimal("7.34"),
        "ShippingTax": Decimal("0.00"),
    }
    assert found["RefundEventList"] == []


async def test_unshipped_order_has_no_events(sandbox: SandboxServer) -> None:
    found = await events(sandbox, sandbox.seed.order_id("us-fbm-unshipped-single"))
    assert found == {"ShipmentEventList": [], "RefundEventList": []}


async def test_refund_posts_after_the_lag_with_amazon_signs(
    sandbox_factory: SandboxFactory,
) -> None:
    server = await sandbox_factory(
        speed=1.0, feed_queue_seconds=0.0, feed_processing_seconds=0.0, posting_lag_seconds=LAG
    )
    order = order_view(server, "us-fbm-shipped")
    line = order.items[0]
    xml = envelope(
        "OrderAdjustment",
        [
            adjustment_message(
                1,
                order.order_id,
                adjusted_item(
                    line.item_code, {"Principal": "30.00", "Tax": "2.47", "RestockingFee": "-5.00"}
                ),
            )
        ],
    )
    async with spapi_client(Feeds, server) as feeds:
        await run_to_report(feeds, ADJUSTMENT, xml)
    assert (await events(server, order.order_id))["RefundEventList"] == []
    server.state.clock.advance(LAG)
    [refund] = (await events(server, order.order_id))["RefundEventList"]
    [item] = refund["ShipmentItemAdjustmentList"]
    assert item["OrderItemId"] == line.item_code
    assert item["OrderAdjustmentItemId"] == server.state.adjustments[-1].adjustment_id
    assert charges([item], "ItemChargeAdjustmentList") == {
        "Principal": Decimal("-30.00"),
        "Tax": Decimal("-2.47"),
        "RestockingFee": Decimal("5.00"),
    }


async def test_seeded_refunds_are_already_posted(sandbox: SandboxServer) -> None:
    found = await events(sandbox, sandbox.seed.order_id("us-fbm-shipped-partly-refunded"))
    totals = [
        sum(charges(e["ShipmentItemAdjustmentList"], "ItemChargeAdjustmentList").values())
        for e in found["RefundEventList"]
    ]
    assert totals == [Decimal("-21.65"), Decimal("-5.40")]


async def test_refund_before_shipment_posts_once_the_item_ships(
    quick_sandbox: SandboxServer,
) -> None:
    order = order_view(quick_sandbox, "us-fbm-unshipped-single")
    line = order.items[0]
    xml = envelope(
        "OrderAdjustment",
        [
            adjustment_message(
                1, order.order_id, adjusted_item(line.item_code, {"Principal": "4.99"})
            )
        ],
    )
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        _, report = await run_to_report(feeds, ADJUSTMENT, xml)
    assert report.result(1)["ResultCode"] == "Warning"
    quick_sandbox.state.clock.advance(LAG)
    assert (await events(quick_sandbox, order.order_id))["RefundEventList"] == []
    line.qty_shipped = 1  # the seller ships it
    order.refresh_status()
    found = await events(quick_sandbox, order.order_id)
    assert len(found["ShipmentEventList"]) == len(found["RefundEventList"]) == 1


async def test_amounts_are_exact_json_numbers(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    token = await sandbox_access_token(sandbox, sandbox_session)
    order_id = sandbox.seed.order_id("jp-fbm-shipped")
    async with sandbox_session.get(
        f"{sandbox.url}/finances/v0/orders/{order_id}/financialEvents",
        headers={"x-amz-access-token": token},
    ) as response:
        text = await response.text()
    assert '"CurrencyCode": "JPY", "CurrencyAmount": 4527}' in text  # Principal without its tax
    assert ".0}" not in text


async def test_pages_with_next_token(sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped-partly-refunded")
    async with spapi_client(Finances, sandbox) as finances:
        first = await finances.get_financial_events_for_order(order_id, MaxResultsPerPage=2)
        second = await finances.get_financial_events_for_order(
            order_id, MaxResultsPerPage=2, NextToken=first.next_token
        )
    assert first.next_token and second.next_token is None
    assert len(first.payload["FinancialEvents"]["RefundEventList"]) == 1
    assert len(second.payload["FinancialEvents"]["RefundEventList"]) == 1


async def _financial_events_calls(server: SandboxServer) -> list[Call]:
    base = "/finances/v0/orders/{}/financialEvents"
    labels = [
        "us-fbm-shipped",
        "us-fbm-shipped-partly-refunded",
        "us-fbm-partially-shipped",
        "jp-fbm-shipped",
        "us-fba-shipped",
        "us-fbm-unshipped-single",
        "it-fbm-shipped-promotion",
        "jp-fbm-cod-shipped",
    ]
    calls = [
        Call("GET", base.format(server.seed.order_id(label)), {"MaxResultsPerPage": "100"})
        for label in labels
    ]
    return [
        *calls,
        Call("GET", base.format("999-0000000-0000000")),
        Call("GET", base.format("not-an-order"), expect=400),
        Call(
            "GET",
            base.format(server.seed.order_id("us-fbm-shipped")),
            {"MaxResultsPerPage": "0"},
            expect=400,
        ),
        Call(
            "GET",
            base.format(server.seed.order_id("us-fbm-shipped")),
            {"NextToken": "abc"},
            expect=400,
        ),
    ]


CONTRACT_CASES = [ContractCase("listFinancialEventsByOrderId", _financial_events_calls)]


async def test_promotions_are_negative_and_cod_charges_positive(sandbox: SandboxServer) -> None:
    it = await events(sandbox, sandbox.seed.order_id("it-fbm-shipped-promotion"))
    [item] = it["ShipmentEventList"][0]["ShipmentItemList"]
    promotions = [
        Decimal(str(p["PromotionAmount"]["CurrencyAmount"])) for p in item["PromotionList"]
    ]
    assert sorted(promotions) == [Decimal("-8.20"), Decimal("-1.80")]  # net and VAT apart
    assert {p["PromotionType"] for p in item["PromotionList"]} == {
        "PromotionMetaDataDefinitionValue"
    }
    cod = await events(sandbox, sandbox.seed.order_id("jp-fbm-cod-shipped"))
    [item] = cod["ShipmentEventList"][0]["ShipmentItemList"]
    assert charges([item], "ItemChargeList") == {
        "Principal": Decimal("3000"),
        "Tax": Decimal("300"),
        "CODItemCharge": Decimal("300"),
        "CODItemTaxCharge": Decimal("30"),
    }
