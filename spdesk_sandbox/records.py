"""The simulated Amazon's records: orders and their items, refunds, cancellations, MCF orders.

Plain data: the seed builds them, handlers read and change them inside a `SandboxState`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from spdesk_sandbox.marketplaces import Marketplace, marketplace

# Amazon's order ids (and the sellerFulfillmentOrderIds the seed gives MCF orders): 3-7-7 ASCII
# digits, always matched whole.
ORDER_ID = re.compile(r"[0-9]{3}-[0-9]{7}-[0-9]{7}")

# The refundable charge components of an order item, in the order Amazon lists them. Principal,
# Shipping and GiftWrap are tax-exclusive; the tax of each is its own component, so in every
# marketplace the buyer paid the sum of them (less promotions).
COMPONENT_TYPES: tuple[str, ...] = (
    "Principal",
    "Shipping",
    "Tax",
    "ShippingTax",
    "GiftWrap",
    "GiftWrapTax",
)
# Everything an item can be charged: also the cash-on-delivery fee (JP, IN, AE …) and its tax.
CHARGE_TYPES: tuple[str, ...] = (*COMPONENT_TYPES, "COD", "CODTax")
# The tax component of each tax-exclusive one.
TAX_OF: dict[str, str] = {
    "Principal": "Tax",
    "Shipping": "ShippingTax",
    "GiftWrap": "GiftWrapTax",
    "COD": "CODTax",
}
CASH_ON_DELIVERY = "CashOnDelivery"  # Orders v2026 paymentMethod


class Channel(StrEnum):
    """Who fulfils the order: the seller (FBM, Amazon's "MFN") or Amazon (FBA, "AFN")."""

    FBM = "FBM"
    FBA = "FBA"


class OrderStatus(StrEnum):
    """Order fulfilment status, with the values of Orders v2026-01-01 `FulfillmentStatus`."""

    PENDING = "PENDING"
    UNSHIPPED = "UNSHIPPED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


class FulfillmentOrderStatus(StrEnum):
    """Fulfillment Outbound 2020-07-01 `FulfillmentOrderStatus` values the sandbox uses."""

    NEW = "New"
    RECEIVED = "Received"
    PLANNING = "Planning"
    PROCESSING = "Processing"
    CANCELLED = "Cancelled"
    COMPLETE = "Complete"
    COMPLETE_PARTIALLED = "CompletePartialled"
    UNFULFILLABLE = "Unfulfillable"
    INVALID = "Invalid"


@dataclass(slots=True)
class BuyerCancelRequest:
    """The buyer pressed "Request cancellation" in Your Orders for this item."""

    reason: str
    requested_at: datetime


@dataclass(slots=True)
class ItemCancellation:
    """An executed cancellation of an item (by the seller, buyer or Amazon)."""

    cancelled_by: str  # MERCHANT | BUYER | AMAZON
    reason: str
    at: datetime


@dataclass(slots=True)
class OrderItem:
    """One line of an order; charged and refunded amounts are for the whole line, not per unit."""

    item_code: str  # 14-digit AmazonOrderItemCode
    sku: str
    asin: str
    title: str
    qty_ordered: int
    charged: dict[str, Decimal]  # list prices per component (before promotions)
    qty_shipped: int = 0
    qty_cancelled: int = 0
    refunded: dict[str, Decimal] = field(default_factory=dict)
    buyer_cancel_request: BuyerCancelRequest | None = None
    cancellation: ItemCancellation | None = None
    # Promotions per component, positive (a promotion of a tax-included price: net and tax parts).
    discounts: dict[str, Decimal] = field(default_factory=dict)
    # The tax rate of the sale, which Amazon applies again to a refund's tax-exclusive amounts in
    # marketplaces whose prices include the tax (None: no tax was charged).
    tax_rate: Decimal | None = None

    @property
    def qty_unshipped(self) -> int:
        """Units neither shipped nor cancelled."""
        return max(self.qty_ordered - self.qty_shipped - self.qty_cancelled, 0)

    @property
    def unit_price(self) -> Decimal:
        """The Principal charged per unit."""
        return self.charged.get("Principal", Decimal(0)) / max(self.qty_ordered, 1)

    def paid(self, component: str) -> Decimal:
        """What the buyer paid for one component: its charge less its promotions."""
        return self.charged.get(component, Decimal(0)) - self.discounts.get(component, Decimal(0))

    def refundable(self, component: str) -> Decimal:
        """What remains refundable of one component: paid minus everything refunded."""
        return self.paid(component) - self.refunded.get(component, Decimal(0))

    def paid_total(self) -> Decimal:
        """What the buyer paid for the line: every component, less promotions."""
        return sum((self.paid(c) for c in self.charged), Decimal(0))

    def refunded_total(self) -> Decimal:
        """Sum of every refunded component of the line (restocking fees count negative)."""
        return sum(self.refunded.values(), Decimal(0))


@dataclass(slots=True)
class Order:
    """An Amazon order as the Orders API serves it."""

    order_id: str  # 3-7-7
    marketplace_id: str
    channel: Channel
    status: OrderStatus
    purchase_date: datetime
    latest_ship_date: datetime
    last_updated: datetime
    items: list[OrderItem]
    earliest_ship_date: datetime | None = None
    ship_service_level: str = "STANDARD"
    label: str | None = None
    # How Orders v2026 writes the tax of a tax-included marketplace: "net" (ITEM without the
    # tax, TAX on top: the layout of Amazon's own example) or "gross" (ITEM with the tax inside,
    # as Orders v0 does). Which one real Amazon uses is not documented (docs/amazon.md).
    proceeds_layout: str = "net"
    payment_method: str = "CreditCard"

    @property
    def marketplace(self) -> Marketplace:
        """The marketplace the order was placed in."""
        return marketplace(self.marketplace_id)

    @property
    def currency(self) -> str:
        """The order's currency (the marketplace's)."""
        return self.marketplace.currency

    @property
    def cash_on_delivery(self) -> bool:
        """True when the buyer pays the carrier on delivery (not through Amazon)."""
        return self.payment_method == CASH_ON_DELIVERY

    def item(self, item_code: str) -> OrderItem | None:
        """The item with this 14-digit code, if the order has it."""
        return next((i for i in self.items if i.item_code == item_code), None)

    def refresh_status(self) -> OrderStatus:
        """Recompute the status from the items' shipped and cancelled quantities."""
        ordered = sum(i.qty_ordered for i in self.items)
        shipped = sum(i.qty_shipped for i in self.items)
        cancelled = sum(i.qty_cancelled for i in self.items)
        if self.status is OrderStatus.PENDING and not shipped and not cancelled:
            return self.status
        if cancelled >= ordered:
            self.status = OrderStatus.CANCELLED
        elif shipped == 0:
            self.status = OrderStatus.UNSHIPPED
        elif shipped + cancelled >= ordered:
            self.status = OrderStatus.SHIPPED
        else:
            self.status = OrderStatus.PARTIALLY_SHIPPED
        return self.status


@dataclass(slots=True)
class Adjustment:
    """One applied refund (an AdjustedItem of an Order Adjustment feed message, or seeded)."""

    adjustment_id: str
    order_id: str
    item_code: str
    currency: str
    components: dict[str, Decimal]  # Type -> amount; positive = back to the buyer
    reason: str
    applied_at: datetime
    posted_at: datetime  # when Finances shows it (applied_at + posting lag)
    feed_id: str | None = None
    message_id: int | None = None
    merchant_adjustment_item_id: str | None = None
    quantity_cancelled: int | None = None

    def total(self) -> Decimal:
        """Net amount of the adjustment."""
        return sum(self.components.values(), Decimal(0))


@dataclass(slots=True)
class Cancellation:
    """One applied cancellation of order items or of an MCF fulfillment order."""

    order_id: str  # Amazon order id, or sellerFulfillmentOrderId for MCF
    item_codes: list[str]
    reason: str
    at: datetime
    source: str  # "feed" | "fulfillment" | "seed"
    feed_id: str | None = None
    message_id: int | None = None
    counts_against_cancel_rate: bool = False  # buyer's request not honoured as BuyerCanceled


@dataclass(slots=True)
class FulfillmentOrderItem:
    """One item of an MCF fulfillment order."""

    seller_sku: str
    item_id: str  # sellerFulfillmentOrderItemId
    quantity: int
    title: str
    unit_price: Decimal
    qty_cancelled: int = 0


@dataclass(slots=True)
class FulfillmentOrder:
    """A Multi-Channel Fulfillment order (Fulfillment Outbound), keyed by the seller's id."""

    seller_fulfillment_order_id: str  # 3-7-7 form, as agents see it in tickets
    marketplace_id: str
    displayable_order_id: str
    displayable_order_date: datetime
    displayable_comment: str
    shipping_speed: str  # Standard | Expedited | Priority
    status: FulfillmentOrderStatus
    received_at: datetime
    status_updated_at: datetime
    destination: dict[str, str]
    items: list[FulfillmentOrderItem]
    label: str | None = None
