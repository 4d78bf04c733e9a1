"""Orders API v0 (deprecated): `getOrder` and `getOrderItems`, for clients not yet migrated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from spdesk_sandbox.errors import not_found
from spdesk_sandbox.params import iso, order_id_param
from spdesk_sandbox.records import TAX_OF, Channel, Order, OrderItem, OrderStatus
from spdesk_sandbox.state import STATE

BASE = "/orders/v0/orders"
V0_STATUS = {
    OrderStatus.PENDING: "Pending",
    OrderStatus.UNSHIPPED: "Unshipped",
    OrderStatus.PARTIALLY_SHIPPED: "PartiallyShipped",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.CANCELLED: "Canceled",
}
# v0 item money: (price field, its tax field, promotion field, promotion tax field) per charge.
# In a tax-included marketplace a price holds its tax (ItemTax is the VAT inside ItemPrice, as
# Amazon's VAT Calculation Service guide says); in the US and Canada the tax is added on top.
# Promotions are positive amounts that lower what the buyer pays.
_V0_ITEM_MONEY = {
    "Principal": ("ItemPrice", "ItemTax", "PromotionDiscount", "PromotionDiscountTax"),
    "Shipping": ("ShippingPrice", "ShippingTax", "ShippingDiscount", "ShippingDiscountTax"),
    "COD": ("CODFee", None, "CODFeeDiscount", None),
}


def _money(amount: Decimal, order: Order) -> dict[str, str]:
    return {"CurrencyCode": order.currency, "Amount": order.marketplace.format(amount)}


def order_v0_json(order: Order) -> dict[str, Any]:
    """An Orders v0 `Order`."""
    total = sum((i.paid_total() for i in order.items), Decimal(0))
    market = order.marketplace
    return {
        "PaymentMethod": "COD" if order.cash_on_delivery else "Other",
        "AmazonOrderId": order.order_id,
        "PurchaseDate": iso(order.purchase_date),
        "LastUpdateDate": iso(order.last_updated),
        "OrderStatus": V0_STATUS[order.status],
        "FulfillmentChannel": "AFN" if order.channel is Channel.FBA else "MFN",
        "SalesChannel": market.name,
        "ShipServiceLevel": order.ship_service_level.title(),
        "OrderTotal": _money(total, order),
        "NumberOfItemsShipped": sum(i.qty_shipped for i in order.items),
        "NumberOfItemsUnshipped": sum(i.qty_unshipped for i in order.items),
        "MarketplaceId": market.id,
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(order.earliest_ship_date or order.purchase_date),
        "LatestShipDate": iso(order.latest_ship_date),
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsPremiumOrder": False,
        "IsReplacementOrder": False,
    }


def item_v0_json(item: OrderItem, order: Order) -> dict[str, Any]:
    """An Orders v0 `OrderItem`, with the buyer's cancellation request when there is one."""
    body: dict[str, Any] = {
        "ASIN": item.asin,
        "SellerSKU": item.sku,
        "OrderItemId": item.item_code,
        "Title": item.title,
        "QuantityOrdered": item.qty_ordered,
        "QuantityShipped": item.qty_shipped,
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsGift": "true" if "GiftWrap" in item.charged else "false",
    }
    body.update(_item_money(item, order))
    request = item.buyer_cancel_request
    body["BuyerRequestedCancel"] = {
        "IsBuyerRequestedCancel": "true" if request else "false",
        "BuyerCancelReason": request.reason if request else "",
    }
    return body


def _item_money(item: OrderItem, order: Order) -> dict[str, Any]:
    inside = order.marketplace.tax_included
    body: dict[str, Any] = {}
    for component, (price, tax, promotion, promotion_tax) in _V0_ITEM_MONEY.items():
        if component not in item.charged:
            continue
        tax_of = TAX_OF[component]
        charged_tax = item.charged.get(tax_of, Decimal(0))
        tax_off = item.discounts.get(tax_of, Decimal(0))
        off = item.discounts.get(component, Decimal(0)) + (tax_off if inside else 0)
        body[price] = _money(item.charged[component] + (charged_tax if inside else 0), order)
        if tax:
            body[tax] = _money(charged_tax, order)
        if off:
            body[promotion] = _money(off, order)
        if promotion_tax and tax_off:
            body[promotion_tax] = _money(tax_off, order)
    return body


def _find(request: web.Request) -> Order:
    order_id = order_id_param(request)
    order = request.app[STATE].order(order_id)
    if order is None:
        raise not_found(f"Order {order_id} was not found.", "No order with this id for the seller.")
    return order


async def get_order(request: web.Request) -> web.Response:
    """GET /orders/v0/orders/{orderId}."""
    return web.json_response({"payload": order_v0_json(_find(request))})


async def get_order_items(request: web.Request) -> web.Response:
    """GET /orders/v0/orders/{orderId}/orderItems (all items on one page)."""
    order = _find(request)
    payload = {
        "AmazonOrderId": order.order_id,
        "OrderItems": [item_v0_json(i, order) for i in order.items],
    }
    return web.json_response({"payload": payload})


def setup(app: web.Application) -> None:
    """Register the Orders v0 routes (named "ordersV0.<operationId>")."""
    app.router.add_get(f"{BASE}/{{orderId}}", get_order, name="ordersV0.getOrder")
    app.router.add_get(
        f"{BASE}/{{orderId}}/orderItems", get_order_items, name="ordersV0.getOrderItems"
    )
