"""Seed data: deterministic orders and MCF orders, loaded from JSON (built-in or a file)."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from spdesk_sandbox.records import (
    Adjustment,
    BuyerCancelRequest,
    Cancellation,
    Channel,
    FulfillmentOrder,
    FulfillmentOrderItem,
    ItemCancellation,
    Order,
    OrderItem,
    OrderStatus,
)
from spdesk_sandbox.seedfile import (
    SeedCancelled,
    SeedError,
    SeedFile,
    SeedFulfillmentOrder,
    SeedItem,
    SeedOrder,
    read_seed_file,
)

BUILTIN_SEED = Path(__file__).with_name("seed.json")
_DESTINATION = {
    "name": "Jordan Sample",
    "addressLine1": "1200 Harbor Way",
    "city": "Seattle",
    "stateOrRegion": "WA",
    "postalCode": "98101",
    "countryCode": "US",
}
# Products the bulk generator draws from: (sku, asin, title, unit price).
_BULK_PRODUCTS = [
    ("BLK-MUG-12OZ", "B07HX1M2QP", "Ceramic Coffee Mug 12 oz, Speckled White", "14.99"),
    ("BLK-SOCKS-6PK", "B08R4T6LZK", "Merino Wool Hiking Socks, 6 Pairs", "32.50"),
    ("BLK-CABLE-USB-C", "B09QW7Y3RN", "Braided USB-C Cable 6 ft, 2-Pack", "11.99"),
    ("BLK-NOTE-A5-DOT", "B07KZ8D3VF", "A5 Dotted Notebook, Hardcover, 160 Pages", "9.95"),
    ("BLK-LED-STRIP-5M", "B0B1N9X6TC", "LED Strip Lights 16.4 ft with Remote", "19.49"),
]


def _hours_before(start: datetime, hours: float) -> datetime:
    return (start - timedelta(hours=hours)).replace(microsecond=0)


def _build_item(seed: SeedItem, order: SeedOrder, start: datetime) -> OrderItem:
    item = OrderItem(
        item_code=seed.itemCode,
        sku=seed.sku,
        asin=seed.asin,
        title=seed.title,
        qty_ordered=seed.quantity,
        qty_shipped=seed.shipped,
        charged=dict(seed.charged),
        discounts=dict(seed.discounts),
        tax_rate=seed.taxRate,
    )
    if seed.buyerCancelRequest:
        when = _hours_before(start, seed.buyerCancelRequest.hoursAgo)
        item.buyer_cancel_request = BuyerCancelRequest(seed.buyerCancelRequest.reason, when)
    if seed.cancelled or order.status is OrderStatus.CANCELLED:
        info = seed.cancelled or SeedCancelled(reason="NoInventory")
        item.qty_cancelled = seed.quantity - seed.shipped
        item.cancellation = ItemCancellation(
            info.by, info.reason, _hours_before(start, info.hoursAgo)
        )
    return item


def _build_order(seed: SeedOrder, start: datetime) -> Order:
    purchased = _hours_before(start, seed.purchasedHoursAgo)
    items = [_build_item(i, seed, start) for i in seed.items]
    order = Order(
        order_id=seed.orderId,
        marketplace_id=seed.marketplace,
        channel=seed.channel,
        status=seed.status,
        purchase_date=purchased,
        latest_ship_date=purchased + timedelta(hours=seed.latestShipHoursAfterPurchase),
        earliest_ship_date=purchased + timedelta(hours=2),
        last_updated=purchased,
        items=items,
        ship_service_level=seed.shipServiceLevel,
        label=seed.label,
        proceeds_layout=seed.proceedsLayout,
        payment_method=seed.paymentMethod,
    )
    if order.refresh_status() is not seed.status:
        raise ValueError(
            f"status {seed.status} does not match the item quantities (they say {order.status})"
        )
    return order


def _build_refunds(seed: SeedOrder, order: Order, start: datetime) -> list[Adjustment]:
    adjustments = []
    for seed_item in seed.items:
        item = order.item(seed_item.itemCode)
        assert item is not None
        for n, refund in enumerate(seed_item.refunds, 1):
            for component, amount in refund.components.items():
                item.refunded[component] = item.refunded.get(component, Decimal(0)) + amount
                if component in item.charged and item.refundable(component) < 0:
                    raise ValueError(f"item {item.item_code}: {component} refunded beyond charge")
            when = _hours_before(start, refund.hoursAgo)
            adjustments.append(
                Adjustment(
                    adjustment_id=f"seed-{item.item_code}-{n}",
                    order_id=order.order_id,
                    item_code=item.item_code,
                    currency=order.currency,
                    components=dict(refund.components),
                    reason=refund.reason,
                    applied_at=when,
                    posted_at=when,
                    merchant_adjustment_item_id=refund.merchantAdjustmentItemId,
                )
            )
    return adjustments


def _build_fulfillment_order(seed: SeedFulfillmentOrder, start: datetime) -> FulfillmentOrder:
    received = _hours_before(start, seed.receivedHoursAgo)
    return FulfillmentOrder(
        seller_fulfillment_order_id=seed.sellerFulfillmentOrderId,
        marketplace_id=seed.marketplace,
        displayable_order_id=seed.sellerFulfillmentOrderId,
        displayable_order_date=received,
        displayable_comment=seed.comment,
        shipping_speed=seed.shippingSpeed,
        status=seed.status,
        received_at=received,
        status_updated_at=received + timedelta(minutes=20),
        destination=dict(_DESTINATION),
        items=[
            FulfillmentOrderItem(i.sku, i.itemId, i.quantity, i.title, i.unitPrice)
            for i in seed.items
        ],
        label=seed.label,
    )


def bulk_seed_orders(count: int) -> list[SeedOrder]:
    """`count` deterministic US FBM orders labelled bulk-0001…, alternating unshipped/shipped."""
    orders = []
    for n in range(1, count + 1):
        rng = random.Random(f"spdesk-bulk-{n}")  # str seeds are stable across runs
        sku, asin, title, price = rng.choice(_BULK_PRODUCTS)
        qty = rng.randint(1, 3)
        principal = Decimal(price) * qty
        shipping = Decimal("4.99") if rng.random() < 0.5 else Decimal("0.00")
        shipped = qty if n % 2 == 0 else 0
        orders.append(
            SeedOrder(
                label=f"bulk-{n:04d}",
                orderId=f"{111 + n % 4}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}",
                marketplace="US",
                channel=Channel.FBM,
                status=OrderStatus.SHIPPED if shipped else OrderStatus.UNSHIPPED,
                purchasedHoursAgo=1 + n % 200,
                items=[
                    SeedItem(
                        itemCode=f"{rng.randrange(10**13, 10**14)}",
                        sku=sku,
                        asin=asin,
                        title=title,
                        quantity=qty,
                        shipped=shipped,
                        charged={
                            "Principal": principal,
                            "Shipping": shipping,
                            "Tax": (principal * Decimal("0.0825")).quantize(Decimal("0.01")),
                            "ShippingTax": (shipping * Decimal("0.0825")).quantize(Decimal("0.01")),
                        },
                    )
                ],
            )
        )
    return orders


class Seed:
    """The pristine seeded world; `fresh_*` hand out independent copies for a (re)set state."""

    def __init__(self, source: SeedFile, start: datetime, origin: str = "seed") -> None:
        self.origin = origin
        self.labels: dict[str, str] = {}
        self._orders: list[Order] = []
        self._adjustments: list[Adjustment] = []
        self._cancellations: list[Cancellation] = []
        self._fulfillment_orders: list[FulfillmentOrder] = []
        for n, seed_order in enumerate(source.orders):
            where = f"orders[{n}] ({seed_order.label})"
            try:
                order = _build_order(seed_order, start)
                self._adjustments += _build_refunds(seed_order, order, start)
            except ValueError as exc:
                raise SeedError(f"{origin}: {where}: {exc}") from None
            self._add_label(seed_order.label, order.order_id, where)
            self._orders.append(order)
            self._cancellations += self._seed_cancellations(order)
        for n, seed_fo in enumerate(source.fulfillmentOrders):
            fulfillment_order = _build_fulfillment_order(seed_fo, start)
            oid = fulfillment_order.seller_fulfillment_order_id
            self._add_label(seed_fo.label, oid, f"fulfillmentOrders[{n}] ({seed_fo.label})")
            self._fulfillment_orders.append(fulfillment_order)

    def _add_label(self, label: str, order_id: str, where: str) -> None:
        if label in self.labels:
            raise SeedError(f"{self.origin}: {where}: label {label!r} is used twice")
        if order_id in self.labels.values():
            raise SeedError(f"{self.origin}: {where}: order id {order_id} is used twice")
        self.labels[label] = order_id

    @staticmethod
    def _seed_cancellations(order: Order) -> list[Cancellation]:
        cancelled = [i for i in order.items if i.cancellation is not None]
        if not cancelled:
            return []
        first = cancelled[0].cancellation
        assert first is not None
        return [
            Cancellation(
                order.order_id,
                [i.item_code for i in cancelled],
                first.reason,
                first.at,
                source="seed",
            )
        ]

    def order_id(self, label: str) -> str:
        """The order id (or sellerFulfillmentOrderId) seeded under a label."""
        try:
            return self.labels[label]
        except KeyError:
            raise KeyError(f"no seeded order is labelled {label!r}") from None

    def fresh_orders(self) -> list[Order]:
        """Independent copies of the seeded orders."""
        return copy.deepcopy(self._orders)

    def fresh_fulfillment_orders(self) -> list[FulfillmentOrder]:
        """Independent copies of the seeded MCF fulfillment orders."""
        return copy.deepcopy(self._fulfillment_orders)

    def fresh_adjustments(self) -> list[Adjustment]:
        """Independent copies of the refunds the seed says were applied earlier."""
        return copy.deepcopy(self._adjustments)

    def fresh_cancellations(self) -> list[Cancellation]:
        """Independent copies of the seeded cancellations."""
        return copy.deepcopy(self._cancellations)


def load_seed(path: Path | None, bulk_orders: int, start: datetime) -> Seed:
    """The built-in seed, or a seed file (with "includeBuiltin": true it extends the built-in)."""
    source = read_seed_file(BUILTIN_SEED)
    origin = str(BUILTIN_SEED)
    if path is not None:
        custom = read_seed_file(Path(path))
        origin = str(path)
        if custom.includeBuiltin:
            source = SeedFile(
                orders=[*source.orders, *custom.orders],
                fulfillmentOrders=[*source.fulfillmentOrders, *custom.fulfillmentOrders],
            )
        else:
            source = custom
    if bulk_orders:
        source = SeedFile(
            orders=[*source.orders, *bulk_seed_orders(bulk_orders)],
            fulfillmentOrders=source.fulfillmentOrders,
        )
    return Seed(source, start, origin)


__all__ = ["BUILTIN_SEED", "Seed", "SeedError", "bulk_seed_orders", "load_seed"]
