"""The structure of Amazon's Order Adjustment and Order Acknowledgement feeds, as a checker.

Written in our own words from Amazon's published schemas (amzn-envelope, amzn-header, amzn-base,
OrderAdjustment, OrderAcknowledgement; docs/amazon.md § "Feeds"): which elements, in which order,
how often, and what their text may be. Amazon's XSD files carry no licence to copy, so this is a
description, not a copy: enough to refuse any document Amazon's validator would refuse for
structure, order, an unknown value or a malformed amount.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

UNBOUNDED = 10**9
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
Text = Callable[[str], str | None]  # None when the text is valid, else what is wrong


def pattern(regex: str) -> Text:
    compiled = re.compile(regex)
    return lambda text: None if compiled.fullmatch(text) else f"'{text}' does not match {regex}"


def one_of(*values: str) -> Text:
    allowed = frozenset(values)
    return lambda text: None if text in allowed else f"'{text}' is not one of the schema's values"


def string(low: int, high: int) -> Text:
    def check(text: str) -> str | None:
        return None if low <= len(text) <= high else f"'{text}' is not {low}..{high} characters"

    return check


def positive_integer(text: str) -> str | None:
    return None if re.fullmatch(r"[1-9][0-9]*", text) else f"'{text}' is not a positive integer"


def amount(text: str) -> str | None:
    """xsd:decimal with at most 20 digits, 2 of them after the point."""
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return f"'{text}' is not a decimal"
    try:
        digits = Decimal(text).as_tuple()
    except InvalidOperation:
        return f"'{text}' is not a decimal"
    decimals = -digits.exponent if isinstance(digits.exponent, int) else 0
    if decimals > 2 or len(digits.digits) > 20:
        return f"'{text}' has more than 2 decimals or 20 digits"
    return None


@dataclass(frozen=True)
class El:
    """An element: how often it may occur where it stands, and its content."""

    name: str
    low: int = 1
    high: int = 1
    children: Sequence[El | Choice] | None = None  # a sequence, in this order
    text: Text | None = None
    attributes: dict[str, Text] = field(default_factory=dict)  # all optional


@dataclass(frozen=True)
class Choice:
    """Exactly one of several elements, occurring `low`..`high` times."""

    options: Sequence[El]
    low: int = 1
    high: int = 1

    @property
    def name(self) -> str:
        return "|".join(o.name for o in self.options)


# --- the base types ---------------------------------------------------------------------------
ORDER_ID = pattern(r"\w{3}-\w{7}-\w{7}")
ITEM_CODE = pattern(r"\d{14}")
CURRENCIES = one_of(*"USD GBP EUR JPY CAD CNY INR MXN BRL AUD TRY SGD AED SAR EGP".split())
STRING_50 = string(1, 50)

# --- Order Adjustment ---------------------------------------------------------------------------
ADJUSTMENT_REASONS = one_of(
    "NoInventory", "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem",
    "Abandoned", "CustomerCancel", "PriceError", "ProductOutofStock", "CustomerAddressIncorrect",
    "Exchange", "Other", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "TransactionRecord", "Undeliverable", "RefusedDelivery",
)  # fmt: skip
PRICE_TYPES = one_of(
    "Principal", "Shipping", "Tax", "ShippingTax", "RestockingFee", "RestockingFeeTax",
    "GiftWrap", "GiftWrapTax", "Surcharge", "ReturnShipping", "Goodwill", "ExportCharge", "COD",
    "CODTax", "Other", "FreeReplacementReturnShipping",
)  # fmt: skip
AMOUNT = El("Amount", text=amount, attributes={"currency": CURRENCIES})


def _component(types: Text) -> El:
    return El("Component", 1, UNBOUNDED, children=[El("Type", text=types), AMOUNT])


ADJUSTED_ITEM = El(
    "AdjustedItem",
    1,
    UNBOUNDED,
    children=[
        Choice(
            [El("AmazonOrderItemCode", text=ITEM_CODE), El("MerchantOrderItemID", text=STRING_50)]
        ),
        El("MerchantAdjustmentItemID", 0, text=STRING_50),
        El("AdjustmentReason", text=ADJUSTMENT_REASONS),
        El("ItemPriceAdjustments", 0, children=[_component(PRICE_TYPES)]),
        El(
            "PromotionAdjustments",
            0,
            UNBOUNDED,
            children=[
                El("PromotionClaimCode", 0, text=string(6, 12)),
                El("MerchantPromotionID", 0, text=string(1, 80)),
                _component(one_of("Principal", "Shipping")),
            ],
        ),
        El("DirectPaymentAdjustments", 0, children=[_component(string(1, 1000))]),
        El("QuantityCancelled", 0, text=positive_integer),
        El("Quantity", 0, text=positive_integer),
    ],
)
ORDER_ADJUSTMENT = El(
    "OrderAdjustment",
    children=[
        Choice([El("AmazonOrderID", text=ORDER_ID), El("MerchantOrderID", text=STRING_50)]),
        El("ActionType", 0, text=one_of("Refund", "Cancel")),
        El("CODCollectionMethod", 0, text=one_of("DirectPayment")),
        ADJUSTED_ITEM,
    ],
)

# --- Order Acknowledgement ----------------------------------------------------------------------
CANCEL_REASONS = one_of(
    "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "BuyerCanceled",
    "GeneralAdjustment", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "CustomerReturn", "MerchandiseNotReceived",
)  # fmt: skip
ORDER_ACKNOWLEDGEMENT = El(
    "OrderAcknowledgement",
    children=[
        El("AmazonOrderID", text=ORDER_ID),
        El("MerchantOrderID", 0, text=STRING_50),
        El("StatusCode", text=one_of("Success", "Failure")),
        El(
            "Item",
            0,
            UNBOUNDED,
            children=[
                El("AmazonOrderItemCode", text=ITEM_CODE),
                El("MerchantOrderItemID", 0, text=STRING_50),
                El("CancelReason", 0, text=CANCEL_REASONS),
            ],
        ),
    ],
)

# --- the envelope -------------------------------------------------------------------------------
PAYLOADS = {"OrderAdjustment": ORDER_ADJUSTMENT, "OrderAcknowledgement": ORDER_ACKNOWLEDGEMENT}


def envelope(message_type: str) -> El:
    return El(
        "AmazonEnvelope",
        attributes={f"{XSI}noNamespaceSchemaLocation": one_of("amzn-envelope.xsd")},
        children=[
            El(
                "Header",
                children=[
                    El("DocumentVersion", text=pattern(r"\d{1,2}\.\d{1,2}")),
                    El("MerchantIdentifier", text=STRING_50),
                    El("OverrideReleaseId", 0, text=string(1, 50)),
                ],
            ),
            El("MessageType", text=one_of(message_type)),
            El("MarketplaceName", 0, text=string(1, 100)),
            El("PurgeAndReplace", 0, text=one_of("true", "false")),
            El("EffectiveDate", 0, text=pattern(r"\d{4}-\d{2}-\d{2}T.+")),
            El(
                "Message",
                1,
                UNBOUNDED,
                children=[
                    El("MessageID", text=pattern(r"[1-9][0-9]{0,17}")),
                    El("OperationType", 0, text=one_of("Update", "Delete", "PartialUpdate")),
                    PAYLOADS[message_type],
                ],
            ),
        ],
    )


class SchemaViolation(AssertionError):
    """The document breaks the schema; the message says where and how."""


def _name(node: Element) -> str:
    return str(node.tag).rsplit("}", 1)[-1]


def _check_element(node: Element, spec: El, where: str) -> None:
    where = f"{where}/{spec.name}"
    for attribute, value in node.attrib.items():
        check = spec.attributes.get(attribute)
        if check is None:
            raise SchemaViolation(f"{where}: attribute {attribute} is not allowed")
        if (problem := check(value)) is not None:
            raise SchemaViolation(f"{where}@{attribute}: {problem}")
    if spec.children is None:
        if len(node):
            raise SchemaViolation(f"{where}: holds elements, the schema gives it text only")
        if spec.text is not None and (problem := spec.text(node.text or "")) is not None:
            raise SchemaViolation(f"{where}: {problem}")
        return
    if (node.text or "").strip():
        raise SchemaViolation(f"{where}: holds text, the schema gives it elements only")
    _check_sequence(list(node), spec.children, where)


def _check_sequence(nodes: list[Element], particles: Sequence[El | Choice], where: str) -> None:
    pos = 0
    for particle in particles:
        options = particle.options if isinstance(particle, Choice) else [particle]
        by_name = {o.name: o for o in options}
        count = 0
        while pos < len(nodes) and _name(nodes[pos]) in by_name and count < particle.high:
            _check_element(nodes[pos], by_name[_name(nodes[pos])], where)
            pos, count = pos + 1, count + 1
        if count < particle.low:
            found = _name(nodes[pos]) if pos < len(nodes) else "the end"
            raise SchemaViolation(f"{where}: expected <{particle.name}>, found {found}")
    if pos < len(nodes):
        raise SchemaViolation(f"{where}: <{_name(nodes[pos])}> is not allowed here")


def check_document(data: bytes) -> str:
    """Check a feed document; return its MessageType. Raise SchemaViolation when it breaks."""
    root = fromstring(data)
    if _name(root) != "AmazonEnvelope":
        raise SchemaViolation(f"the root is <{_name(root)}>, not <AmazonEnvelope>")
    kind = next((c.text or "" for c in root if _name(c) == "MessageType"), "")
    if kind not in PAYLOADS:
        raise SchemaViolation(f"MessageType '{kind}' is not an order feed")
    _check_element(root, envelope(kind), "")
    ids = [m.findtext("MessageID") for m in root if _name(m) == "Message"]
    if len(set(ids)) != len(ids):
        raise SchemaViolation("a MessageID is used twice in the document")
    return kind
