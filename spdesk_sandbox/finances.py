"""Finances v0 `listFinancialEventsByOrderId`: shipment charges and, after the posting lag, refunds.

Charges appear for shipped units (a partly shipped line shows its shipped share). A refund appears
once its posting lag has passed and its item has shipped: a refund accepted before shipment stays
pending until then. Amounts are seller-side, as Amazon shows them: charges positive (Principal
tax-exclusive, its Tax apart), promotions negative, refunds negative, a restocking fee kept from
the buyer positive. Amounts are JSON numbers written from
Decimal text, never through binary floating point.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aiohttp import web

from spdesk_sandbox.errors import invalid_input
from spdesk_sandbox.params import iso, order_id_param, query_int
from spdesk_sandbox.records import Adjustment, Order, OrderItem
from spdesk_sandbox.state import STATE, SandboxState

# Feed component Type -> Finances ChargeType.
CHARGE_TYPES = {
    "Principal": "Principal",
    "Shipping": "ShippingCharge",
    "Tax": "Tax",
    "ShippingTax": "ShippingTax",
    "GiftWrap": "Giftwrap",
    "GiftWrapTax": "GiftwrapTax",
    "RestockingFee": "RestockingFee",
    "RestockingFeeTax": "RestockingFeeTax",
    "ReturnShipping": "ReturnShipping",
    "Goodwill": "Goodwill",
    "FreeReplacementReturnShipping": "FreeReplacementReturnShipping",
}
# The cash-on-delivery fee, charged at shipment (a feed never refunds it).
COD_CHARGE_TYPES = {"COD": "CODItemCharge", "CODTax": "CODItemTaxCharge"}
_NUMBER_MARK = "@decimal@"
_NUMBER = re.compile(rf'"{_NUMBER_MARK}(-?\d+(?:\.\d+)?)"')


def _dumps(body: Any) -> str:
    def number(value: object) -> str:
        if isinstance(value, Decimal):
            return f"{_NUMBER_MARK}{value:f}"
        raise TypeError(f"cannot serialize {type(value).__name__}")

    return _NUMBER.sub(r"\1", json.dumps(body, default=number))


def _money(order: Order, amount: Decimal) -> dict[str, Any]:
    return {
        "CurrencyCode": order.currency,
        "CurrencyAmount": order.marketplace.quantize(amount) + 0,
    }  # + 0 turns -0 into 0


def _shipped_share(order: Order, line: OrderItem, amount: Decimal) -> Decimal:
    if line.qty_shipped >= line.qty_ordered:
        return amount
    share = amount * line.qty_shipped / line.qty_ordered
    return share.quantize(order.marketplace.quantum, rounding=ROUND_HALF_UP)


def _shipment_item(order: Order, line: OrderItem) -> dict[str, Any]:
    """One shipped line: its charges (positive) and promotions (negative, net and tax apart)."""
    item: dict[str, Any] = {
        "SellerSKU": line.sku,
        "OrderItemId": line.item_code,
        "QuantityShipped": line.qty_shipped,
        "ItemChargeList": [
            {
                "ChargeType": CHARGE_TYPES.get(kind) or COD_CHARGE_TYPES.get(kind, kind),
                "ChargeAmount": _money(order, _shipped_share(order, line, amount)),
            }
            for kind, amount in line.charged.items()
        ],
    }
    if line.discounts:
        item["PromotionList"] = [
            {
                # What Amazon really writes there for every promotion (a known quirk).
                "PromotionType": "PromotionMetaDataDefinitionValue",
                "PromotionId": f"PROMO-{line.item_code[-6:]}-{kind}",
                "PromotionAmount": _money(order, -_shipped_share(order, line, amount)),
            }
            for kind, amount in line.discounts.items()
        ]
    return item


def _shipment_event(order: Order, now: datetime) -> dict[str, Any] | None:
    shipped = [i for i in order.items if i.qty_shipped > 0]
    if not shipped:
        return None
    items = [_shipment_item(order, line) for line in shipped]
    # The sandbox has no ship timestamp: post a day after purchase (or now, if sooner).
    posted = min(order.purchase_date + timedelta(days=1), now)
    return {
        "AmazonOrderId": order.order_id,
        "SellerOrderId": order.order_id,
        "MarketplaceName": order.marketplace.name,
        "PostedDate": iso(posted),
        "ShipmentItemList": items,
    }


def _refund_event(order: Order, adjustment: Adjustment) -> dict[str, Any]:
    line = order.item(adjustment.item_code)
    item: dict[str, Any] = {
        "SellerSKU": line.sku if line else "",
        "OrderItemId": adjustment.item_code,
        "OrderAdjustmentItemId": adjustment.adjustment_id,
        "QuantityShipped": line.qty_shipped if line else 0,
        "ItemChargeAdjustmentList": [
            {"ChargeType": CHARGE_TYPES.get(kind, kind), "ChargeAmount": _money(order, -amount)}
            for kind, amount in adjustment.components.items()
        ],
    }
    return {
        "AmazonOrderId": order.order_id,
        "SellerOrderId": order.order_id,
        "MarketplaceName": order.marketplace.name,
        "PostedDate": iso(adjustment.posted_at),
        "ShipmentItemAdjustmentList": [item],
    }


def financial_events(state: SandboxState, order_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Every event Finances shows now for an order, as (list name, event) in posting order."""
    order = state.order(order_id)
    if order is None:
        return []
    events: list[tuple[str, dict[str, Any]]] = []
    shipment = _shipment_event(order, state.now())
    if shipment:
        events.append(("ShipmentEventList", shipment))
    shipped = {i.item_code for i in order.items if i.qty_shipped > 0}
    for adjustment in state.posted_adjustments(order_id):
        if adjustment.item_code in shipped:
            events.append(("RefundEventList", _refund_event(order, adjustment)))
    return events


def _offset(request: web.Request) -> int:
    token = request.query.get("NextToken")
    if token is None:
        return 0
    if not token.isdigit():
        raise invalid_input("Invalid NextToken.")
    return int(token)


async def list_financial_events_by_order_id(request: web.Request) -> web.Response:
    """GET /finances/v0/orders/{orderId}/financialEvents."""
    state = request.app[STATE]
    order_id = order_id_param(request)
    size = query_int(request, "MaxResultsPerPage", 1, 100, 100)
    start = _offset(request)
    events = financial_events(state, order_id)
    lists: dict[str, list[dict[str, Any]]] = {"ShipmentEventList": [], "RefundEventList": []}
    for name, event in events[start : start + size]:
        lists[name].append(event)
    payload: dict[str, Any] = {"FinancialEvents": lists}
    if start + size < len(events):
        payload["NextToken"] = str(start + size)
    return web.Response(text=_dumps({"payload": payload}), content_type="application/json")


def setup(app: web.Application) -> None:
    """Register the Finances route (named by operationId)."""
    app.router.add_get(
        "/finances/v0/orders/{orderId}/financialEvents",
        list_financial_events_by_order_id,
        name="listFinancialEventsByOrderId",
    )
