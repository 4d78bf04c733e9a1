"""Helpers for feed tests: build Order Adjustment / Acknowledgement XML, read processing reports."""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from spdesk_sandbox.server import SandboxServer

ADJUSTMENT = "POST_PAYMENT_ADJUSTMENT_DATA"
ACKNOWLEDGEMENT = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
XML_TYPE = "text/xml; charset=UTF-8"


def envelope(message_type: str, messages: list[str], merchant: str = "A2SPDESKDEMO01") -> str:
    """An AmazonEnvelope around ready-made <Message> elements."""
    body = "\n".join(messages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n'
        f"<Header><DocumentVersion>1.01</DocumentVersion>"
        f"<MerchantIdentifier>{merchant}</MerchantIdentifier></Header>\n"
        f"<MessageType>{message_type}</MessageType>\n{body}\n</AmazonEnvelope>\n"
    )


def adjusted_item(
    item_code: str,
    components: dict[str, str],
    currency: str | None = "USD",
    reason: str = "CustomerReturn",
    merchant_id: str | None = None,
    quantity_cancelled: int | None = None,
) -> str:
    """One <AdjustedItem> in XSD order."""
    parts = [f"<AmazonOrderItemCode>{item_code}</AmazonOrderItemCode>"]
    if merchant_id:
        parts.append(f"<MerchantAdjustmentItemID>{merchant_id}</MerchantAdjustmentItemID>")
    parts.append(f"<AdjustmentReason>{reason}</AdjustmentReason>")
    attribute = f' currency="{currency}"' if currency else ""  # the attribute is optional
    comps = "".join(
        f"<Component><Type>{kind}</Type><Amount{attribute}>{amount}</Amount></Component>"
        for kind, amount in components.items()
    )
    parts.append(f"<ItemPriceAdjustments>{comps}</ItemPriceAdjustments>")
    if quantity_cancelled is not None:
        parts.append(f"<QuantityCancelled>{quantity_cancelled}</QuantityCancelled>")
    return f"<AdjustedItem>{''.join(parts)}</AdjustedItem>"


def adjustment_message(message_id: int, order_id: str, *items: str) -> str:
    """One OrderAdjustment <Message>."""
    return (
        f"<Message><MessageID>{message_id}</MessageID><OrderAdjustment>"
        f"<AmazonOrderID>{order_id}</AmazonOrderID>{''.join(items)}"
        f"</OrderAdjustment></Message>"
    )


def ack_message(
    message_id: int,
    order_id: str,
    items: list[tuple[str, str]] | list[tuple[str, str, int]],
    status: str = "Failure",
) -> str:
    """One OrderAcknowledgement <Message>; items: (AmazonOrderItemCode, CancelReason[, units])."""
    rows = "".join(
        f"<Item><AmazonOrderItemCode>{item[0]}</AmazonOrderItemCode>"
        f"<CancelReason>{item[1]}</CancelReason>"
        + (f"<Quantity>{item[2]}</Quantity>" if len(item) > 2 else "")
        + "</Item>"
        for item in items
    )
    return (
        f"<Message><MessageID>{message_id}</MessageID><OrderAcknowledgement>"
        f"<AmazonOrderID>{order_id}</AmazonOrderID><StatusCode>{status}</StatusCode>"
        f"{rows}</OrderAcknowledgement></Message>"
    )


@dataclass
class Report:
    """A parsed processing report."""

    transaction_id: str
    status_code: str
    summary: dict[str, int]
    results: list[dict[str, Any]] = field(default_factory=list)

    def result(self, message_id: int) -> dict[str, Any]:
        """The one Result row of a message."""
        rows = [r for r in self.results if r["MessageID"] == message_id]
        assert len(rows) == 1, f"expected one Result for message {message_id}, got {rows}"
        return rows[0]


def parse_report(text: str | bytes) -> Report:
    """Read a processing report the way a client would."""
    root = ET.fromstring(text)
    report = root.find("Message/ProcessingReport")
    assert root.findtext("MessageType") == "ProcessingReport" and report is not None
    counts = report.find("ProcessingSummary")
    assert counts is not None
    summary = {child.tag: int(child.text or 0) for child in counts}
    results = []
    for row in report.findall("Result"):
        results.append(
            {
                "MessageID": int(row.findtext("MessageID") or -1),
                "ResultCode": row.findtext("ResultCode"),
                "ResultMessageCode": int(row.findtext("ResultMessageCode") or 0),
                "ResultDescription": row.findtext("ResultDescription"),
                "AmazonOrderID": row.findtext("AdditionalInfo/AmazonOrderID"),
                "AmazonOrderItemCode": row.findtext("AdditionalInfo/AmazonOrderItemCode"),
            }
        )
    return Report(
        report.findtext("DocumentTransactionID") or "",
        report.findtext("StatusCode") or "",
        summary,
        results,
    )


async def submit(feeds: Any, feed_type: str, xml: str, marketplace_id: str) -> str:
    """Upload a document and create a feed with the real client; return the feed id."""
    document = await feeds.create_feed_document(BytesIO(xml.encode()), XML_TYPE)
    created = await feeds.create_feed(
        feed_type, document.payload["feedDocumentId"], marketplaceIds=[marketplace_id]
    )
    return str(created.payload["feedId"])


async def wait_for_status(
    feeds: Any, feed_id: str, statuses: set[str], within: float = 20.0
) -> dict[str, Any]:
    """Poll getFeed until its processingStatus is one of `statuses` (deadline, not sleeps)."""
    deadline = time.monotonic() + within
    while True:
        feed = (await feeds.get_feed(feed_id)).payload
        if feed["processingStatus"] in statuses:
            return dict(feed)
        assert time.monotonic() < deadline, f"feed stayed {feed['processingStatus']}"
        await asyncio.sleep(0.02)  # poll interval, not synchronisation


async def run_to_report(
    feeds: Any, feed_type: str, xml: str, marketplace_id: str = "ATVPDKIKX0DER"
) -> tuple[dict[str, Any], Report]:
    """Submit, wait for DONE and download the processing report."""
    feed_id = await submit(feeds, feed_type, xml, marketplace_id)
    feed = await wait_for_status(feeds, feed_id, {"DONE", "FATAL", "CANCELLED"})
    assert feed["processingStatus"] == "DONE", feed
    text = await feeds.get_feed_document(feed["resultFeedDocumentId"])
    return feed, parse_report(text)


def order_view(server: SandboxServer, label: str) -> Any:
    """The live order behind a seed label."""
    order = server.state.order(server.seed.order_id(label))
    assert order is not None
    return order
