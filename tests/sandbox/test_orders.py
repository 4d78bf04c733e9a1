"""Orders v2026-01-01 and v0 content: includedData blocks, amounts, statuses, filters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import sandbox_access_token


class Orders:
    """Raw Orders API calls with a valid token."""

    def __init__(self, server: SandboxServer, session: aiohttp.ClientSession, token: str) -> None:
        self.server, self.session, self.token = server, session, token

    async def get(self, path: str, **query: str) -> tuple[int, Any]:
        async with self.session.get(
            f"{self.server.url}{path}", params=query, headers={"x-amz-access-token": self.token}
        ) as response:
            return response.status, await response.json()

    async def order(self, label: str, included: str = "") -> dict[str, Any]:
        query = {"includedData": included} if included else {}
        order_id = self.server.seed.order_id(label)
        status, body = await self.get(f"/orders/2026-01-01/orders/{order_id}", **query)
        assert status == 200, body
        order: dict[str, Any] = body["order"]
        return order

    async def search(self, **query: str) -> list[str]:
        status, body = await self.get("/orders/2026-01-01/orders", **query)
        assert status == 200, body
        return [o["orderId"] for o in body["orders"]]


@pytest.fixture
async def orders(sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession) -> Orders:
    return Orders(sandbox, sandbox_session, await sandbox_access_token(sandbox, sandbox_session))


async def test_without_included_data_only_the_core_blocks(orders: Orders) -> None:
    order = await orders.order("us-fbm-buyer-cancel-request")
    assert "fulfillment" not in order and "proceeds" not in order
    assert set(order["orderItems"][0]) == {"orderItemId", "quantityOrdered", "product"}


async def test_proceeds_break_down_item_shipping_gift_wrap_and_tax(orders: Orders) -> None:
    order = await orders.order("us-fbm-unshipped-multi", "PROCEEDS")
    item = order["orderItems"][0]
    by_type = {b["type"]: b for b in item["proceeds"]["breakdowns"]}
    assert by_type["ITEM"]["subtotal"] == {"amount": "59.98", "currencyCode": "USD"}
    assert by_type["GIFT_WRAP"]["subtotal"]["amount"] == "3.99"
    assert by_type["TAX"]["subtotal"]["amount"] == "5.94"
    details = {d["subtype"]: d["value"]["amount"] for d in by_type["TAX"]["detailedBreakdowns"]}
    assert details == {"ITEM": "4.95", "SHIPPING": "0.66", "GIFT_WRAP": "0.33"}
    assert item["proceeds"]["proceedsTotal"]["amount"] == "77.89"
    assert item["product"]["price"]["unitPrice"]["amount"] == "29.99"


async def test_partially_shipped_quantities_and_packages(orders: Orders) -> None:
    order = await orders.order("us-fbm-partially-shipped", "FULFILLMENT,PACKAGES")
    assert order["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    shipped, waiting = order["orderItems"]
    assert shipped["fulfillment"] == {"quantityFulfilled": 1, "quantityUnfulfilled": 0}
    assert waiting["fulfillment"] == {"quantityFulfilled": 0, "quantityUnfulfilled": 2}
    assert order["packages"][0]["packageItems"] == [
        {"orderItemId": shipped["orderItemId"], "quantity": 1}
    ]


async def test_cancelled_and_fba_orders(orders: Orders) -> None:
    cancelled = await orders.order("us-fbm-cancelled", "CANCELLATION,FULFILLMENT")
    assert cancelled["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    execution = cancelled["orderItems"][0]["cancellation"]["cancellationExecution"]
    assert execution == {"cancelledBy": "MERCHANT", "cancelReason": "NoInventory"}
    fba = await orders.order("us-fba-shipped", "FULFILLMENT")
    assert fba["fulfillment"]["fulfilledBy"] == "AMAZON"


async def test_euro_and_yen_amounts(orders: Orders) -> None:
    # What the buyer paid: 64.90 + 4.90 with 19 % VAT inside (ITEM 54.54 + TAX 10.36 …).
    de = await orders.order("de-fbm-shipped", "PROCEEDS")
    assert de["proceeds"]["grandTotal"] == {"amount": "69.80", "currencyCode": "EUR"}
    assert de["salesChannel"]["marketplaceId"] == "A1PA6795UKMFR9"
    jp = await orders.order("jp-fbm-unshipped", "PROCEEDS")
    assert jp["proceeds"]["grandTotal"] == {"amount": "2970", "currencyCode": "JPY"}


async def test_search_filters(orders: Orders, sandbox: SandboxServer) -> None:
    after = "2020-01-01T00:00:00Z"
    fba = await orders.search(createdAfter=after, fulfilledBy="AMAZON")
    assert fba == [sandbox.seed.order_id("us-fba-shipped")]
    jp = await orders.search(createdAfter=after, marketplaceIds="A1VC38T7YXB528")
    assert set(jp) == {
        sandbox.seed.order_id("jp-fbm-shipped"),
        sandbox.seed.order_id("jp-fbm-unshipped"),
        sandbox.seed.order_id("jp-fbm-cod-shipped"),
    }
    cancelled = await orders.search(lastUpdatedAfter=after, fulfillmentStatuses="CANCELLED")
    assert cancelled == [sandbox.seed.order_id("us-fbm-cancelled")]
    cutoff = (sandbox.state.now() - timedelta(hours=10)).isoformat()
    older = await orders.search(createdAfter=after, createdBefore=cutoff)
    assert sandbox.seed.order_id("us-fbm-shipped") in older
    assert sandbox.seed.order_id("us-fbm-unshipped-multi") not in older  # bought 9 h ago
    status, body = await orders.get(
        "/orders/2026-01-01/orders", createdAfter=sandbox.state.now().isoformat()
    )
    assert status == 400 and "two minutes" in body["errors"][0]["message"]


async def test_search_pages_through_everything(orders: Orders, sandbox: SandboxServer) -> None:
    seen: list[str] = []
    token = None
    while True:
        query = {"createdAfter": "2020-01-01T00:00:00Z", "maxResultsPerPage": "4"}
        if token:
            query["paginationToken"] = token
        status, body = await orders.get("/orders/2026-01-01/orders", **query)
        assert status == 200
        seen += [o["orderId"] for o in body["orders"]]
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert sorted(seen) == sorted(sandbox.state.orders)


async def test_v0_buyer_requested_cancel(orders: Orders, sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("us-fbm-buyer-cancel-request")
    status, body = await orders.get(f"/orders/v0/orders/{order_id}/orderItems")
    assert status == 200
    flag = body["payload"]["OrderItems"][0]["BuyerRequestedCancel"]
    assert flag == {
        "IsBuyerRequestedCancel": "true",
        "BuyerCancelReason": "Order created by mistake",
    }
    status, body = await orders.get(f"/orders/v0/orders/{order_id}")
    assert body["payload"]["OrderStatus"] == "Unshipped"
    assert body["payload"]["FulfillmentChannel"] == "MFN"


async def test_promotions_are_negative_discounts_and_the_total_is_what_was_paid(
    orders: Orders,
) -> None:
    it = await orders.order("it-fbm-shipped-promotion", "PROCEEDS")
    proceeds = it["orderItems"][0]["proceeds"]
    by_type = {b["type"]: b for b in proceeds["breakdowns"]}
    assert by_type["DISCOUNT"]["subtotal"]["amount"] == "-8.20"
    taxes = {d["subtype"]: d["value"]["amount"] for d in by_type["TAX"]["detailedBreakdowns"]}
    assert taxes == {"ITEM": "8.98", "SHIPPING": "1.24", "DISCOUNT": "-1.80"}
    # 49.80 + 6.90 incl. 22 % VAT, less a 10.00 promotion: the sum of the breakdowns.
    assert proceeds["proceedsTotal"]["amount"] == "46.70"
    assert sum(Decimal(b["subtotal"]["amount"]) for b in by_type.values()) == Decimal("46.70")


async def test_gross_layout_puts_the_tax_inside_item(orders: Orders) -> None:
    fr = await orders.order("fr-fbm-shipped", "PROCEEDS")
    proceeds = fr["orderItems"][0]["proceeds"]
    by_type = {b["type"]: b["subtotal"]["amount"] for b in proceeds["breakdowns"]}
    assert by_type == {"ITEM": "49.90", "SHIPPING": "5.90", "GIFT_WRAP": "3.00", "TAX": "9.80"}
    assert proceeds["proceedsTotal"]["amount"] == "58.80"  # ITEM + SHIPPING + GIFT_WRAP


async def test_cash_on_delivery_orders_say_so(orders: Orders, sandbox: SandboxServer) -> None:
    cod = await orders.order("jp-fbm-cod-shipped", "PROCEEDS,PAYMENT")
    [execution] = cod["payment"]["paymentExecutions"]
    assert execution["paymentMethod"] == "CashOnDelivery"
    assert execution["paymentAmount"]["amount"] == cod["proceeds"]["grandTotal"]["amount"] == "3630"
    assert "COD_FEE" in {b["type"] for b in cod["orderItems"][0]["proceeds"]["breakdowns"]}
    order_id = sandbox.seed.order_id("jp-fbm-cod-shipped")
    status, body = await orders.get(f"/orders/v0/orders/{order_id}")
    assert body["payload"]["PaymentMethod"] == "COD"


async def test_v0_prices_include_vat_where_amazon_says_so(
    orders: Orders, sandbox: SandboxServer
) -> None:
    """Amazon's VCS guide: ItemPrice is VAT-inclusive and ItemTax the VAT inside it."""
    de = sandbox.seed.order_id("de-fbm-shipped")
    status, body = await orders.get(f"/orders/v0/orders/{de}/orderItems")
    item = body["payload"]["OrderItems"][0]
    assert (item["ItemPrice"]["Amount"], item["ItemTax"]["Amount"]) == ("64.90", "10.36")
    us = sandbox.seed.order_id("us-fbm-shipped-promotion")
    status, body = await orders.get(f"/orders/v0/orders/{us}/orderItems")
    item = body["payload"]["OrderItems"][0]
    assert (item["ItemPrice"]["Amount"], item["ItemTax"]["Amount"]) == ("59.98", "4.95")
    assert (item["PromotionDiscount"]["Amount"], item["ShippingDiscount"]["Amount"]) == (
        "10.00",
        "5.99",
    )
