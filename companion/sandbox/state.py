"""The sandbox's live state: orders, items, applied adjustments and cancellations, MCF orders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aiohttp import web

from companion.marketplaces import Marketplace, marketplace
from companion.sandbox.clock import Clock
from companion.sandbox.defaults import SANDBOX_SELLER_ID
from companion.sandbox.faults import FaultSettings
from companion.sandbox.settings import SandboxSettings
from companion.sandbox.throttle import Throttle

if TYPE_CHECKING:
    from companion.sandbox.seed import Seed

# Charge components an order item can carry, in the order Amazon lists them.
COMPONENT_TYPES: tuple[str, ...] = (
    "Principal",
    "Shipping",
    "Tax",
    "ShippingTax",
    "GiftWrap",
    "GiftWrapTax",
)


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
    charged: dict[str, Decimal]
    qty_shipped: int = 0
    qty_cancelled: int = 0
    refunded: dict[str, Decimal] = field(default_factory=dict)
    buyer_cancel_request: BuyerCancelRequest | None = None
    cancellation: ItemCancellation | None = None

    @property
    def qty_unshipped(self) -> int:
        """Units neither shipped nor cancelled."""
        return max(self.qty_ordered - self.qty_shipped - self.qty_cancelled, 0)

    @property
    def unit_price(self) -> Decimal:
        """The Principal charged per unit."""
        return self.charged.get("Principal", Decimal(0)) / max(self.qty_ordered, 1)

    def refundable(self, component: str) -> Decimal:
        """What remains refundable of one component: charged minus everything refunded."""
        return self.charged.get(component, Decimal(0)) - self.refunded.get(component, Decimal(0))

    def charged_total(self) -> Decimal:
        """Sum of every charged component of the line."""
        return sum(self.charged.values(), Decimal(0))

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

    @property
    def marketplace(self) -> Marketplace:
        """The marketplace the order was placed in."""
        return marketplace(self.marketplace_id)

    @property
    def currency(self) -> str:
        """The order's currency (the marketplace's)."""
        return self.marketplace.currency

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


@dataclass
class SandboxState:
    """Everything the simulator knows; handlers mutate it under `lock` when they move money."""

    settings: SandboxSettings
    clock: Clock
    seed: Seed
    seller_id: str = SANDBOX_SELLER_ID
    orders: dict[str, Order] = field(default_factory=dict)
    fulfillment_orders: dict[str, FulfillmentOrder] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    cancellations: list[Cancellation] = field(default_factory=list)
    faults: FaultSettings = field(default_factory=FaultSettings)
    throttle: Throttle = field(default_factory=Throttle)
    access_tokens: dict[str, datetime] = field(default_factory=dict)  # token -> expiry
    # Free for the Feeds/Finances/Fulfillment parts: feed records and feed documents by id.
    feeds: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    version: int = 0  # bumped on every change that persistence should save

    @classmethod
    def create(cls, settings: SandboxSettings, seed: Seed | None = None) -> SandboxState:
        """A fresh state at the seed, with a clock running at `settings.speed`."""
        from companion.sandbox.seed import load_seed

        clock = Clock(settings.speed, settings.start_time)
        if seed is None:
            seed = load_seed(settings.seed_path, settings.bulk_orders, clock.start)
        state = cls(settings=settings, clock=clock, seed=seed, seller_id=settings.seller_id)
        state.throttle = Throttle(rate_scale=settings.rate_scale)
        state.reset()
        return state

    def reset(self) -> None:
        """Back to the seed; feeds and faults cleared, issued access tokens stay valid."""
        self.orders = {o.order_id: o for o in self.seed.fresh_orders()}
        self.fulfillment_orders = {
            f.seller_fulfillment_order_id: f for f in self.seed.fresh_fulfillment_orders()
        }
        self.adjustments = self.seed.fresh_adjustments()
        self.cancellations = self.seed.fresh_cancellations()
        self.feeds.clear()
        self.documents.clear()
        self.extra.clear()
        self.faults.clear()
        self.throttle.reset()
        self.touch()

    def touch(self) -> None:
        """Mark the state changed (persistence saves it)."""
        self.version += 1

    def now(self) -> datetime:
        """The sandbox's virtual time."""
        return self.clock.now()

    def order(self, order_id: str) -> Order | None:
        """An order by its 3-7-7 id."""
        return self.orders.get(order_id)

    def posted_adjustments(self, order_id: str) -> list[Adjustment]:
        """Adjustments of an order that Finances already shows (their posting lag has passed)."""
        now = self.now()
        return [a for a in self.adjustments if a.order_id == order_id and a.posted_at <= now]


STATE = web.AppKey("sandbox_state", SandboxState)
