"""The normalized order view served by GET /v1/orders/{orderId} (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PrivateAttr
from pydantic.alias_generators import to_camel

from companion.amazon.models import OrderStatus
from companion.amazon.money import OrderMoney
from companion.codes import ReasonCode
from companion.errors import Param
from companion.vocabulary import CancelReason, Language, TaxLabel

# Money travels as a plain string with the marketplace's decimals ("12.50", JPY "1200").
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:f}", return_type=str, when_used="json")]
Channel = Literal["FBM", "FBA", "MCF"]


class _View(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class MarketplaceInfo(_View):
    """Where the order was placed and how its money is written."""

    id: str
    code: str
    currency: str
    decimals: int
    language: Language


class ComponentView(_View):
    """One component of an item: what the buyer paid, what went back (or is on its way), left.

    Where prices include the tax (`OrderView.prices_include_tax`) the amounts include it, and
    `included_tax` says how much of `charged` is tax; there are no tax components then.
    """

    type: str
    charged: Money
    refunded: Money
    refundable: Money
    included_tax: Money | None = None


class ItemView(_View):
    """One order line."""

    order_item_code: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int
    quantity_cancelled: int
    components: list[ComponentView]

    def component(self, kind: str) -> ComponentView | None:
        """The component of this type, if the item has one."""
        return next((c for c in self.components if c.type == kind), None)


class Totals(_View):
    """Sums over every item and component."""

    charged: Money
    refunded: Money
    refundable: Money


class BuyerCancellationRequest(_View):
    """Whether the buyer pressed "Request cancellation" on Amazon."""

    requested: bool
    reason: str | None = None
    requested_at: datetime | None = None


class FullRefundAction(_View):
    """Whether "refund everything still refundable" is offered; when not, why."""

    allowed: bool
    reason: str | None = None
    code: ReasonCode | None = None
    params: dict[str, Param] = Field(default_factory=dict)


class RefundAction(_View):
    """Whether a refund can be sent now; when not, why (sentence, code and its params)."""

    allowed: bool
    reason: str | None
    code: ReasonCode | None = None
    params: dict[str, Param] = Field(default_factory=dict)
    full: FullRefundAction = FullRefundAction(allowed=False)


class CancelAction(_View):
    """Whether the order can be cancelled now, the reason to preselect, the cancel-rate flag."""

    allowed: bool
    reason: str | None
    code: ReasonCode | None = None
    params: dict[str, Param] = Field(default_factory=dict)
    default_reason: CancelReason | None
    counts_against_cancel_rate: bool


class Actions(_View):
    """What the agent can do with the order right now."""

    refund: RefundAction
    cancel: CancelAction


class FulfillmentOrderInfo(_View):
    """The Multi-Channel Fulfillment order behind an MCF view."""

    seller_fulfillment_order_id: str
    status: str


class OrderView(_View):
    """One order, normalized: what the extension shows and what the action engine checks."""

    order_id: str
    account: str
    marketplace: MarketplaceInfo
    # Prices include the tax (VAT, GST, consumption tax): the panel says "incl. VAT" etc. after
    # amounts; `tax_label` names the tax (sales_tax where it is added on top: US, CA).
    prices_include_tax: bool
    tax_label: TaxLabel
    seller_central_url: str | None = None
    status: OrderStatus
    channel: Channel
    purchase_date: datetime | None
    latest_ship_date: datetime | None
    buyer_cancellation_request: BuyerCancellationRequest
    items: list[ItemView]
    totals: Totals
    actions: Actions
    fulfillment_order: FulfillmentOrderInfo | None = None
    fetched_at: datetime
    cached: bool = False
    # The raw money the refund rules work on (not sent to the extension).
    _money: OrderMoney = PrivateAttr(default_factory=OrderMoney)

    @property
    def money(self) -> OrderMoney:
        """Paid and refunded per raw component of each line (companion.amazon.money)."""
        return self._money

    def with_money(self, money: OrderMoney) -> OrderView:
        """This view, carrying the money it was built from."""
        self._money = money
        return self

    def item(self, order_item_code: str) -> ItemView | None:
        """The item with this AmazonOrderItemCode, if the order has it."""
        return next((i for i in self.items if i.order_item_code == order_item_code), None)
