"""Feed XML builders are read back by the sandbox's XSD-order parser; reports map to messages."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from companion.actions.feeds import (
    ACKNOWLEDGEMENT_FEED,
    ADJUSTMENT_FEED,
    AcknowledgementMessage,
    AdjustmentMessage,
    ReportUnreadable,
    build_acknowledgement_feed,
    build_adjustment_feed,
    parse_processing_report,
)
from companion.actions.record import CancelLine, RefundLine
from companion.marketplaces import marketplace
from spdesk_sandbox import feedxml, report

ORDER = "113-4820571-0038214"
ITEM = "45678901234567"


def test_adjustment_feed_follows_the_xsd_and_carries_our_ids() -> None:
    line = RefundLine(
        ITEM, 1, {"Principal": Decimal("12.99"), "Tax": Decimal("1.04")}, Decimal("2.00")
    )
    xml = build_adjustment_feed(
        "A2SELLER",
        marketplace("US"),
        [
            AdjustmentMessage(1, ORDER, "act_01ABC", "CustomerReturn", (line,)),
            AdjustmentMessage(
                2, ORDER, "act_01ABD", "Other", (replace(line, restocking_fee=Decimal("0.00")),)
            ),
        ],
    )
    doc = feedxml.parse_feed(xml, ADJUSTMENT_FEED)
    assert doc.merchant_identifier == "A2SELLER"
    assert [m.problem for m in doc.messages] == [None, None]
    bodies = [m.body for m in doc.messages]
    assert all(isinstance(b, feedxml.OrderAdjustment) for b in bodies)
    first, second = (b.items[0] for b in bodies if isinstance(b, feedxml.OrderAdjustment))
    assert isinstance(first, feedxml.AdjustedItem) and isinstance(second, feedxml.AdjustedItem)
    assert first.merchant_adjustment_item_id == "act_01ABC-1"
    assert {c.type: c.amount for c in first.components} == {
        "Principal": Decimal("12.99"),
        "Tax": Decimal("1.04"),
        "RestockingFee": Decimal("-2.00"),
    }
    assert {c.currency for c in first.components} == {"USD"}
    assert first.quantity is None  # never sent: its meaning is undocumented
    assert b"<Quantity>" not in xml
    assert [c.type for c in second.components] == ["Principal", "Tax"]


def test_jpy_amounts_have_no_decimals() -> None:
    xml = build_adjustment_feed(
        "S",
        marketplace("JP"),
        [
            AdjustmentMessage(
                1,
                ORDER,
                "act_1",
                "Other",
                (RefundLine(ITEM, 1, {"Principal": Decimal("1200")}),),
            )
        ],
    )
    assert b'<Amount currency="JPY">1200</Amount>' in xml


def test_acknowledgement_feed_lists_items_with_a_reason() -> None:
    xml = build_acknowledgement_feed(
        "S",
        [AcknowledgementMessage(7, ORDER, "BuyerCanceled", (CancelLine(ITEM, 2),))],
    )
    doc = feedxml.parse_feed(xml, ACKNOWLEDGEMENT_FEED)
    body = doc.messages[0].body
    assert doc.messages[0].message_id == 7
    assert isinstance(body, feedxml.OrderAcknowledgement) and body.status_code == "Failure"
    assert [
        (i.item_code, i.cancel_reason) for i in body.items if isinstance(i, feedxml.AckItem)
    ] == [(ITEM, "BuyerCanceled")]


def test_processing_report_maps_results_to_message_ids() -> None:
    data = report.render_report(
        "5001",
        "S",
        3,
        [
            report.error(2, report.MessageCode.COMPONENT_EXCEEDS_REFUNDABLE, "Tax too high", ORDER),
            report.warning(3, report.MessageCode.ADJUSTMENT_PENDING_SHIPMENT, "pending", ORDER),
        ],
    )
    parsed = parse_processing_report(data)
    assert (parsed.processed, parsed.successful, parsed.with_error) == (3, 2, 1)
    assert parsed.results_for(1) == []
    assert parsed.results_for(2)[0].result_code == "Error"
    assert parsed.results_for(2)[0].description == "Tax too high"
    assert parsed.results_for(3)[0].order_id == ORDER


@pytest.mark.parametrize(
    "data", [b"not xml", b"<AmazonEnvelope/>", b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>']
)
def test_unreadable_reports_are_refused(data: bytes) -> None:
    with pytest.raises(ReportUnreadable):
        parse_processing_report(data)


def test_a_report_is_read_field_by_field_whatever_its_namespace() -> None:
    data = b"""<?xml version="1.0"?>
<ns:AmazonEnvelope xmlns:ns="urn:spdesk:test"><ns:Message><ns:ProcessingReport>
  <ns:ProcessingSummary><ns:MessagesProcessed>2</ns:MessagesProcessed>
    <ns:MessagesSuccessful>1</ns:MessagesSuccessful><ns:MessagesWithError>1</ns:MessagesWithError>
    <ns:MessagesWithWarning>0</ns:MessagesWithWarning></ns:ProcessingSummary>
  <ns:Result><ns:MessageID>2</ns:MessageID><ns:ResultCode>Error</ns:ResultCode>
    <ns:ResultMessageCode>18027</ns:ResultMessageCode>
    <ns:ResultDescription> Tax too high </ns:ResultDescription>
    <ns:AdditionalInfo><ns:AmazonOrderID>113-0000001-0000001</ns:AmazonOrderID></ns:AdditionalInfo>
  </ns:Result>
  <ns:Result><ns:ResultCode>Error</ns:ResultCode><ns:ResultMessageCode>5000</ns:ResultMessageCode>
    <ns:AdditionalInfo/></ns:Result>
  <ns:Result><ns:MessageID>3</ns:MessageID><ns:ResultCode>Warning</ns:ResultCode>
    <ns:ResultMessageCode>5001</ns:ResultMessageCode></ns:Result>
</ns:ProcessingReport></ns:Message></ns:AmazonEnvelope>"""
    parsed = parse_processing_report(data)
    (named,) = parsed.results_for(2)
    assert (named.message_code, named.description, named.order_id) == (
        "18027",
        "Tax too high",
        "113-0000001-0000001",
    )
    # No MessageID: the whole document (0); no description or order: empty, not made up.
    (whole,) = parsed.results_for(0)
    assert (whole.message_code, whole.description, whole.order_id) == ("5000", "", None)
    # No AdditionalInfo at all (a result about the message, not an order): no order either.
    (bare,) = parsed.results_for(3)
    assert (bare.result_code, bare.message_code, bare.order_id) == ("Warning", "5001", None)
