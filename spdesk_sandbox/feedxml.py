"""Safe parsing of Order Adjustment and Order Acknowledgement feed XML into typed messages.

The document is parsed with defusedxml (no DTDs, no entities, no external references). A document
that is not well-formed, or whose envelope is wrong, raises `FeedDocumentError`: Amazon rejects the
whole document then. A message whose own structure is wrong (missing element, element out of
XSD sequence order, bad number) becomes a `Message` with a `problem` and no body, so the other
messages of the feed still run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # only for the Element type; parsing is defusedxml
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# The `currency` attribute's enumeration in Amazon's base schema (its newest published copy).
SCHEMA_CURRENCIES = frozenset("USD GBP EUR JPY CAD CNY INR MXN BRL AUD TRY SGD AED SAR EGP".split())
MESSAGE_TYPES = {
    "POST_PAYMENT_ADJUSTMENT_DATA": "OrderAdjustment",
    "POST_ORDER_ACKNOWLEDGEMENT_DATA": "OrderAcknowledgement",
}


class FeedDocumentError(Exception):
    """The whole document is rejected: not well-formed, forbidden DTD, or a wrong envelope."""

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(description)


class StructureError(Exception):
    """One message does not follow the XSD structure."""


@dataclass(frozen=True, slots=True)
class Component:
    """One `ItemPriceAdjustments/Component`: Type and Amount with its currency attribute."""

    type: str
    amount: Decimal
    currency: str | None  # None: the attribute is optional, the marketplace's currency applies


@dataclass(frozen=True, slots=True)
class AdjustedItem:
    """One `AdjustedItem` of an Order Adjustment message."""

    item_code: str
    reason: str
    components: tuple[Component, ...]
    merchant_adjustment_item_id: str | None = None
    quantity_cancelled: int | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class OrderAdjustment:
    """An Order Adjustment (refund) for one order."""

    order_id: str
    items: tuple[AdjustedItem, ...]


@dataclass(frozen=True, slots=True)
class AckItem:
    """One `Item` of an Order Acknowledgement: the schema has no quantity, a line goes whole."""

    item_code: str
    cancel_reason: str | None = None


@dataclass(frozen=True, slots=True)
class OrderAcknowledgement:
    """An Order Acknowledgement: Success accepts the order, Failure cancels the listed items."""

    order_id: str
    status_code: str
    items: tuple[AckItem, ...]


@dataclass(frozen=True, slots=True)
class Message:
    """One `Message` of the envelope: its id and either a parsed body or a structure problem."""

    message_id: int
    body: OrderAdjustment | OrderAcknowledgement | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """A parsed feed envelope."""

    message_type: str
    merchant_identifier: str
    messages: tuple[Message, ...] = field(default_factory=tuple)


def _name(element: ET.Element) -> str:
    """The local name of an element, without any namespace."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


class _Cursor:
    """Walks an element's children in order, enforcing the XSD sequence."""

    def __init__(self, parent: ET.Element) -> None:
        self.parent = _name(parent)
        self.children = [c for c in parent if isinstance(c.tag, str)]
        self.pos = 0

    def peek(self) -> str | None:
        return _name(self.children[self.pos]) if self.pos < len(self.children) else None

    def optional(self, name: str) -> ET.Element | None:
        if self.peek() != name:
            return None
        self.pos += 1
        return self.children[self.pos - 1]

    def required(self, name: str) -> ET.Element:
        found = self.optional(name)
        if found is None:
            got = self.peek()
            where = f"found <{got}>" if got else "it is missing"
            raise StructureError(f"<{self.parent}> needs <{name}> at this position, but {where}.")
        return found

    def repeated(self, name: str, minimum: int = 0) -> list[ET.Element]:
        found = []
        while (element := self.optional(name)) is not None:
            found.append(element)
        if len(found) < minimum:
            self.required(name)
        return found

    def end(self) -> None:
        if (extra := self.peek()) is not None:
            raise StructureError(f"<{extra}> is not allowed at this position in <{self.parent}>.")


def _text(element: ET.Element) -> str:
    return (element.text or "").strip()


def _int(element: ET.Element | None) -> int | None:
    if element is None:
        return None
    text = _text(element)
    if not text.isdigit():
        raise StructureError(f"<{_name(element)}> must be a whole number, got '{text}'.")
    return int(text)


def _component(element: ET.Element) -> Component:
    cursor = _Cursor(element)
    kind = _text(cursor.required("Type"))
    amount_element = cursor.required("Amount")
    cursor.end()
    text = _text(amount_element)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise StructureError(f"<Amount> must be a decimal number, got '{text}'.") from None
    if not amount.is_finite():
        raise StructureError(f"<Amount> must be a decimal number, got '{text}'.")
    currency = amount_element.get("currency")
    if currency is not None and currency not in SCHEMA_CURRENCIES:
        raise StructureError(f"currency '{currency}' is not one of the schema's currency codes.")
    return Component(kind, amount, currency)


