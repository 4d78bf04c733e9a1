"""Feed processing results and the XML processing report Amazon writes for a finished feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # builds XML only; input is parsed with defusedxml
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class ResultCode(StrEnum):
    """`ResultCode` of a processing report Result."""

    ERROR = "Error"
    WARNING = "Warning"


class MessageCode(IntEnum):
    """`ResultMessageCode` values the sandbox writes, modelled on the codes Amazon uses."""

    # 5000/5001 are Amazon's XML structure and parsing codes and 18016 its code for an
    # Amazon-fulfilled order; the other 18xxx order codes are the sandbox's own numbering in
    # Amazon's order-feed range. Clients should act on `ResultCode`
    # and the AdditionalInfo ids, and only show the code and description to people.

    XML_STRUCTURE = 5000
    XML_PARSING = 5001
    FULFILLED_BY_AMAZON = 18016  # Amazon's own code: "can only be refunded by Amazon"
    ORDER_NOT_FOUND = 18028
    ITEM_NOT_IN_ORDER = 18030
    INVALID_VALUE = 18031
    COMPONENT_EXCEEDS_REFUNDABLE = 18032
    NET_NOT_POSITIVE = 18033
    CURRENCY_MISMATCH = 18034
    AMOUNT_PRECISION = 18035
    ORDER_CANCELLED = 18036
    QUANTITY_CANCELLED_TOO_HIGH = 18037
    ITEM_ALREADY_CANCELLED = 18041
    CANCEL_WITHOUT_ITEMS = 18042
    NOT_SELLER_FULFILLED = 18043
    BUYER_CANCELED_WITHOUT_REQUEST = 18050
    ADJUSTMENT_PENDING_SHIPMENT = 18051


@dataclass(frozen=True, slots=True)
class Result:
    """One Result row of the report: an error or warning for one message."""

    message_id: int
    code: ResultCode
    message_code: MessageCode
    description: str
    order_id: str | None = None
    item_code: str | None = None


def error(
    message_id: int,
    code: MessageCode,
    description: str,
    order_id: str | None = None,
    item_code: str | None = None,
) -> Result:
    """An Error result (the message was not applied)."""
    return Result(message_id, ResultCode.ERROR, code, description, order_id, item_code)


def warning(
    message_id: int,
    code: MessageCode,
    description: str,
    order_id: str | None = None,
    item_code: str | None = None,
) -> Result:
    """A Warning result (the message was applied)."""
    return Result(message_id, ResultCode.WARNING, code, description, order_id, item_code)


@dataclass(frozen=True, slots=True)
class Summary:
    """`ProcessingSummary` counts."""

    processed: int
    successful: int
    with_error: int
    with_warning: int


def summarize(processed: int, results: list[Result]) -> Summary:
    """Count messages, not rows: a message with an error is not successful; warnings still are."""
    # A rejected document (MessageID 0) counts as one message with an error and none processed,
    # which is how Amazon reports a document it could not parse.
    errors = {r.message_id for r in results if r.code is ResultCode.ERROR}
    warnings = {r.message_id for r in results if r.code is ResultCode.WARNING} - errors
    with_error = len(errors)
    return Summary(processed, max(processed - with_error, 0), with_error, len(warnings))


def _add(parent: ET.Element, tag: str, text: str | int | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _result(parent: ET.Element, result: Result) -> None:
    row = _add(parent, "Result")
    _add(row, "MessageID", result.message_id)
    _add(row, "ResultCode", result.code.value)
    _add(row, "ResultMessageCode", int(result.message_code))
    _add(row, "ResultDescription", result.description)
    if result.order_id or result.item_code:
        info = _add(row, "AdditionalInfo")
        if result.order_id:
            _add(info, "AmazonOrderID", result.order_id)
        if result.item_code:
            _add(info, "AmazonOrderItemCode", result.item_code)


def render_report(feed_id: str, merchant_id: str, processed: int, results: list[Result]) -> bytes:
    """The processing report document (UTF-8 XML) for a finished feed."""
    root = ET.Element(
        "AmazonEnvelope",
        {
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
        },
    )
    header = _add(root, "Header")
    _add(header, "DocumentVersion", "1.02")
    _add(header, "MerchantIdentifier", merchant_id)
    _add(root, "MessageType", "ProcessingReport")
    message = _add(root, "Message")
    _add(message, "MessageID", 1)
    report = _add(message, "ProcessingReport")
    _add(report, "DocumentTransactionID", feed_id)
    _add(report, "StatusCode", "Complete")
    counts = summarize(processed, results)
    summary = _add(report, "ProcessingSummary")
    _add(summary, "MessagesProcessed", counts.processed)
    _add(summary, "MessagesSuccessful", counts.successful)
    _add(summary, "MessagesWithError", counts.with_error)
    _add(summary, "MessagesWithWarning", counts.with_warning)
    for result in sorted(results, key=lambda r: r.message_id):
        _result(report, result)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
