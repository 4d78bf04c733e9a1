"""Fulfillment Outbound 2020-07-01: `getFulfillmentOrder` and `cancelFulfillmentOrder` (MCF).

An unknown sellerFulfillmentOrderId is answered as Amazon does: 400 InvalidInput
"Requested order not found". Cancelling is allowed only while the order is Received or Planning;
otherwise 400 InvalidInput naming the status, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from spdesk_sandbox.errors import invalid_input
from spdesk_sandbox.marketplaces import marketplace
from spdesk_sandbox.params import iso
from spdesk_sandbox.records import Cancellation, FulfillmentOrder, FulfillmentOrderStatus
from spdesk_sandbox.state import STATE, SandboxState

BASE = "/fba/outbound/2020-07-01/fulfillmentOrders"
CANCELLABLE = frozenset({FulfillmentOrderStatus.RECEIVED, FulfillmentOrderStatus.PLANNING})
ADDRESS_FIELDS = (
    "name",
    "addressLine1",
    "addressLine2",
    "addressLine3",
    "city",
    "districtOrCounty",
    "stateOrRegion",
    "postalCode",
    "countryCode",
    "phone",
)


def _find(state: SandboxState, request: web.Request) -> FulfillmentOrder:
    order_id = request.match_info["sellerFulfillmentOrderId"]
    found = state.fulfillment_orders.get(order_id)
    if found is None:
        raise invalid_input(
            "Requested order not found",
            f"No fulfillment order has sellerFulfillmentOrderId {order_id}.",
        )
    return found


def fulfillment_order_json(order: FulfillmentOrder) -> dict[str, Any]:
    """The `GetFulfillmentOrderResult` payload of an MCF order."""
    currency = marketplace(order.marketplace_id).currency
    address = {k: order.destination[k] for k in ADDRESS_FIELDS if order.destination.get(k)}
    return {
        "fulfillmentOrder": {
            "sellerFulfillmentOrderId": order.seller_fulfillment_order_id,
            "marketplaceId": order.marketplace_id,
            "displayableOrderId": order.displayable_order_id,
            "displayableOrderDate": iso(order.displayable_order_date),
            "displayableOrderComment": order.displayable_comment,
            "shippingSpeedCategory": order.shipping_speed,
            "destinationAddress": address,
            "fulfillmentAction": "Ship",
            "fulfillmentPolicy": "FillOrKill",
            "receivedDate": iso(order.received_at),
            "fulfillmentOrderStatus": str(order.status),
            "statusUpdatedDate": iso(order.status_updated_at),
        },
        "fulfillmentOrderItems": [
            {
                "sellerSku": item.seller_sku,
                "sellerFulfillmentOrderItemId": item.item_id,
                "quantity": item.quantity,
                "cancelledQuantity": item.qty_cancelled,
                "unfulfillableQuantity": 0,
                "perUnitDeclaredValue": {"currencyCode": currency, "value": f"{item.unit_price:f}"},
            }
            for item in order.items
        ],
        "fulfillmentShipments": [],
        "returnItems": [],
        "returnAuthorizations": [],
    }


async def get_fulfillment_order(request: web.Request) -> web.Response:
    """GET /fulfillmentOrders/{sellerFulfillmentOrderId}."""
    order = _find(request.app[STATE], request)
    return web.json_response({"payload": fulfillment_order_json(order)})


async def cancel_fulfillment_order(request: web.Request) -> web.Response:
    """PUT /fulfillmentOrders/{sellerFulfillmentOrderId}/cancel: only Received or Planning."""
    state = request.app[STATE]
    async with state.lock:
        order = _find(state, request)
        if order.status not in CANCELLABLE:
            raise invalid_input(
                f"Fulfillment order {order.seller_fulfillment_order_id} cannot be cancelled "
                f"because its status is {order.status}.",
                "Only fulfillment orders with status Received or Planning can be cancelled.",
            )
        now = state.now()
        order.status, order.status_updated_at = FulfillmentOrderStatus.CANCELLED, now
        for item in order.items:
            item.qty_cancelled = item.quantity
        state.cancellations.append(
            Cancellation(
                order_id=order.seller_fulfillment_order_id,
                item_codes=[i.item_id for i in order.items],
                reason="SellerCancelled",
                at=now,
                source="fulfillment",
            )
        )
        state.touch()
    return web.json_response({})


def setup(app: web.Application) -> None:
    """Register the Fulfillment Outbound routes (named by operationId)."""
    r = app.router
    r.add_get(
        f"{BASE}/{{sellerFulfillmentOrderId}}", get_fulfillment_order, name="getFulfillmentOrder"
    )
    r.add_put(
        f"{BASE}/{{sellerFulfillmentOrderId}}/cancel",
        cancel_fulfillment_order,
        name="cancelFulfillmentOrder",
    )
