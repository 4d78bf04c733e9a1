"""Pure construction of an OrderView from what Orders, Finances and Fulfillment Outbound said."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from companion.amazon.models import (
    AmazonOrder,
    AmazonOrderItem,
    FinancialEvents,
    FulfilledBy,
    FulfillmentOrder,
    FulfillmentOrderItem,
    OrderStatus,
)
from companion.amazon.rules import (
    Decision,
    cancel_decision,
    default_cancel_reason,
    mcf_cancel_decision,
    refund_decision,
)
from companion.amazon.view import (
    Actions,
    BuyerCancellationRequest,
    CancelAction,
    Channel,
    ComponentView,
    FulfillmentOrderInfo,
    ItemView,
    MarketplaceInfo,
    OrderView,
    RefundAction,
    Totals,
)
from companion.marketplaces import Marketplace, Region, UnknownMarketplaceError, marketplace
from companion.vocabulary import COMPONENT_TYPES, DEFAULT_LANGUAGE, CancelReason

ZERO = Decimal(0)
InFlight = Mapping[tuple[str, str], Decimal]

# Fulfillment Outbound statuses -> the order statuses the view speaks.
MCF_STATUS: dict[str, OrderStatus] = {
    "NEW": "UNSHIPPED",
    "RECEIVED": "UNSHIPPED",
    "PLANNING": "UNSHIPPED",
    "PROCESSING": "UNSHIPPED",
    "COMPLETE": "SHIPPED",
    "COMPLETEPARTIALLED": "PARTIALLY_SHIPPED",
    "CANCELLED": "CANCELLED",
    "UNFULFILLABLE": "UNFULFILLABLE",
    "INVALID": "UNFULFILLABLE",
}


def resolve_marketplace(marketplace_id: str | None, currency: str | None) -> Marketplace:
    """The marketplace of an order; an unknown one still gets its currency and two decimals."""
    try:
        return marketplace(marketplace_id or "")
    except UnknownMarketplaceError:
        code = currency or "XXX"
        return Marketplace(
            marketplace_id or "",
            "",
            marketplace_id or "",
            Region.NA,
            code,
            0 if code == "JPY" else 2,
            DEFAULT_LANGUAGE,
        )


def marketplace_info(market: Marketplace) -> MarketplaceInfo:
    """The view's marketplace block."""
    return MarketplaceInfo(
        id=market.id,
        code=market.code,
        currency=market.currency,
        decimals=market.decimals,
        language=market.language,
    )


def _sort_key(kind: str) -> tuple[int, str]:
    # Components in the order agents expect to read them; unknown types follow alphabetically.
    known = COMPONENT_TYPES
    return (known.index(kind) if kind in known else len(known), kind)


def component_view(
    kind: str, charged: Decimal, refunded: Decimal, market: Marketplace, *, cancelled: bool
) -> ComponentView:
    """One component: what was charged, refunded (posted + in flight), and is left to refund."""
    return ComponentView(
        type=kind,
        charged=market.quantize(charged),
        refunded=market.quantize(refunded),
        refundable=ZERO if cancelled else market.quantize(max(charged - refunded, ZERO)),
    )


def item_view(
    item: AmazonOrderItem,
    finances: FinancialEvents | None,
    in_flight: InFlight,
    market: Marketplace,
) -> ItemView:
    """One item with charged / refunded (posted + in flight) / refundable per component."""
    # A line cancelled as a whole was never charged to the buyer: nothing of it is refundable.
    cancelled = item.quantity_ordered > 0 and item.quantity_cancelled >= item.quantity_ordered
    components = []
    for kind in sorted(item.charges, key=_sort_key):
        refunded = in_flight.get((item.order_item_id, kind), ZERO)
        if finances is not None:
            refunded += finances.refunded(item.order_item_id, kind)
        if item.charges[kind] or refunded:
            components.append(
                component_view(kind, item.charges[kind], refunded, market, cancelled=cancelled)
            )
    return ItemView(
        order_item_code=item.order_item_id,
        sku=item.sku,
        asin=item.asin,
        title=item.title,
        quantity_ordered=item.quantity_ordered,
        quantity_shipped=item.quantity_shipped,
        quantity_cancelled=item.quantity_cancelled,
        components=components,
    )


def totals(items: list[ItemView], market: Marketplace) -> Totals:
    """Sums over every component of every item."""
    comps = [c for i in items for c in i.components]
    return Totals(
        charged=market.quantize(sum((c.charged for c in comps), ZERO)),
        refunded=market.quantize(sum((c.refunded for c in comps), ZERO)),
        refundable=market.quantize(sum((c.refundable for c in comps), ZERO)),
    )


