"""The words spdesk and Amazon share, each list written down once: order ids, reasons, components.

Every module that needs one of these imports it from here. The extension keeps its own copy of
the lists (it runs in the browser); its tests read them from this file, so keep each one a plain
literal of quoted strings.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, WithJsonSchema

from companion.errors import InvalidOrderId

# An Amazon order id (also a Multi-Channel order's sellerFulfillmentOrderId as agents see it):
# 3-7-7 ASCII digits. Always matched whole (fullmatch), so no trailing newline or other script's
# digits slip through.
ORDER_ID_PATTERN = r"[0-9]{3}-[0-9]{7}-[0-9]{7}"
ORDER_ID = re.compile(ORDER_ID_PATTERN)


def is_order_id(text: str) -> bool:
    """True when the whole text is an Amazon order id."""
    return ORDER_ID.fullmatch(text) is not None


def check_order_id(text: str) -> str:
    """The text itself when it is an Amazon order id, else InvalidOrderId (400)."""
    if not is_order_id(text):
        raise InvalidOrderId(details={"orderId": text[:40]})
    return text


def _order_id_field(text: str) -> str:
    if not is_order_id(text):
        raise ValueError("must be an Amazon order id like 123-1234567-1234567")
    return text


# The JSON schema of an order id, in a body or a path.
ORDER_ID_SCHEMA = {"type": "string", "pattern": f"^{ORDER_ID_PATTERN}$"}
# An order id in a request body: refused like any other invalid field (400 invalid_request).
OrderId = Annotated[str, AfterValidator(_order_id_field), WithJsonSchema(ORDER_ID_SCHEMA)]

# Order Adjustment feed `AdjustmentReason` values (Amazon's XSD), the reasons a refund can carry.
RefundReason = Literal[
    "NoInventory",
    "CustomerReturn",
    "GeneralAdjustment",
    "CouldNotShip",
    "DifferentItem",
    "Abandoned",
    "CustomerCancel",
    "PriceError",
    "ProductOutofStock",
    "CustomerAddressIncorrect",
    "Exchange",
    "Other",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "TransactionRecord",
    "Undeliverable",
    "RefusedDelivery",
]
REFUND_REASONS: tuple[RefundReason, ...] = get_args(RefundReason)
# The one reason that allows keeping a restocking fee.
CUSTOMER_RETURN: RefundReason = "CustomerReturn"

# The Order Acknowledgement feed `CancelReason` values a seller's cancellation of an unshipped
# order may carry: a subset of the schema's list (docs/amazon.md). The others are carrier and
# post-shipment cases; "PricingError" exists only in Seller Central's pages, never in a feed.
CancelReason = Literal[
    "NoInventory",
    "BuyerCanceled",
    "ShippingAddressUndeliverable",
    "CustomerExchange",
    "GeneralAdjustment",
]
CANCEL_REASONS: tuple[CancelReason, ...] = get_args(CancelReason)
# Free for the seller only when the buyer asked through Amazon.
BUYER_CANCELED: CancelReason = "BuyerCanceled"
# Without a buyer request the agent picks the reason; this neutral one is valid for every
# cancellation and claims nothing about who asked.
NEUTRAL_CANCEL_REASON: CancelReason = "GeneralAdjustment"

# Charge components an Order Adjustment can give back (a "full" refund takes them all), in the
# order agents expect to read them.
RefundComponent = Literal["Principal", "Shipping", "Tax", "ShippingTax", "GiftWrap", "GiftWrapTax"]
REFUND_COMPONENTS: tuple[RefundComponent, ...] = get_args(RefundComponent)
# Charged on some orders but never refunded through spdesk; listed after the refundable ones.
OTHER_COMPONENTS = ("COD", "CODTax", "Other")
COMPONENT_TYPES: tuple[str, ...] = (*REFUND_COMPONENTS, *OTHER_COMPONENTS)

# The `currency` attribute of an adjustment's Amount is an enumeration in Amazon's schema; these
# are the codes of its newest published copy (docs/amazon.md). For other currencies (SEK, PLN,
# ZAR) the optional attribute is left out and Amazon uses the marketplace's currency.
FEED_CURRENCIES = frozenset(
    {
        "USD",
        "GBP",
        "EUR",
        "JPY",
        "CAD",
        "CNY",
        "INR",
        "MXN",
        "BRL",
        "AUD",
        "TRY",
        "SGD",
        "AED",
        "SAR",
        "EGP",
    }
)

# How a marketplace's prices treat tax: `sales_tax` is added on top (US, CA); the others are
# inside the prices buyers see (the extension shows "incl. VAT", "incl. GST", "incl. tax" …).
TaxLabel = Literal["sales_tax", "vat", "gst", "consumption_tax", "tax"]
TAX_LABELS: tuple[TaxLabel, ...] = get_args(TaxLabel)

# Languages of Amazon's marketplaces (the order view names the order's, for the reply).
Language = Literal["en", "de", "fr", "it", "es", "nl", "sv", "pl", "pt", "tr", "ja"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"
