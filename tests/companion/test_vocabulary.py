"""Each list spdesk shares with Amazon is written once, in companion/vocabulary.py, and used."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from companion import vocabulary
from companion.actions.models import CancelIn
from companion.amazon import parse
from companion.errors import InvalidOrderId
from companion.marketplaces import all_marketplaces
from spdesk_sandbox import records as amazon_records
from spdesk_sandbox import rules as amazon_rules
from tests.architecture.importgraph import REPO

GOOD = "113-4820571-0038214"
BAD = [
    GOOD + "\n",  # `$` with re.match would take it
    "\n" + GOOD,
    " " + GOOD,
    GOOD + "0",
    "113-4820571-003821",
    "113_4820571_0038214",
    "١١٣-٤٨٢٠٥٧١-٠٠٣٨٢١٤",  # Arabic-Indic digits: `\d` would take them
    "１１３-４８２０５７１-００３８２１４",  # full-width digits
    "",
]


def test_an_order_id_is_three_seven_seven_ascii_digits_and_nothing_else() -> None:
    assert vocabulary.is_order_id(GOOD)
    assert vocabulary.check_order_id(GOOD) == GOOD
    for text in BAD:
        assert not vocabulary.is_order_id(text), repr(text)
        with pytest.raises(InvalidOrderId):
            vocabulary.check_order_id(text)


def test_request_bodies_take_the_same_order_ids() -> None:
    assert CancelIn.model_validate({"orderId": GOOD}).order_id == GOOD
    for text in BAD:
        with pytest.raises(ValidationError):
            CancelIn.model_validate({"orderId": text})
    schema = CancelIn.model_json_schema(by_alias=True)["properties"]["orderId"]
    assert schema["pattern"] == f"^{vocabulary.ORDER_ID_PATTERN}$"


def test_the_simulator_reads_order_ids_exactly_like_the_product() -> None:
    # Two copies on purpose (the simulator shares no code with the product); they must agree.
    assert amazon_records.ORDER_ID.pattern == vocabulary.ORDER_ID.pattern
    for text in [GOOD, *BAD]:
        assert (amazon_records.ORDER_ID.fullmatch(text) is None) == (text != GOOD), repr(text)


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_product_spells_the_order_id_pattern_in_one_place() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted((REPO / "companion").rglob("*.py"))
        for line, text in _string_constants(path)
        if ("{3}-" in text and "{7}" in text) and path.name != "vocabulary.py"
    ]
    assert found == []


def test_component_types_come_from_one_list() -> None:
    assert vocabulary.COMPONENT_TYPES[: len(vocabulary.REFUND_COMPONENTS)] == (
        vocabulary.REFUND_COMPONENTS
    )
    # What Amazon's Orders and Finances call a charge, mapped onto the feed's component types.
    for mapping in (parse.BREAKDOWN_COMPONENTS, parse.TAX_COMPONENTS):
        assert set(mapping.values()) <= set(vocabulary.COMPONENT_TYPES), mapping
    assert set(parse.FINANCES_CHARGE_TYPES.values()) <= set(vocabulary.COMPONENT_TYPES)
    # The simulator's own list of what an item can be charged: the refundable components.
    assert amazon_records.COMPONENT_TYPES == vocabulary.REFUND_COMPONENTS


def test_every_marketplace_language_is_a_known_language() -> None:
    assert {m.language for m in all_marketplaces()} <= set(vocabulary.LANGUAGES)
    assert vocabulary.DEFAULT_LANGUAGE in vocabulary.LANGUAGES


def test_the_simulator_takes_every_reason_the_product_sends() -> None:
    # The simulator's own copies of Amazon's feed schemas, written apart on purpose. Refunds
    # offer every AdjustmentReason; cancellations the CancelReasons that fit a seller's cancel.
    assert set(vocabulary.REFUND_REASONS) == amazon_rules.ADJUSTMENT_REASONS
    assert set(vocabulary.CANCEL_REASONS) < amazon_rules.CANCEL_REASONS


def test_the_reasons_spdesk_offers_are_amazons_default_ones() -> None:
    assert vocabulary.CUSTOMER_RETURN in vocabulary.REFUND_REASONS
    assert {vocabulary.BUYER_CANCELED, vocabulary.NEUTRAL_CANCEL_REASON} <= set(
        vocabulary.CANCEL_REASONS
    )
    assert len(set(vocabulary.REFUND_REASONS)) == len(vocabulary.REFUND_REASONS) == 18
    assert len(set(vocabulary.CANCEL_REASONS)) == len(vocabulary.CANCEL_REASONS) == 5
    assert "PricingError" not in vocabulary.CANCEL_REASONS
    assert "PricingError" not in amazon_rules.CANCEL_REASONS
    assert len(amazon_rules.CANCEL_REASONS) == 10
