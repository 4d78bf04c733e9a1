"""Pure construction of an OrderView from what Orders, Finances and Fulfillment Outbound said."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from companion.amazon.lines import InFlight, item_view, line_money
from companion.amazon.models import (
    AmazonOrder,
    FinancialEvents,
    FulfilledBy,
    FulfillmentOrder,
    FulfillmentOrderItem,
    OrderStatus,
)
from companion.amazon.money import OrderMoney, order_mismatch, read_line
from companion.amazon.refundable import too_small_for_full
from companion.amazon.rules import (
    Decision,
    cancel_decision,
    default_cancel_reason,
    full_refund_decision,
    mcf_cancel_decision,
    refund_decision,
)
from companion.amazon.view import (
    Actions,
    BuyerCancellationRequest,
    CancelAction,
    Channel,
    FulfillmentOrderInfo,
    FullRefundAction,
    ItemView,
    MarketplaceInfo,
    OrderView,
    RefundAction,
    Totals,
)
from companion.marketplaces import Marketplace, Region, UnknownMarketplaceError, marketplace
from companion.vocabulary import DEFAULT_LANGUAGE, CancelReason

ZERO = Decimal(0)
# Orders v2026 paymentMethod of an order the buyer pays to the carrier.
CASH_ON_DELIVERY = "CashOnDelivery"

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


def totals(items: list[ItemView], market: Marketplace, left: Decimal | None = None) -> Totals:
    """Sums over every component of every item; refundable within what is left of the order."""
    comps = [c for i in items for c in i.components]
    refundable = sum((c.refundable for c in comps), ZERO)
    return Totals(
        charged=market.quantize(sum((c.charged for c in comps), ZERO)),
        refunded=market.quantize(sum((c.refunded for c in comps), ZERO)),
        refundable=market.quantize(refundable if left is None else min(refundable, left)),
    )


def order_money(
    order: AmazonOrder, finances: FinancialEvents | None, in_flight: InFlight, market: Marketplace
) -> OrderMoney:
    """Every line read from Amazon's proceeds, checked against its totals, with its refunds."""
    read = {i.order_item_id: read_line(i.proceeds, market.prices_include_tax) for i in order.items}
    lines = {
        i.order_item_id: line_money(i, read[i.order_item_id], finances, in_flight)
        for i in order.items
    }
    cap = None
    if order.grand_total is not None:
        refunded = sum((sum(line.refunded.values(), ZERO) for line in lines.values()), ZERO)
        cap = max(order.grand_total - order.order_level - refunded, ZERO)
    return OrderMoney(lines, market.prices_include_tax, order_mismatch(order, read), cap)


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
    refund: Decision,
    cancel: Decision,
    *,
    default_reason: CancelReason | None,
    counts_against: bool,
    full: Decision | None = None,
) -> Actions:
    """The view's actions block from the decisions (a full refund: as the refund, if not said)."""
    full = full or refund
    return Actions(
        refund=RefundAction(
            allowed=refund.allowed,
            reason=refund.reason,
            code=refund.code,
            params=dict(refund.params),
            full=FullRefundAction(
                allowed=full.allowed, reason=full.reason, code=full.code, params=dict(full.params)
            ),
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
    money = order_money(order, finances, in_flight, market)
    items = [item_view(i, money.lines[i.order_item_id], market) for i in order.items]
    sums = totals(items, market, money.total_left)
    request = buyer_request(order)
    shipped = sum(i.quantity_shipped for i in order.items)
    cod = CASH_ON_DELIVERY in order.payment_methods or _has_cod_fee(money)
    refund = refund_decision(channel, order.status, sums.refundable, cash_on_delivery=cod)
    view = OrderView(
        order_id=order.order_id,
        account=account,
        marketplace=marketplace_info(market),
        prices_include_tax=market.prices_include_tax,
        tax_label=market.tax_label,
        seller_central_url=market.order_url(order.order_id),
        status=order.status,
        channel=channel,
        purchase_date=order.created_time,
        latest_ship_date=order.latest_ship_date,
        buyer_cancellation_request=request,
        items=items,
        totals=sums,
        actions=actions_block(
            refund,
            cancel_decision(channel, order.status, shipped),
            default_reason=default_cancel_reason(request.requested),
            counts_against=channel == "FBM" and not request.requested,
            full=full_refund_decision(
                refund, money.mismatch, market, too_small_for_full(money, market)
            ),
        ),
        fetched_at=fetched_at,
    )
    return view.with_money(money)


def _has_cod_fee(money: OrderMoney) -> bool:
    return any(line.paid.get("COD") for line in money.lines.values())


def mcf_item(item: FulfillmentOrderItem, shipped: bool, title: str | None = None) -> ItemView:
    """One line of an MCF order: no components, since the buyer paid elsewhere."""
    sent = item.quantity - item.cancelled_quantity - item.unfulfillable_quantity
    return ItemView(
        order_item_code=item.item_id,
        sku=item.seller_sku,
        asin=None,
        title=title,
        quantity_ordered=item.quantity,
        quantity_shipped=sent if shipped else 0,
        quantity_cancelled=item.cancelled_quantity,
        components=[],
    )


def build_mcf_view(
    fulfillment: FulfillmentOrder,
    *,
    account: str,
    fetched_at: datetime,
    titles: Mapping[str, str] | None = None,
) -> OrderView:
    """The view of a Multi-Channel Fulfillment order (no Amazon payment: nothing to refund).

    `titles` (seller SKU -> product title) names the lines Fulfillment Outbound knows only by SKU.
    """
    market = resolve_marketplace(fulfillment.marketplace_id, None)
    status_key = fulfillment.status.upper()
    status = MCF_STATUS.get(status_key, "UNSHIPPED")
    shipped = status_key in ("COMPLETE", "COMPLETEPARTIALLED")
    names = titles or {}
    items = [mcf_item(i, shipped, names.get(i.seller_sku)) for i in fulfillment.items]
    return OrderView(
        order_id=fulfillment.seller_fulfillment_order_id,
        account=account,
        marketplace=marketplace_info(market),
        prices_include_tax=market.prices_include_tax,
        tax_label=market.tax_label,
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
