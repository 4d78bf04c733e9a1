"""The simulated Amazon and the product keep their own marketplace tables; they must agree.

Two tables on purpose: if the product had a currency or a decimal count wrong, a simulator that
read the product's table would agree with it and no test would notice.
"""

from __future__ import annotations

from decimal import Decimal

from companion import marketplaces as product
from spdesk_sandbox import marketplaces as amazon


def test_both_know_the_same_marketplaces_with_the_same_money() -> None:
    ours = {(m.id, m.code, m.name, m.currency, m.decimals) for m in product.all_marketplaces()}
    theirs = {(m.id, m.code, m.name, m.currency, m.decimals) for m in amazon.MARKETPLACES}
    assert ours == theirs


def test_both_read_the_uk_as_gb_too() -> None:
    assert product.marketplace("GB").id == amazon.marketplace("GB").id == "A1F83G8C2ARO7P"


def test_both_format_amounts_alike() -> None:
    for market in amazon.MARKETPLACES:
        mine = product.marketplace(market.id)
        for text in ("0", "12.5", "1200", "0.01"):
            amount = market.quantize(Decimal(text))
            assert market.format(amount) == mine.format(amount), (market.code, text)
