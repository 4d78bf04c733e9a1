"""Pure parsing of SP-API JSON payloads into the gateway's models (no I/O here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from companion.amazon.models import (
    AmazonOrder,
    AmazonOrderItem,
    CancellationRequest,
    Feed,
    FinancialEvents,
    FulfilledBy,
    FulfillmentOrder,
    FulfillmentOrderItem,
    ItemProceeds,
    RefundPosting,
)
from companion.errors import AmazonError

Json = Mapping[str, Any]

# Orders v2026-01-01 proceeds breakdown types -> the tax-exclusive component each one is.
BREAKDOWN_COMPONENTS: dict[str, str] = {
    "ITEM": "Principal",
    "SHIPPING": "Shipping",
    "GIFT_WRAP": "GiftWrap",
    "COD_FEE": "COD",
    "OTHER": "Other",
}
# TAX breakdowns are split by what was taxed (their detailed subtypes).
TAX_COMPONENTS: dict[str, str] = {
    "ITEM": "Tax",
    "SHIPPING": "ShippingTax",
    "GIFT_WRAP": "GiftWrapTax",
    "COD_FEE": "CODTax",
    "OTHER": "Other",
}
# Finances names a few charge types differently from the Order Adjustment feed.
FINANCES_CHARGE_TYPES = {
    "ShippingCharge": "Shipping",
    "GiftWrapCharge": "GiftWrap",
    "Giftwrap": "GiftWrap",
    "GiftwrapTax": "GiftWrapTax",
    "CODItemCharge": "COD",
    "CODItemTaxCharge": "CODTax",
}
# Finances lists where money went back to the buyer: refunds, and A-to-z / chargeback payouts,
# which must also count as refunded so a second refund does not pay the buyer twice.
REFUND_EVENT_LISTS = ("RefundEventList", "GuaranteeClaimEventList", "ChargebackEventList")


class AmazonBadResponse(AmazonError):
    """Amazon answered 2xx with a body that does not match its own model."""

    default_code = "amazon_bad_response"
    default_message = "Amazon sent an answer spdesk cannot read. Try again in a minute."


def money(value: Any) -> Decimal:
    """An amount from Amazon (string or JSON number) as an exact Decimal."""
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise AmazonBadResponse(details={"amount": str(value)[:40]}) from exc


def _amount(money_obj: Json | None) -> Decimal:
    if not money_obj:
        return Decimal(0)
    return money(money_obj.get("amount", money_obj.get("value", 0)))


def item_proceeds(proceeds: Json | None) -> ItemProceeds | None:
    """One item's v2026 proceeds: total, charges, and TAX and DISCOUNT split by subtype.

    A TAX or DISCOUNT without details is counted as the item's own (subtype ITEM).
    """
    if not proceeds:
        return None
    charges: dict[str, Decimal] = defaultdict(Decimal)
    split: dict[str, dict[str, Decimal]] = {
        "TAX": defaultdict(Decimal),
        "DISCOUNT": defaultdict(Decimal),
    }
    for breakdown in proceeds.get("breakdowns") or []:
        kind = breakdown.get("type")
        subtotal = _amount(breakdown.get("subtotal"))
        if kind in split:
            details = breakdown.get("detailedBreakdowns") or [
                {"subtype": "ITEM", "value": breakdown.get("subtotal")}
            ]
            for detail in details:
                split[kind][str(detail.get("subtype") or "ITEM")] += _amount(detail.get("value"))
        elif kind in BREAKDOWN_COMPONENTS:
            charges[kind] += subtotal
    total = proceeds.get("proceedsTotal")
    return ItemProceeds(
        total=_amount(total) if total else None,
        charges=dict(charges),
        taxes=dict(split["TAX"]),
        discounts=dict(split["DISCOUNT"]),
    )


def _cancellation_request(item: Json) -> CancellationRequest | None:
    request = ((item.get("cancellation") or {}).get("cancellationRequest")) or {}
    if request.get("requester") != "BUYER":
        return None
    return CancellationRequest(
        requester="BUYER",
        reason=request.get("cancelReason"),
        requested_at=request.get("requestedTime") or request.get("requestedAt"),
    )


def parse_order_item(item: Json) -> AmazonOrderItem:
    """One v2026 `OrderItem`."""
    product = item.get("product") or {}
    fulfillment = item.get("fulfillment") or {}
    execution = (item.get("cancellation") or {}).get("cancellationExecution") or {}
    return AmazonOrderItem(
        order_item_id=item["orderItemId"],
        sku=product.get("sellerSku"),
        asin=product.get("asin"),
        title=product.get("title"),
        quantity_ordered=item["quantityOrdered"],
        quantity_shipped=fulfillment.get("quantityFulfilled") or 0,
        quantity_unshipped=fulfillment.get("quantityUnfulfilled"),
        cancelled_by=execution.get("cancelledBy"),
        proceeds=item_proceeds(item.get("proceeds")),
        cancellation_request=_cancellation_request(item),
    )


def parse_order(body: Json) -> AmazonOrder:
    """A v2026 `GetOrderResponse` body."""
    try:
        order = body["order"]
        fulfillment = order.get("fulfillment") or {}
        status = fulfillment["fulfillmentStatus"]
        items = [parse_order_item(i) for i in order.get("orderItems") or []]
        return AmazonOrder(
            order_id=order["orderId"],
            marketplace_id=(order.get("salesChannel") or {}).get("marketplaceId"),
            status="PENDING" if status == "PENDING_AVAILABILITY" else status,
            fulfilled_by=FulfilledBy(fulfillment.get("fulfilledBy") or FulfilledBy.MERCHANT),
            created_time=order["createdTime"],
            last_updated_time=order.get("lastUpdatedTime"),
            latest_ship_date=(fulfillment.get("shipByWindow") or {}).get("latestDateTime"),
            currency=_order_currency(order),
            items=items,
            grand_total=_grand_total(order),
            order_level=_order_level(order),
            payment_methods=_payment_methods(order),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # ValidationError included
        raise AmazonBadResponse(details={"operation": "getOrder"}) from exc


def _grand_total(order: Json) -> Decimal | None:
    total = (order.get("proceeds") or {}).get("grandTotal")
    return _amount(total) if total else None


# Order-level proceeds that belong to no item (the feed cannot refund them per item).
ORDER_LEVEL = frozenset({"DELIVERY_TIP"})


def _order_level(order: Json) -> Decimal:
    breakdowns = (order.get("proceeds") or {}).get("breakdowns") or []
    return sum(
        (_amount(b.get("subtotal")) for b in breakdowns if b.get("type") in ORDER_LEVEL), Decimal(0)
    )


def _payment_methods(order: Json) -> tuple[str, ...]:
    executions = (order.get("payment") or {}).get("paymentExecutions") or []
    return tuple(str(e["paymentMethod"]) for e in executions if e.get("paymentMethod"))


def _order_currency(order: Json) -> str | None:
    total = (order.get("proceeds") or {}).get("grandTotal") or {}
    if total.get("currencyCode"):
        return str(total["currencyCode"])
    for item in order.get("orderItems") or []:
        price = ((item.get("product") or {}).get("price") or {}).get("unitPrice") or {}
        if price.get("currencyCode"):
            return str(price["currencyCode"])
    return None


def parse_fulfillment_order(body: Json) -> FulfillmentOrder:
    """A Fulfillment Outbound `GetFulfillmentOrderResponse` body."""
    try:
        payload = body["payload"]
        order = payload["fulfillmentOrder"]
        return FulfillmentOrder(
            seller_fulfillment_order_id=order["sellerFulfillmentOrderId"],
            marketplace_id=order["marketplaceId"],
            displayable_order_id=order.get("displayableOrderId"),
            displayable_order_date=order.get("displayableOrderDate"),
            status=order["fulfillmentOrderStatus"],
            received_date=order.get("receivedDate"),
            status_updated_date=order.get("statusUpdatedDate"),
            items=[_fulfillment_item(i) for i in payload.get("fulfillmentOrderItems") or []],
        )
    except (KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise AmazonBadResponse(details={"operation": "getFulfillmentOrder"}) from exc


def _fulfillment_item(item: Json) -> FulfillmentOrderItem:
    price = item.get("perUnitPrice") or item.get("perUnitDeclaredValue")
    return FulfillmentOrderItem(
        seller_sku=item["sellerSku"],
        item_id=item["sellerFulfillmentOrderItemId"],
        quantity=int(item["quantity"]),
        cancelled_quantity=int(item.get("cancelledQuantity") or 0),
        unfulfillable_quantity=int(item.get("unfulfillableQuantity") or 0),
        per_unit_price=_amount(price) if price else None,
    )


def parse_product_names(body: Json) -> dict[str, str]:
    """seller SKU -> `productName` of an FBA Inventory `GetInventorySummariesResponse` body."""
    try:
        summaries = body["payload"]["inventorySummaries"]
        found = {s.get("sellerSku"): s.get("productName") for s in summaries}
    except (KeyError, TypeError, AttributeError) as exc:
        raise AmazonBadResponse(details={"operation": "getInventorySummaries"}) from exc
    # A summary without a name (or a blank one) names nothing: the line keeps its SKU.
    return {
        sku: name.strip()
        for sku, name in found.items()
        if isinstance(sku, str) and isinstance(name, str) and name.strip()
    }


def parse_financial_events(order_id: str, pages: Iterable[Json]) -> FinancialEvents:
    """Finances v0 `listFinancialEventsByOrderId` pages, summed per item and charge type."""
    charges: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    refunds: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    postings: list[RefundPosting] = []
    currency: str | None = None
    try:
        for page in pages:
            events = (page.get("payload") or {}).get("FinancialEvents") or {}
            for event in events.get("ShipmentEventList") or []:
                currency = _sum_charges(event, "ShipmentItemList", "ItemChargeList", charges, 1)
            for list_name in REFUND_EVENT_LISTS:
                for event in events.get(list_name) or []:
                    found = _sum_charges(
                        event, "ShipmentItemAdjustmentList", "ItemChargeAdjustmentList", refunds, -1
                    )
                    currency = currency or found
                    postings += _postings(event)
    except (KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise AmazonBadResponse(details={"operation": "listFinancialEventsByOrderId"}) from exc
    return FinancialEvents(
        order_id=order_id,
        charges={k: dict(v) for k, v in charges.items()},
        refunds={k: dict(v) for k, v in refunds.items()},
        currency=currency,
        refund_postings=postings,
    )


def _postings(event: Json) -> list[RefundPosting]:
    """One refund event's items, each with its own amounts (positive) and the event's date."""
    found = []
    for item in event.get("ShipmentItemAdjustmentList") or []:
        one: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        _sum_charges({"items": [item]}, "items", "ItemChargeAdjustmentList", one, -1)
        found.append(
            RefundPosting(
                order_item_id=item["OrderItemId"],
                posted_at=event.get("PostedDate"),
                amounts=dict(one.get(item["OrderItemId"], {})),
            )
        )
    return found


def _sum_charges(
    event: Json,
    items_key: str,
    charges_key: str,
    into: dict[str, dict[str, Decimal]],
    sign: int,
) -> str | None:
    """Add one event's item charges into `into`; refunds are negative in Finances, hence `sign`."""
    currency = None
    for item in event.get(items_key) or []:
        for charge in item.get(charges_key) or []:
            amount = charge["ChargeAmount"]
            kind = FINANCES_CHARGE_TYPES.get(charge["ChargeType"], charge["ChargeType"])
            into[item["OrderItemId"]][kind] += sign * money(amount["CurrencyAmount"])
            currency = amount.get("CurrencyCode") or currency
    return currency


def parse_feed(body: Json) -> Feed:
    """A Feeds 2021-06-30 `Feed` object."""
    try:
        return Feed(
            feed_id=body["feedId"],
            feed_type=body["feedType"],
            processing_status=body["processingStatus"],
            created_time=body["createdTime"],
            processing_end_time=body.get("processingEndTime"),
            result_feed_document_id=body.get("resultFeedDocumentId"),
            marketplace_ids=body.get("marketplaceIds") or [],
        )
    except (KeyError, TypeError, ValidationError) as exc:
        raise AmazonBadResponse(details={"operation": "getFeed"}) from exc


def required_field(body: Json, key: str, operation: str) -> str:
    """A string field Amazon must send (feedId, feedDocumentId, url…)."""
    value = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(value, str) or not value:
        raise AmazonBadResponse(details={"operation": operation, "missing": key})
    return value
