"""Orders API v2026-01-01: `getOrder` (honouring includedData) and `searchOrders`."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from aiohttp import web

from spdesk_sandbox.errors import invalid_input, not_found
from spdesk_sandbox.marketplaces import BY_ID
from spdesk_sandbox.params import (
    iso,
    order_id_param,
    query_datetime,
    query_int,
    query_list,
)
from spdesk_sandbox.records import TAX_OF, Channel, Order, OrderItem
from spdesk_sandbox.state import STATE

BASE = "/orders/2026-01-01"
INCLUDED_DATA = frozenset(
    {
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    }
)
FULFILLMENT_STATUSES = frozenset(
    {
        "PENDING_AVAILABILITY",
        "PENDING",
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
        "SHIPPED",
        "CANCELLED",
        "UNFULFILLABLE",
    }
)
FULFILLED_BY = {"MERCHANT": Channel.FBM, "AMAZON": Channel.FBA}
# Tax-exclusive charge component -> proceeds breakdown type (and the subtype of its tax and
# discount details).
_BREAKDOWN = {
    "Principal": "ITEM",
    "Shipping": "SHIPPING",
    "GiftWrap": "GIFT_WRAP",
    "COD": "COD_FEE",
}


def money(amount: Decimal, order: Order) -> dict[str, str]:
    """A `Money` object: the amount as a string with the marketplace's decimals."""
    return {"amount": order.marketplace.format(amount), "currencyCode": order.currency}


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _detailed(kind: str, details: dict[str, Decimal], order: Order) -> dict[str, Any]:
    return {
        "type": kind,
        "subtotal": money(_sum(list(details.values())), order),
        "detailedBreakdowns": [
            {"subtype": sub, "value": money(v, order)} for sub, v in details.items() if v
        ],
    }


def item_proceeds(item: OrderItem, order: Order) -> dict[str, Any]:
    """Per-item proceeds as Amazon's model examples have them.

    `proceedsTotal` is the sum of the breakdowns: what the buyer paid for the line. Promotions
    are a negative DISCOUNT (their tax a negative TAX detail of subtype DISCOUNT). In layout
    "gross" ITEM, SHIPPING … carry their tax inside and TAX only names it; in layout "net" the
    TAX breakdown is added on top (Amazon's own UK example).
    """
    gross = order.proceeds_layout == "gross" and order.marketplace.tax_included
    charges: dict[str, Decimal] = {}
    taxes: dict[str, Decimal] = {}
    discounts: dict[str, Decimal] = {}
    taxes_off = Decimal(0)
    for component, kind in _BREAKDOWN.items():
        if component not in item.charged:
            continue
        tax = TAX_OF[component]
        tax_off = item.discounts.get(tax, Decimal(0))
        inside = item.charged.get(tax, Decimal(0)) if gross else Decimal(0)
        charges[kind] = item.charged[component] + inside
        taxes[kind] = item.charged.get(tax, Decimal(0))
        discounts[kind] = -(item.discounts.get(component, Decimal(0)) + (tax_off if gross else 0))
        taxes_off += tax_off
    taxes["DISCOUNT"] = -taxes_off
    breakdowns = [{"type": k, "subtotal": money(v, order)} for k, v in charges.items()]
    if any(taxes.values()):
        breakdowns.append(_detailed("TAX", taxes, order))
    if any(discounts.values()):
        breakdowns.append(_detailed("DISCOUNT", discounts, order))
    return {"proceedsTotal": money(item.paid_total(), order), "breakdowns": breakdowns}


def item_cancellation(item: OrderItem) -> dict[str, Any] | None:
    """The buyer's cancellation request and/or the executed cancellation, if any."""
    block: dict[str, Any] = {}
    if item.buyer_cancel_request:
        block["cancellationRequest"] = {
            "requester": "BUYER",
            "cancelReason": item.buyer_cancel_request.reason,
        }
    if item.cancellation:
        block["cancellationExecution"] = {
            "cancelledBy": item.cancellation.cancelled_by,
            "cancelReason": item.cancellation.reason,
        }
    return block or None


