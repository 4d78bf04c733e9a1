"""The seed file format: pydantic models that refuse anything a sandbox could not load."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from spdesk_sandbox.marketplaces import UnknownMarketplaceError, marketplace
from spdesk_sandbox.records import (
    CHARGE_TYPES,
    ORDER_ID,
    TAX_OF,
    Channel,
    FulfillmentOrderStatus,
    OrderStatus,
)

# Patterns pydantic checks (its regex engine: `$` is the end of the text, nothing after it).
ITEM_CODE = r"^[0-9]{14}$"
ASIN = r"^[A-Z0-9]{10}$"


class SeedError(ValueError):
    """A seed file the sandbox cannot load; the message names the file and the problem."""


def _marketplace_id(value: str) -> str:
    try:
        return marketplace(value).id
    except UnknownMarketplaceError:
        raise ValueError(f"unknown marketplace {value!r}") from None


def _order_id(value: str) -> str:
    if not ORDER_ID.fullmatch(value):
        raise ValueError("must be an Amazon order id like 123-1234567-1234567")
    return value


OrderId = Annotated[str, AfterValidator(_order_id)]


# A marketplace code ("US") or id, stored as the id.
MarketplaceId = Annotated[str, AfterValidator(_marketplace_id)]


class _Model(BaseModel):
    """Strict: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedRefund(_Model):
    """A refund applied before the sandbox started (shows in Finances)."""

    components: dict[str, Decimal]
    reason: str = "GeneralAdjustment"
    hoursAgo: float = Field(ge=0)
    merchantAdjustmentItemId: str | None = None


class SeedCancelRequest(_Model):
    """The buyer asked to cancel this item."""

    reason: str
    hoursAgo: float = Field(default=1, ge=0)


class SeedCancelled(_Model):
    """The item was cancelled before the sandbox started."""

    by: str = "MERCHANT"
    reason: str
    hoursAgo: float = Field(default=1, ge=0)


def _known_components(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    unknown = set(amounts) - set(CHARGE_TYPES)
    if unknown:
        raise ValueError(f"unknown charge components {sorted(unknown)}")
    if any(v < 0 for v in amounts.values()):
        raise ValueError("amounts cannot be negative")
    return amounts


class SeedItem(_Model):
    """One order line; amounts are for the whole line, tax-exclusive, each tax its own component.

    `discounts` are promotions per component (positive); `taxRate` is the rate of the sale in a
    marketplace whose prices include the tax (Amazon adds it again to a refund).
    """

    itemCode: Annotated[str, Field(pattern=ITEM_CODE)]
    sku: str = Field(min_length=1)
    asin: Annotated[str, Field(pattern=ASIN)]
    title: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    shipped: int = Field(default=0, ge=0)
    charged: dict[str, Decimal]
    discounts: dict[str, Decimal] = {}
    taxRate: Decimal | None = Field(default=None, gt=0, lt=1)
    refunds: list[SeedRefund] = []
    buyerCancelRequest: SeedCancelRequest | None = None
    cancelled: SeedCancelled | None = None

    @field_validator("charged")
    @classmethod
    def _components(cls, charged: dict[str, Decimal]) -> dict[str, Decimal]:
        if "Principal" not in _known_components(charged):
            raise ValueError("every item needs a Principal charge")
        return charged

    @field_validator("discounts")
    @classmethod
    def _discounts(cls, discounts: dict[str, Decimal]) -> dict[str, Decimal]:
        return _known_components(discounts)

    @model_validator(mode="after")
    def _quantities(self) -> SeedItem:
        if self.shipped > self.quantity:
            raise ValueError(f"shipped {self.shipped} is more than quantity {self.quantity}")
        for component, amount in self.discounts.items():
            if amount > self.charged.get(component, Decimal(0)):
                raise ValueError(f"the {component} discount is more than its charge")
        return self


class SeedOrder(_Model):
    """One Amazon order; dates are hours before the sandbox start."""

    label: str = Field(min_length=1)
    orderId: OrderId
    marketplace: MarketplaceId
    channel: Channel
    status: OrderStatus
    purchasedHoursAgo: float = Field(ge=0)
    latestShipHoursAfterPurchase: float = Field(default=72, gt=0)
    shipServiceLevel: str = "STANDARD"
    proceedsLayout: Literal["net", "gross"] = "net"
    paymentMethod: str = "CreditCard"
    items: list[SeedItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _amounts(self) -> SeedOrder:
        market = marketplace(self.marketplace)
        for item in self.items:
            amounts = [*item.charged.values(), *item.discounts.values()]
            amounts += [v for r in item.refunds for v in r.components.values()]
            for amount in amounts:
                if not market.has_valid_scale(amount):
                    raise ValueError(
                        f"item {item.itemCode}: amount {amount} has more decimals than "
                        f"{market.currency} allows ({market.decimals})"
                    )
            if market.tax_included:
                _check_tax(item, market.quantum)
        return self


def _check_tax(item: SeedItem, quantum: Decimal) -> None:
    """In a tax-included marketplace each tax is the rate applied to its tax-exclusive charge."""
    taxed = {k: t for k, t in TAX_OF.items() if item.charged.get(t)}
    if taxed and item.taxRate is None:
        raise ValueError(f"item {item.itemCode}: a taxed item needs its taxRate")
    for charge, tax in taxed.items():
        expected = item.charged.get(charge, Decimal(0)) * (item.taxRate or Decimal(0))
        if abs(expected - item.charged[tax]) > quantum:
            raise ValueError(
                f"item {item.itemCode}: {tax} {item.charged[tax]} is not {item.taxRate} of "
                f"{charge} (amounts are tax-exclusive, each tax its own component)"
            )


class SeedFulfillmentItem(_Model):
    """One item of an MCF fulfillment order."""

    sku: str = Field(min_length=1)
    itemId: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    title: str
    unitPrice: Decimal = Field(ge=0)


class SeedFulfillmentOrder(_Model):
    """One MCF fulfillment order, keyed by its 3-7-7 sellerFulfillmentOrderId."""

    label: str = Field(min_length=1)
    sellerFulfillmentOrderId: OrderId
    marketplace: MarketplaceId
    status: FulfillmentOrderStatus
    receivedHoursAgo: float = Field(ge=0)
    shippingSpeed: str = "Standard"
    comment: str = "Thank you for your order!"
    items: list[SeedFulfillmentItem] = Field(min_length=1)


class SeedFile(_Model):
    """A whole seed file."""

    version: int = 1
    includeBuiltin: bool = False
    orders: list[SeedOrder] = []
    fulfillmentOrders: list[SeedFulfillmentOrder] = []


def read_seed_file(path: Path) -> SeedFile:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeedError(f"seed file {path} is not valid JSON: {exc}") from None
    try:
        return SeedFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise SeedError(f"seed file {path}: {where}: {first['msg']}{more}") from None