def buyer_request(order: AmazonOrder) -> BuyerCancellationRequest:
    """The first buyer cancellation request on any item, if there is one."""
    for item in order.items:
        if item.cancellation_request is not None:
            return BuyerCancellationRequest(
                requested=True,
                reason=item.cancellation_request.reason,
                requested_at=item.cancellation_request.requested_at,
            )
    return BuyerCancellationRequest(requested=False)


def actions_block(
    refund: Decision, cancel: Decision, *, default_reason: CancelReason | None, counts_against: bool
) -> Actions:
    """The view's actions block from the two decisions."""
    return Actions(
        refund=RefundAction(
            allowed=refund.allowed,
            reason=refund.reason,
            code=refund.code,
            params=dict(refund.params),
        ),
        cancel=CancelAction(
            allowed=cancel.allowed,
            reason=cancel.reason,
            code=cancel.code,
            params=dict(cancel.params),
            default_reason=default_reason,
            counts_against_cancel_rate=counts_against,
        ),
    )


def build_order_view(
    order: AmazonOrder,
    finances: FinancialEvents | None,
    in_flight: InFlight,
    *,
    account: str,
    fetched_at: datetime,
) -> OrderView:
    """The view of an Amazon order (FBM or FBA)."""
    market = resolve_marketplace(order.marketplace_id, order.currency)
    channel: Channel = "FBA" if order.fulfilled_by == FulfilledBy.AMAZON else "FBM"
    items = [item_view(i, finances, in_flight, market) for i in order.items]
    sums = totals(items, market)
    request = buyer_request(order)
    shipped = sum(i.quantity_shipped for i in order.items)
    return OrderView(
        order_id=order.order_id,
        account=account,
        marketplace=marketplace_info(market),
        status=order.status,
        channel=channel,
        purchase_date=order.created_time,
        latest_ship_date=order.latest_ship_date,
        buyer_cancellation_request=request,
        items=items,
        totals=sums,
        actions=actions_block(
            refund_decision(channel, order.status, sums.refundable),
            cancel_decision(channel, order.status, shipped),
            default_reason=default_cancel_reason(request.requested),
            counts_against=channel == "FBM" and not request.requested,
        ),
        fetched_at=fetched_at,
    )


def mcf_item(item: FulfillmentOrderItem, shipped: bool) -> ItemView:
    """One line of an MCF order: no components, since the buyer paid elsewhere."""
    sent = item.quantity - item.cancelled_quantity - item.unfulfillable_quantity
    return ItemView(
        order_item_code=item.item_id,
        sku=item.seller_sku,
        asin=None,
        title=None,
        quantity_ordered=item.quantity,
        quantity_shipped=sent if shipped else 0,
        quantity_cancelled=item.cancelled_quantity,
        components=[],
    )


def build_mcf_view(
    fulfillment: FulfillmentOrder, *, account: str, fetched_at: datetime
) -> OrderView:
    """The view of a Multi-Channel Fulfillment order (no Amazon payment: nothing to refund)."""
    market = resolve_marketplace(fulfillment.marketplace_id, None)
    status_key = fulfillment.status.upper()
    status = MCF_STATUS.get(status_key, "UNSHIPPED")
    shipped = status_key in ("COMPLETE", "COMPLETEPARTIALLED")
    items = [mcf_item(i, shipped) for i in fulfillment.items]
    return OrderView(
        order_id=fulfillment.seller_fulfillment_order_id,
        account=account,
        marketplace=marketplace_info(market),
        status=status,
        channel="MCF",
        purchase_date=fulfillment.displayable_order_date or fulfillment.received_date,
        latest_ship_date=None,
        buyer_cancellation_request=BuyerCancellationRequest(requested=False),
        items=items,
        totals=totals(items, market),
        actions=actions_block(
            refund_decision("MCF", status, ZERO),
            mcf_cancel_decision(fulfillment.status),
            default_reason=None,
            counts_against=False,
        ),
        fulfillment_order=FulfillmentOrderInfo(
            seller_fulfillment_order_id=fulfillment.seller_fulfillment_order_id,
            status=status_key,
        ),
        fetched_at=fetched_at,
    )


def needs_finances(order: AmazonOrder) -> bool:
    """Finances is read only when a refund could be possible (saves its usage plan)."""
    return order.fulfilled_by != FulfilledBy.AMAZON and order.status in (
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
        "SHIPPED",
    )
