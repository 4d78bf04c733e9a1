"""Typed results of the SP-API gateway; handlers never see python-amazon-sp-api's raw dicts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Orders v2026-01-01 fulfillment statuses (PENDING_AVAILABILITY, pre-orders, reads as PENDING).
OrderStatus = Literal[
    "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED", "UNFULFILLABLE"
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class FulfilledBy(StrEnum):
    """Who fulfils an order (Orders v2026-01-01 `fulfilledBy`)."""

    MERCHANT = "MERCHANT"
    AMAZON = "AMAZON"


class CancellationRequest(_Model):
    """The buyer's "Request cancellation" on an item (Orders `cancellationRequest`)."""

    requester: str
    reason: str | None = None
    requested_at: datetime | None = None


class ItemProceeds(_Model):
    """One item's Orders v2026 `proceeds`, amounts as Amazon wrote them (signs kept).

    Whether the TAX breakdown is inside ITEM, SHIPPING … or on top of them, and the sign of
    DISCOUNT, are not documented; `companion.amazon.money` decides from the arithmetic.
    """

    total: Decimal | None = None  # proceedsTotal
    charges: dict[str, Decimal] = Field(default_factory=dict)  # ITEM, SHIPPING, … subtotals
    taxes: dict[str, Decimal] = Field(default_factory=dict)  # TAX details by subtype
    discounts: dict[str, Decimal] = Field(default_factory=dict)  # DISCOUNT details by subtype


class AmazonOrderItem(_Model):
    """One order line with its proceeds (line amounts, not per unit)."""

    order_item_id: str
    sku: str | None = None
    asin: str | None = None
    title: str | None = None
    quantity_ordered: int
    quantity_shipped: int = 0
    quantity_unshipped: int | None = None
    cancelled_by: str | None = None
    proceeds: ItemProceeds | None = None
    cancellation_request: CancellationRequest | None = None

    @property
    def quantity_cancelled(self) -> int:
        """Units neither shipped nor still waiting to ship."""
        if self.quantity_unshipped is None:
            return self.quantity_ordered - self.quantity_shipped if self.cancelled_by else 0
        return max(self.quantity_ordered - self.quantity_shipped - self.quantity_unshipped, 0)


class AmazonOrder(_Model):
    """An order as Orders v2026-01-01 `getOrder` describes it."""

    order_id: str
    marketplace_id: str | None
    status: OrderStatus
    fulfilled_by: FulfilledBy
    created_time: datetime
    last_updated_time: datetime | None = None
    latest_ship_date: datetime | None = None
    currency: str | None = None
    items: list[AmazonOrderItem]
    grand_total: Decimal | None = None  # proceeds.grandTotal
    order_level: Decimal = Decimal(0)  # charges not attributed to an item (DELIVERY_TIP)
    payment_methods: tuple[str, ...] = ()  # CashOnDelivery, CreditCard, …


class FulfillmentOrderItem(_Model):
    """One line of a Multi-Channel Fulfillment order."""

    seller_sku: str
    item_id: str
    quantity: int
    cancelled_quantity: int = 0
    unfulfillable_quantity: int = 0
    per_unit_price: Decimal | None = None


class FulfillmentOrder(_Model):
    """A Multi-Channel Fulfillment order (Fulfillment Outbound 2020-07-01)."""

    seller_fulfillment_order_id: str
    marketplace_id: str
    displayable_order_id: str | None = None
    displayable_order_date: datetime | None = None
    status: str  # New, Received, Planning, Processing, Cancelled, Complete, …
    received_date: datetime | None = None
    status_updated_date: datetime | None = None
    items: list[FulfillmentOrderItem] = Field(default_factory=list)


class RefundedItem(_Model):
    """Posted refunds of one order item, per charge type, as positive amounts."""

    order_item_id: str
    refunded: dict[str, Decimal]


class RefundPosting(_Model):
    """One item of one refund event in Finances: when it was posted and how much per component."""

    order_item_id: str
    posted_at: datetime | None = None
    amounts: dict[str, Decimal] = Field(default_factory=dict)  # positive, by component


class FinancialEvents(_Model):
    """What Finances v0 shows for one order: posted charges and refunds per item and component."""

    order_id: str
    charges: dict[str, dict[str, Decimal]] = Field(default_factory=dict)
    refunds: dict[str, dict[str, Decimal]] = Field(default_factory=dict)
    currency: str | None = None
    # The same refunds one by one, for telling which refund an `unknown` action was.
    refund_postings: list[RefundPosting] = Field(default_factory=list)

    def refunded(self, order_item_id: str, component: str) -> Decimal:
        """The posted refund of one component of one item (positive, 0 when none)."""
        return self.refunds.get(order_item_id, {}).get(component, Decimal(0))


class Feed(_Model):
    """A feed as Feeds 2021-06-30 `getFeed` describes it."""

    feed_id: str
    feed_type: str
    processing_status: str  # IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL
    created_time: datetime
    processing_end_time: datetime | None = None
    result_feed_document_id: str | None = None
    marketplace_ids: list[str] = Field(default_factory=list)
