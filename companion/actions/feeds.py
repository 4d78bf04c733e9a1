"""Feed documents: Order Adjustment and Order Acknowledgement XML out, processing reports in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml.ElementTree import fromstring

from companion.actions.record import CancelLine, RefundLine
from companion.marketplaces import Marketplace
from companion.vocabulary import FEED_CURRENCIES

ADJUSTMENT_FEED = "POST_PAYMENT_ADJUSTMENT_DATA"
ACKNOWLEDGEMENT_FEED = "POST_ORDER_ACKNOWLEDGEMENT_DATA"


@dataclass(frozen=True, slots=True)
class AdjustmentMessage:
    """One Message of an Order Adjustment feed: one refund action."""

    message_id: int
    order_id: str
    merchant_ref: str
    reason: str
    items: tuple[RefundLine, ...]


@dataclass(frozen=True, slots=True)
class AcknowledgementMessage:
    """One Message of an Order Acknowledgement feed: one cancellation action."""

    message_id: int
    order_id: str
    reason: str
    items: tuple[CancelLine, ...]  # whole lines: Amazon cancels each line's open units


def _envelope(seller_id: str, message_type: str) -> Element:
    root = Element(
        "AmazonEnvelope",
        {
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
        },
    )
    header = SubElement(root, "Header")
    SubElement(header, "DocumentVersion").text = "1.01"
    SubElement(header, "MerchantIdentifier").text = seller_id
    SubElement(root, "MessageType").text = message_type
    return root


def _text(parent: Element, tag: str, value: str, **attrs: str) -> Element:
    node = SubElement(parent, tag, attrs)
    node.text = value
    return node


def build_adjustment_feed(
    seller_id: str, market: Marketplace, messages: list[AdjustmentMessage]
) -> bytes:
    """The Order Adjustment XML for a batch of refunds (element order follows the XSD)."""
    root = _envelope(seller_id, "OrderAdjustment")
    for msg in messages:
        message = SubElement(root, "Message")
        _text(message, "MessageID", str(msg.message_id))
        adjustment = SubElement(message, "OrderAdjustment")
        _text(adjustment, "AmazonOrderID", msg.order_id)
        for index, item in enumerate(msg.items, start=1):
            adjusted = SubElement(adjustment, "AdjustedItem")
            _text(adjusted, "AmazonOrderItemCode", item.order_item_code)
            _text(adjusted, "MerchantAdjustmentItemID", f"{msg.merchant_ref}-{index}")
            _text(adjusted, "AdjustmentReason", msg.reason)
            prices = SubElement(adjusted, "ItemPriceAdjustments")
            for kind, amount in item.components.items():
                _component(prices, kind, amount, market)
            if item.restocking_fee > 0:
                # Amazon expects the fee as a negative component: money kept from the buyer.
                _component(prices, "RestockingFee", -item.restocking_fee, market)
            # No <Quantity>: its meaning is undocumented and has been tied to wrong refunds;
            # the amounts are for the whole line (docs/amazon.md).
    return _serialize(root)


def _component(parent: Element, kind: str, amount: Decimal, market: Marketplace) -> None:
    component = SubElement(parent, "Component")
    _text(component, "Type", kind)
    # `currency` is an enumeration in the schema; where it lacks the marketplace's currency the
    # optional attribute is left out and Amazon uses the marketplace's own.
    attrs = {"currency": market.currency} if market.currency in FEED_CURRENCIES else {}
    _text(component, "Amount", market.format(amount), **attrs)


def build_acknowledgement_feed(seller_id: str, messages: list[AcknowledgementMessage]) -> bytes:
    """The Order Acknowledgement XML (StatusCode Failure) cancelling the listed items."""
    root = _envelope(seller_id, "OrderAcknowledgement")
    for msg in messages:
        message = SubElement(root, "Message")
        _text(message, "MessageID", str(msg.message_id))
        ack = SubElement(message, "OrderAcknowledgement")
        _text(ack, "AmazonOrderID", msg.order_id)
        _text(ack, "StatusCode", "Failure")
        for item in msg.items:
            node = SubElement(ack, "Item")
            _text(node, "AmazonOrderItemCode", item.order_item_code)
            _text(node, "CancelReason", msg.reason)
    return _serialize(root)


def _serialize(root: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()


@dataclass(frozen=True, slots=True)
class ReportResult:
    """One Result of a processing report."""

    message_id: int
    result_code: str
    message_code: str
    description: str
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessingReport:
    """The parts of a feed processing report spdesk acts on."""

    processed: int = 0
    successful: int = 0
    with_error: int = 0
    with_warning: int = 0
    results: tuple[ReportResult, ...] = ()

    def results_for(self, message_id: int) -> list[ReportResult]:
        """Every Result that names this message."""
        return [r for r in self.results if r.message_id == message_id]


class ReportUnreadable(ValueError):
    """The processing report could not be read."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: Element, name: str) -> Element | None:
    for child in node.iter():
        if _local(child.tag) == name:
            return child
    return None


def _child_text(node: Element, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def parse_processing_report(data: bytes) -> ProcessingReport:
    """Read an XML processing report (namespaces ignored); raise ReportUnreadable if it is not."""
    try:
        root = fromstring(data)
    except Exception as exc:  # defusedxml raises several types; all mean "not a report"
        raise ReportUnreadable(f"processing report is not valid XML: {exc}") from None
    summary = _find(root, "ProcessingSummary")
    if summary is None:
        raise ReportUnreadable("processing report has no ProcessingSummary")
    return ProcessingReport(
        processed=int(_child_text(summary, "MessagesProcessed") or 0),
        successful=int(_child_text(summary, "MessagesSuccessful") or 0),
        with_error=int(_child_text(summary, "MessagesWithError") or 0),
        with_warning=int(_child_text(summary, "MessagesWithWarning") or 0),
        results=tuple(_result(node) for node in root.iter() if _local(node.tag) == "Result"),
    )


def _result(node: Element) -> ReportResult:
    info = _find(node, "AdditionalInfo")
    return ReportResult(
        message_id=int(_child_text(node, "MessageID") or 0),
        result_code=_child_text(node, "ResultCode"),
        message_code=_child_text(node, "ResultMessageCode"),
        description=_child_text(node, "ResultDescription"),
        order_id=(_child_text(info, "AmazonOrderID") or None) if info is not None else None,
    )