def item_json(item: OrderItem, order: Order, included: set[str]) -> dict[str, Any]:
    """One `OrderItem` with the blocks `included` asks for."""
    body: dict[str, Any] = {
        "orderItemId": item.item_code,
        "quantityOrdered": item.qty_ordered,
        "product": {
            "asin": item.asin,
            "title": item.title,
            "sellerSku": item.sku,
            "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            "price": {"unitPrice": money(order.marketplace.quantize(item.unit_price), order)},
        },
    }
    if "PROCEEDS" in included:
        body["proceeds"] = item_proceeds(item, order)
    if "CANCELLATION" in included and (cancellation := item_cancellation(item)):
        body["cancellation"] = cancellation
    if "FULFILLMENT" in included:
        body["fulfillment"] = {
            "quantityFulfilled": item.qty_shipped,
            "quantityUnfulfilled": item.qty_unshipped,
        }
    return body


def order_proceeds(order: Order, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Order-level proceeds: the items' breakdowns (`items`) added up by type, the grand total."""
    kinds: dict[str, Decimal] = {}
    for proceeds in items:
        for breakdown in proceeds["breakdowns"]:
            amount = Decimal(breakdown["subtotal"]["amount"])
            kinds[breakdown["type"]] = kinds.get(breakdown["type"], Decimal(0)) + amount
    total = _sum([i.paid_total() for i in order.items])
    return {
        "grandTotal": money(total, order),
        "breakdowns": [{"type": k, "subtotal": money(v, order)} for k, v in kinds.items()],
    }


def order_payment(order: Order) -> dict[str, Any]:
    """How the buyer paid: one payment execution (cash on delivery: to the carrier)."""
    total = _sum([i.paid_total() for i in order.items])
    execution = {"paymentMethod": order.payment_method, "paymentAmount": money(total, order)}
    return {"paymentExecutions": [execution]}


def order_packages(order: Order) -> list[dict[str, Any]]:
    """One package per order holding every shipped unit (seeded carrier and tracking)."""
    shipped = [i for i in order.items if i.qty_shipped]
    if not shipped:
        return []
    ship_time = order.purchase_date + timedelta(hours=26)
    digits = order.order_id.replace("-", "")
    return [
        {
            "packageReferenceId": "1",
            "createdTime": iso(ship_time - timedelta(hours=2)),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": "UPS" if order.marketplace.code == "US" else "DHL",
            "shipTime": iso(ship_time),
            "shippingService": order.ship_service_level.title(),
            "trackingNumber": f"1Z{digits[:16]}",
            "packageItems": [
                {"orderItemId": i.item_code, "quantity": i.qty_shipped} for i in shipped
            ],
        }
    ]


def order_json(order: Order, included: set[str]) -> dict[str, Any]:
    """One `Order` of Orders v2026-01-01 with the datasets in `included`."""
    market = order.marketplace
    body: dict[str, Any] = {
        "orderId": order.order_id,
        "createdTime": iso(order.purchase_date),
        "lastUpdatedTime": iso(order.last_updated),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": market.id,
            "marketplaceName": market.name,
        },
    }
    items = [item_json(i, order, included) for i in order.items]
    if "PROCEEDS" in included:
        body["proceeds"] = order_proceeds(order, [i["proceeds"] for i in items])
    if "PAYMENT" in included:
        body["payment"] = order_payment(order)
    if "FULFILLMENT" in included:
        body["fulfillment"] = {
            "fulfillmentStatus": str(order.status),
            "fulfilledBy": "AMAZON" if order.channel is Channel.FBA else "MERCHANT",
            "fulfillmentServiceLevel": order.ship_service_level,
            "shipByWindow": {
                "earliestDateTime": iso(order.earliest_ship_date or order.purchase_date),
                "latestDateTime": iso(order.latest_ship_date),
            },
        }
    body["orderItems"] = items
    if "PACKAGES" in included and (packages := order_packages(order)):
        body["packages"] = packages
    return body


