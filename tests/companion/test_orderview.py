"""The normalized order view: every seed order through the real gateway, and the pure rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from companion.amazon.build import build_order_view
from companion.amazon.gateway import Gateway
from companion.amazon.models import (
    AmazonOrder,
    AmazonOrderItem,
    CancellationRequest,
    FulfilledBy,
    ItemProceeds,
    OrderStatus,
)
from companion.amazon.rules import FBA_REASON, MCF_REFUND_REASON
from companion.errors import InvalidOrderId, OrderNotFound
from companion.orders import OrderService
from spdesk_sandbox.server import SandboxServer
from tests.companion.gateway_support import FAST, OnePool, sandbox_target

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
async def service(sandbox: SandboxServer) -> AsyncIterator[OrderService]:
    gateway = Gateway(sandbox_target(sandbox), policy=FAST)
    yield OrderService(OnePool(gateway), ttl=10.0)
    await gateway.aclose()


# label: status, channel, refund allowed, cancel allowed, default reason, counts against rate
EXPECTED = {
    "us-fbm-unshipped-single": ("UNSHIPPED", "FBM", True, True, "GeneralAdjustment", True),
    "us-fbm-unshipped-multi": ("UNSHIPPED", "FBM", True, True, "GeneralAdjustment", True),
    "us-fbm-buyer-cancel-request": ("UNSHIPPED", "FBM", True, True, "BuyerCanceled", False),
    "us-fbm-partially-shipped": (
        "PARTIALLY_SHIPPED",
        "FBM",
        True,
        False,
        "GeneralAdjustment",
        True,
    ),
    "us-fbm-shipped": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "us-fbm-shipped-partly-refunded": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "us-fbm-cancelled": ("CANCELLED", "FBM", False, False, "GeneralAdjustment", True),
    "us-fba-shipped": ("SHIPPED", "FBA", False, False, "GeneralAdjustment", False),
    "uk-fbm-shipped": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "uk-fbm-unshipped": ("UNSHIPPED", "FBM", True, True, "GeneralAdjustment", True),
    "de-fbm-shipped": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "de-fbm-unshipped": ("UNSHIPPED", "FBM", True, True, "GeneralAdjustment", True),
    "jp-fbm-shipped": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "jp-fbm-unshipped": ("UNSHIPPED", "FBM", True, True, "GeneralAdjustment", True),
    "fr-fbm-shipped": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "it-fbm-shipped-promotion": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "es-fbm-shipped": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "us-fbm-shipped-promotion": ("SHIPPED", "FBM", True, False, "GeneralAdjustment", True),
    "jp-fbm-cod-shipped": ("SHIPPED", "FBM", False, False, "GeneralAdjustment", True),
}
# Where prices include the tax the agent sees each charge with its tax inside.
GROSS = {"Principal": "Tax", "Shipping": "ShippingTax", "GiftWrap": "GiftWrapTax", "COD": "CODTax"}


def as_seen(amounts: dict[str, Decimal], gross: bool) -> dict[str, Decimal]:
    """Raw amounts (tax-exclusive, taxes apart) as the agent sees them."""
    if gross:
        amounts = {
            k: amounts.get(k, Decimal(0)) + amounts.get(tax, Decimal(0))
            for k, tax in GROSS.items()
            if k in amounts or tax in amounts
        }
    return {k: v for k, v in amounts.items() if v}


@pytest.mark.parametrize("label", sorted(EXPECTED))
async def test_seed_order_view(label: str, sandbox: SandboxServer, service: OrderService) -> None:
    status, channel, refund, cancel, default_reason, counts = EXPECTED[label]
    order_id = sandbox.seed.order_id(label)
    view = await service.get_view(order_id)
    live = sandbox.state.order(order_id)
    assert live is not None
    assert (view.status, view.channel) == (status, channel)
    assert view.actions.refund.allowed is refund
    assert view.actions.cancel.allowed is cancel
    assert (view.actions.refund.reason is None) is refund
    assert (view.actions.cancel.reason is None) is cancel
    assert view.actions.cancel.default_reason == default_reason
    assert view.actions.cancel.counts_against_cancel_rate is counts
    market = live.marketplace
    assert (view.marketplace.code, view.marketplace.currency) == (market.code, market.currency)
    gross = market.tax_included
    assert (view.prices_include_tax, view.tax_label == "sales_tax") == (gross, not gross)
    refunded: dict[str, dict[str, Decimal]] = {}
    for adjustment in sandbox.state.posted_adjustments(order_id):
        for kind, amount in adjustment.components.items():
            line = refunded.setdefault(adjustment.item_code, {})
            line[kind] = line.get(kind, Decimal(0)) + amount
    for item, seeded in zip(view.items, live.items, strict=True):
        assert item.order_item_code == seeded.item_code
        assert (item.quantity_ordered, item.quantity_shipped) == (
            seeded.qty_ordered,
            seeded.qty_shipped,
        )
        paid = {k: seeded.paid(k) for k in seeded.charged}
        assert {c.type: c.charged for c in item.components} == as_seen(paid, gross)
        posted = as_seen(refunded.get(seeded.item_code, {}), gross)
        for component in item.components:
            expect_refunded = posted.get(component.type, Decimal(0))
            assert component.refunded == (expect_refunded if status != "CANCELLED" else 0)
            left = component.charged - component.refunded
            blocked = status == "CANCELLED" or component.type == "COD"
            assert component.refundable == (0 if blocked else left)
            assert component.charged.as_tuple().exponent == -market.decimals
            assert (component.included_tax is None) is not gross
    # What the buyer paid, promotions taken off, taxes counted once.
    assert view.totals.charged == sum((i.paid_total() for i in live.items), Decimal(0))
    assert view.totals.refundable == sum(
        (c.refundable for i in view.items for c in i.components), Decimal(0)
    )


async def test_partly_refunded_order_shows_what_is_left(
    sandbox: SandboxServer, service: OrderService
) -> None:
    view = await service.get_view(sandbox.seed.order_id("us-fbm-shipped-partly-refunded"))
    knife = view.items[0]
    principal = knife.component("Principal")
    assert principal is not None and principal.refunded >= Decimal("20.00")
    assert principal.refundable == Decimal("79.98") - principal.refunded
    assert view.totals.refunded > 0 and view.totals.refundable < view.totals.charged


async def test_json_form_matches_the_protocol(
    sandbox: SandboxServer, service: OrderService
) -> None:
    view = await service.get_view(sandbox.seed.order_id("jp-fbm-unshipped"))
    body = view.model_dump(mode="json", by_alias=True)
    assert body["marketplace"] == {
        "id": "A1VC38T7YXB528",
        "code": "JP",
        "currency": "JPY",
        "decimals": 0,
        "language": "ja",
    }
    assert (body["pricesIncludeTax"], body["taxLabel"]) == (True, "consumption_tax")
    assert body["sellerCentralUrl"] == (
        f"https://sellercentral.amazon.co.jp/orders-v3/order/{view.order_id}"
    )
    component = body["items"][0]["components"][0]
    assert component == {
        "type": "Principal",
        "charged": "2970",
        "refunded": "0",
        "refundable": "2970",
        "includedTax": "270",
    }
    assert body["actions"]["refund"]["full"] == {
        "allowed": True,
        "reason": None,
        "code": None,
        "params": {},
    }
    assert body["actions"]["cancel"] == {
        "allowed": True,
        "reason": None,
        "code": None,
        "params": {},
        "defaultReason": "GeneralAdjustment",
        "countsAgainstCancelRate": True,
    }
    assert body["buyerCancellationRequest"] == {
        "requested": False,
        "reason": None,
        "requestedAt": None,
    }
    assert body["fetchedAt"].endswith("Z") and body["cached"] is False
    assert body["latestShipDate"].endswith("Z") and body["fulfillmentOrder"] is None


async def test_buyer_request_is_shown(sandbox: SandboxServer, service: OrderService) -> None:
    view = await service.get_view(sandbox.seed.order_id("us-fbm-buyer-cancel-request"))
    assert view.buyer_cancellation_request.requested
    assert view.buyer_cancellation_request.reason == "Order created by mistake"


async def test_fba_reason(sandbox: SandboxServer, service: OrderService) -> None:
    view = await service.get_view(sandbox.seed.order_id("us-fba-shipped"))
    assert view.actions.refund.reason == FBA_REASON == view.actions.cancel.reason
    assert view.actions.refund.code == "fba_order" == view.actions.cancel.code


@pytest.mark.parametrize(
    ("label", "status", "cancellable"),
    [
        ("us-mcf-received", "RECEIVED", True),
        ("us-mcf-planning", "PLANNING", True),
        ("us-mcf-processing", "PROCESSING", False),
    ],
)
async def test_mcf_orders_are_found_through_fulfillment_outbound(
    label: str, status: str, cancellable: bool, sandbox: SandboxServer, service: OrderService
) -> None:
    order_id = sandbox.seed.order_id(label)
    view = await service.get_view(order_id)
    assert view.channel == "MCF" and view.status == "UNSHIPPED"
    assert view.fulfillment_order is not None
    assert view.fulfillment_order.seller_fulfillment_order_id == order_id
    assert view.fulfillment_order.status == status
    assert view.actions.cancel.allowed is cancellable
    assert view.actions.cancel.counts_against_cancel_rate is False
    assert not view.actions.refund.allowed and view.actions.refund.reason == MCF_REFUND_REASON
    if not cancellable:
        assert "Processing" in (view.actions.cancel.reason or "")
    live = sandbox.state.fulfillment_orders[order_id]
    assert [i.sku for i in view.items] == [i.seller_sku for i in live.items]


async def test_unknown_and_invalid_ids(service: OrderService) -> None:
    with pytest.raises(OrderNotFound) as info:
        await service.get_view("999-0000000-0000000")
    assert "999-0000000-0000000" in info.value.message
    for bad in ("113-4820571-003821", "113-4820571-00382145", "abc", "113 4820571 0038214", ""):
        with pytest.raises(InvalidOrderId):
            await service.get_view(bad)


def proceeds(total: str, **amounts: str) -> ItemProceeds:
    """An item's proceeds: ITEM, SHIPPING … subtotals and the item's TAX."""
    tax = amounts.pop("TAX", None)
    return ItemProceeds(
        total=Decimal(total),
        charges={k: Decimal(v) for k, v in amounts.items()},
        taxes={"ITEM": Decimal(tax)} if tax else {},
    )


def _order(status: OrderStatus = "SHIPPED", **item: Any) -> AmazonOrder:
    line = AmazonOrderItem(
        order_item_id="11111111111111",
        quantity_ordered=2,
        quantity_shipped=2 if status == "SHIPPED" else 0,
        quantity_unshipped=0 if status == "SHIPPED" else 2,
        proceeds=proceeds("21.60", ITEM="20.00", TAX="1.60"),
        **item,
    )
    return AmazonOrder(
        order_id="113-0000000-0000001",
        marketplace_id="ATVPDKIKX0DER",
        status=status,
        fulfilled_by=FulfilledBy.MERCHANT,
        created_time=NOW,
        items=[line],
    )


def test_refunds_in_flight_lower_what_is_refundable() -> None:
    in_flight = {("11111111111111", "Principal"): Decimal("5.00")}
    view = build_order_view(_order(), None, in_flight, account="a", fetched_at=NOW)
    principal = view.items[0].component("Principal")
    assert principal is not None
    assert (principal.refunded, principal.refundable) == (Decimal("5.00"), Decimal("15.00"))
    assert view.totals.refundable == Decimal("16.60")


def test_fully_refunded_order_cannot_be_refunded_again() -> None:
    in_flight = {
        ("11111111111111", "Principal"): Decimal("20.00"),
        ("11111111111111", "Tax"): Decimal("1.60"),
    }
    view = build_order_view(_order(), None, in_flight, account="a", fetched_at=NOW)
    assert not view.actions.refund.allowed
    assert "already been refunded" in (view.actions.refund.reason or "")


def test_pending_order_cannot_be_cancelled_or_refunded_yet() -> None:
    view = build_order_view(_order("PENDING"), None, {}, account="a", fetched_at=NOW)
    assert not view.actions.cancel.allowed and "Pending" in (view.actions.cancel.reason or "")
    assert not view.actions.refund.allowed


def test_buyer_request_defaults_the_reason() -> None:
    request = CancellationRequest(requester="BUYER", reason="Found it cheaper")
    view = build_order_view(
        _order("UNSHIPPED", cancellation_request=request), None, {}, account="a", fetched_at=NOW
    )
    cancel = view.actions.cancel
    assert (cancel.allowed, cancel.default_reason, cancel.counts_against_cancel_rate) == (
        True,
        "BuyerCanceled",
        False,
    )


def test_a_cancelled_line_is_not_refundable() -> None:
    kept = AmazonOrderItem(
        order_item_id="22222222222222",
        quantity_ordered=1,
        quantity_unshipped=1,
        proceeds=proceeds("9.99", ITEM="9.99"),
    )
    gone = AmazonOrderItem(
        order_item_id="33333333333333",
        quantity_ordered=2,
        quantity_unshipped=0,
        cancelled_by="MERCHANT",
        proceeds=proceeds("19.98", ITEM="19.98"),
    )
    order = AmazonOrder(
        order_id="113-0000000-0000002",
        marketplace_id="ATVPDKIKX0DER",
        status="UNSHIPPED",
        fulfilled_by=FulfilledBy.MERCHANT,
        created_time=NOW,
        items=[kept, gone],
    )
    view = build_order_view(order, None, {}, account="a", fetched_at=NOW)
    assert view.items[1].quantity_cancelled == 2
    assert view.items[1].components[0].refundable == 0
    assert view.totals.refundable == Decimal("9.99")
