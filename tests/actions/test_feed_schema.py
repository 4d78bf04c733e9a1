"""Every document the companion can produce follows Amazon's feed schemas (actions/feedschema).

Refunds in every marketplace (full, partial, with restocking fees, several items and messages),
cancellations with every reason spdesk offers; and spdesk's own stricter rules on top: no
<Quantity>, no tax component where prices include the tax, the marketplace's decimals, the
`currency` attribute only for the schema's currencies. The actions suite also checks every feed
the companion really sent (tests/plugins/actions.py). The checker itself refuses what Amazon's
validator would refuse.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from companion.actions.amounts import plan_refund
from companion.actions.feeds import (
    AcknowledgementMessage,
    AdjustmentMessage,
    build_acknowledgement_feed,
    build_adjustment_feed,
)
from companion.actions.record import CancelLine, RefundLine
from companion.amazon.build import resolve_marketplace
from companion.marketplaces import all_marketplaces, marketplace
from companion.vocabulary import CANCEL_REASONS, FEED_CURRENCIES, REFUND_COMPONENTS, REFUND_REASONS
from spdesk_sandbox.records import Order
from tests.actions.feedschema import SchemaViolation, check_document
from tests.actions.moneykit import ZERO, money
from tests.actions.test_tax_included import FULL, orders

ORDER = "113-4820571-0038214"
ITEM = "45678901234567"
SELLER = "A2SELLERTOKEN01"


def _policy(xml: bytes) -> None:
    """spdesk's own rules, stricter than the schema."""
    root = fromstring(xml)
    assert root.find(".//Quantity") is None
    for amount in root.iter("Amount"):
        currency = amount.get("currency")
        assert currency is None or currency in FEED_CURRENCIES
    for adjusted in root.iter("AdjustedItem"):
        ref = adjusted.findtext("MerchantAdjustmentItemID") or ""
        assert 1 <= len(ref) <= 50


@settings(max_examples=200, deadline=None)
@given(orders())
def test_a_full_refund_of_any_order_in_any_marketplace(order: Order) -> None:
    assume(sum((i.paid_total() for i in order.items), ZERO) > 0)
    market = resolve_marketplace(order.marketplace_id, order.currency)
    plan = plan_refund(FULL, money(order), market)
    message = AdjustmentMessage(1, order.order_id, "act_01JD7Q3M9Z8XABCDEFGH", "Other", plan.lines)
    xml = build_adjustment_feed(SELLER, market, [message])
    assert check_document(xml) == "OrderAdjustment"
    _policy(xml)
    root = fromstring(xml)
    sent = {c.findtext("Type") for c in root.iter("Component")}
    if market.prices_include_tax:
        assert not sent & {"Tax", "ShippingTax", "GiftWrapTax"}  # Amazon adds the tax itself
    for text in (a.text or "" for a in root.iter("Amount")):
        assert Decimal(text) == Decimal(text).quantize(market.quantum)
        assert "." not in text or len(text.split(".")[1]) == market.decimals


lines = st.builds(
    RefundLine,
    order_item_code=st.from_regex(r"[0-9]{14}", fullmatch=True),
    quantity=st.integers(min_value=1, max_value=99),
    components=st.dictionaries(
        st.sampled_from(REFUND_COMPONENTS),
        st.integers(min_value=1, max_value=10**9).map(lambda n: Decimal(n).scaleb(-2)),
        min_size=1,
    ),
    restocking_fee=st.integers(min_value=0, max_value=10**5).map(lambda n: Decimal(n).scaleb(-2)),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(REFUND_REASONS), st.lists(lines, min_size=1, max_size=4)),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([m.code for m in all_marketplaces() if m.decimals == 2]),
)
def test_any_batch_of_refund_messages(batch: list[tuple[str, list[RefundLine]]], code: str) -> None:
    messages = [
        AdjustmentMessage(n, ORDER, f"act_{n:018d}", reason, tuple(items))
        for n, (reason, items) in enumerate(batch, start=1)
    ]
    xml = build_adjustment_feed(SELLER, marketplace(code), messages)
    assert check_document(xml) == "OrderAdjustment"
    _policy(xml)


@pytest.mark.parametrize("reason", CANCEL_REASONS)
def test_cancellations_with_every_reason_spdesk_offers(reason: str) -> None:
    messages = [
        AcknowledgementMessage(
            1, ORDER, reason, (CancelLine(ITEM, 2), CancelLine("45678901234568", 1))
        ),
        AcknowledgementMessage(2, "114-7395082-5521640", reason, (CancelLine(ITEM, 1),)),
    ]
    xml = build_acknowledgement_feed(SELLER, messages)
    assert check_document(xml) == "OrderAcknowledgement"
    _policy(xml)


def _adjustment(item: str) -> bytes:
    return (
        '<?xml version="1.0"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion>'
        "<MerchantIdentifier>S</MerchantIdentifier></Header><MessageType>OrderAdjustment"
        "</MessageType><Message><MessageID>1</MessageID><OrderAdjustment>"
        f"<AmazonOrderID>{ORDER}</AmazonOrderID><AdjustedItem>{item}</AdjustedItem>"
        "</OrderAdjustment></Message></AmazonEnvelope>"
    ).encode()


def _acknowledgement(item: str) -> bytes:
    return (
        '<?xml version="1.0"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion>'
        "<MerchantIdentifier>S</MerchantIdentifier></Header><MessageType>OrderAcknowledgement"
        "</MessageType><Message><MessageID>1</MessageID><OrderAcknowledgement>"
        f"<AmazonOrderID>{ORDER}</AmazonOrderID><StatusCode>Failure</StatusCode>"
        f"<Item>{item}</Item></OrderAcknowledgement></Message></AmazonEnvelope>"
    ).encode()


CODE = f"<AmazonOrderItemCode>{ITEM}</AmazonOrderItemCode>"
PRICE = (
    "<ItemPriceAdjustments><Component><Type>Principal</Type>{}</Component></ItemPriceAdjustments>"
)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (_acknowledgement(CODE + "<CancelReason>PricingError</CancelReason>"), "schema's values"),
        (_acknowledgement(CODE + "<Quantity>1</Quantity>"), "<Quantity> is not allowed"),
        (_acknowledgement("<CancelReason>NoInventory</CancelReason>" + CODE), "expected"),
        (
            _adjustment(
                CODE
                + "<AdjustmentReason>Other</AdjustmentReason>"
                + PRICE.format("<Amount>1.005</Amount>")
            ),
            "more than 2 decimals",
        ),
        (
            _adjustment(
                CODE
                + "<AdjustmentReason>Other</AdjustmentReason>"
                + PRICE.format('<Amount currency="SEK">1.00</Amount>')
            ),
            "@currency",
        ),
        (
            _adjustment(
                CODE
                + "<AdjustmentReason>Other</AdjustmentReason><Quantity>1</Quantity>"
                + PRICE.format("<Amount>1</Amount>")
            ),
            "not allowed here",
        ),
        (_adjustment(CODE + PRICE.format("<Amount>1</Amount>")), "expected <AdjustmentReason>"),
    ],
)
def test_the_checker_refuses_what_the_schema_refuses(document: bytes, problem: str) -> None:
    with pytest.raises(SchemaViolation, match=problem):
        check_document(document)