async def get_order(request: web.Request) -> web.Response:
    """GET /orders/2026-01-01/orders/{orderId}."""
    order_id = order_id_param(request)
    included = set(query_list(request, "includedData", INCLUDED_DATA))
    order = request.app[STATE].order(order_id)
    if order is None:
        raise not_found(f"Order {order_id} was not found.", "No order with this id for the seller.")
    return web.json_response({"order": order_json(order, included)})


def _time_window(request: web.Request, now: datetime) -> tuple[str, datetime, datetime]:
    """Which timestamp to filter on and its [after, before] bounds, with Amazon's rules."""
    created_after = query_datetime(request, "createdAfter")
    created_before = query_datetime(request, "createdBefore")
    updated_after = query_datetime(request, "lastUpdatedAfter")
    updated_before = query_datetime(request, "lastUpdatedBefore")
    if (created_after is None) == (updated_after is None):
        raise invalid_input("Exactly one of createdAfter and lastUpdatedAfter is required.")
    if created_after is not None:
        if updated_before is not None:
            raise invalid_input("lastUpdatedBefore cannot be combined with createdAfter.")
        field, after, before = "created", created_after, created_before
    else:
        if created_before is not None:
            raise invalid_input("createdBefore cannot be combined with lastUpdatedAfter.")
        assert updated_after is not None
        field, after, before = "updated", updated_after, updated_before
    latest = now - timedelta(minutes=2)
    if after > latest:
        raise invalid_input("The after date must be at least two minutes before the request.")
    before = before or latest
    if before > latest:
        raise invalid_input("The before date must be at least two minutes before the request.")
    if before < after:
        raise invalid_input("The before date must not be earlier than the after date.")
    return field, after, before


def _decode_token(token: str | None) -> int:
    if token is None:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_input(
            "Invalid paginationToken.", "Pass nextToken as it was returned."
        ) from None
    if offset < 0:
        raise invalid_input("Invalid paginationToken.")
    return offset


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


async def search_orders(request: web.Request) -> web.Response:
    """GET /orders/2026-01-01/orders: orders in a time window, filtered, paginated."""
    state = request.app[STATE]
    field, after, before = _time_window(request, state.now())
    marketplaces = query_list(request, "marketplaceIds", max_items=50)
    unknown = [m for m in marketplaces if m not in BY_ID]
    if unknown:
        raise invalid_input(f"Invalid marketplaceId '{unknown[0]}'.")
    statuses = set(query_list(request, "fulfillmentStatuses", FULFILLMENT_STATUSES))
    fulfilled_by = {FULFILLED_BY[v] for v in query_list(request, "fulfilledBy", FULFILLED_BY)}
    page_size = query_int(request, "maxResultsPerPage", 1, 100, 100)
    included = set(query_list(request, "includedData", INCLUDED_DATA))
    offset = _decode_token(request.query.get("paginationToken"))

    def stamp(order: Order) -> datetime:
        return order.purchase_date if field == "created" else order.last_updated

    matches = sorted(
        (
            o
            for o in state.orders.values()
            if after <= stamp(o) <= before
            and (not marketplaces or o.marketplace_id in marketplaces)
            and (not statuses or str(o.status) in statuses)
            and (not fulfilled_by or o.channel in fulfilled_by)
        ),
        key=lambda o: (stamp(o), o.order_id),
    )
    page = matches[offset : offset + page_size]
    body: dict[str, Any] = {"orders": [order_json(o, included) for o in page]}
    if offset + page_size < len(matches):
        body["pagination"] = {"nextToken": _encode_token(offset + page_size)}
    body["createdBefore" if field == "created" else "lastUpdatedBefore"] = iso(before)
    return web.json_response(body)


def setup(app: web.Application) -> None:
    """Register the Orders v2026-01-01 routes (named by operationId)."""
    app.router.add_get(f"{BASE}/orders", search_orders, name="searchOrders")
    app.router.add_get(f"{BASE}/orders/{{orderId}}", get_order, name="getOrder")