def _adjusted_item(element: ET.Element) -> AdjustedItem:
    cursor = _Cursor(element)
    item_code = _text(cursor.required("AmazonOrderItemCode"))
    merchant_id = cursor.optional("MerchantAdjustmentItemID")
    reason = _text(cursor.required("AdjustmentReason"))
    prices = cursor.required("ItemPriceAdjustments")
    quantity_cancelled = _int(cursor.optional("QuantityCancelled"))
    quantity = _int(cursor.optional("Quantity"))
    cursor.end()
    price_cursor = _Cursor(prices)
    components = tuple(_component(c) for c in price_cursor.repeated("Component", minimum=1))
    price_cursor.end()
    return AdjustedItem(
        item_code=item_code,
        reason=reason,
        components=components,
        merchant_adjustment_item_id=_text(merchant_id) if merchant_id is not None else None,
        quantity_cancelled=quantity_cancelled,
        quantity=quantity,
    )


def _order_adjustment(element: ET.Element) -> OrderAdjustment:
    cursor = _Cursor(element)
    order_id = _text(cursor.required("AmazonOrderID"))
    items = tuple(_adjusted_item(i) for i in cursor.repeated("AdjustedItem", minimum=1))
    cursor.end()
    return OrderAdjustment(order_id, items)


def _ack_item(element: ET.Element) -> AckItem:
    cursor = _Cursor(element)
    item_code = _text(cursor.required("AmazonOrderItemCode"))
    cursor.optional("MerchantOrderItemID")
    reason = cursor.optional("CancelReason")
    cursor.end()  # e.g. a <Quantity>: the acknowledgement schema has none
    return AckItem(item_code, _text(reason) if reason is not None else None)


def _order_acknowledgement(element: ET.Element) -> OrderAcknowledgement:
    cursor = _Cursor(element)
    order_id = _text(cursor.required("AmazonOrderID"))
    cursor.optional("MerchantOrderID")
    status = _text(cursor.required("StatusCode"))
    items = tuple(_ack_item(i) for i in cursor.repeated("Item"))
    cursor.end()
    if status not in ("Success", "Failure"):
        raise StructureError(f"<StatusCode> must be Success or Failure, got '{status}'.")
    return OrderAcknowledgement(order_id, status, items)


_BODIES: dict[str, Callable[[ET.Element], OrderAdjustment | OrderAcknowledgement]] = {
    "OrderAdjustment": _order_adjustment,
    "OrderAcknowledgement": _order_acknowledgement,
}


def _message(element: ET.Element, message_type: str, position: int) -> Message:
    cursor = _Cursor(element)
    id_element = cursor.optional("MessageID")
    try:
        message_id = _int(id_element) if id_element is not None else None
    except StructureError as exc:
        return Message(position, None, str(exc))
    if message_id is None:
        return Message(position, None, "<Message> needs <MessageID> first.")
    try:
        cursor.optional("OperationType")
        body = _BODIES[message_type](cursor.required(message_type))
        cursor.end()
    except StructureError as exc:
        return Message(message_id, None, str(exc))
    return Message(message_id, body)


def _parse_xml(data: bytes) -> ET.Element:
    try:
        root: ET.Element = fromstring(data, forbid_dtd=True)
        return root
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise FeedDocumentError(
            5001, f"XML Parsing Fatal Error at Line {line}, Column {column + 1}: {reason}."
        ) from None
    except DefusedXmlException as exc:
        raise FeedDocumentError(
            5001,
            f"XML Parsing Fatal Error: {type(exc).__name__}: DTDs and entities are not allowed.",
        ) from None


def parse_feed(data: bytes, feed_type: str) -> FeedDocument:
    """Parse a feed document of `feed_type`; raise `FeedDocumentError` if Amazon would reject it."""
    expected = MESSAGE_TYPES.get(feed_type)
    if expected is None:
        raise FeedDocumentError(5000, f"The sandbox does not process feeds of type {feed_type}.")
    root = _parse_xml(data)
    if _name(root) != "AmazonEnvelope":
        raise FeedDocumentError(
            5000, f"The root element must be AmazonEnvelope, not {_name(root)}."
        )
    cursor = _Cursor(root)
    try:
        header = _Cursor(cursor.required("Header"))
        header.required("DocumentVersion")
        merchant = _text(header.required("MerchantIdentifier"))
        header.end()
        message_type = _text(cursor.required("MessageType"))
        cursor.optional("PurgeAndReplace")
    except StructureError as exc:
        raise FeedDocumentError(5000, f"The envelope is not valid: {exc}") from None
    if message_type != expected:
        raise FeedDocumentError(
            5000, f"A {feed_type} feed must have MessageType {expected}, not {message_type}."
        )
    elements = [c for c in root if isinstance(c.tag, str)][cursor.pos :]
    bad = next((e for e in elements if _name(e) != "Message"), None)
    if bad is not None:
        raise FeedDocumentError(5000, f"<{_name(bad)}> is not allowed in AmazonEnvelope here.")
    messages = tuple(_message(e, expected, n) for n, e in enumerate(elements, start=1))
    return FeedDocument(message_type, merchant, messages)
