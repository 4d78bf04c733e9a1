"""The simulated Amazon and the product keep their own marketplace tables; they must agree.

Two tables on purpose: if the product had a currency or a decimal count wrong, a simulator that
read the product's table would agree with it and no test would notice. Both are also checked
against Amazon's published table, written down here once more (Amazon's "Marketplace IDs" and
"SP-API Endpoints" pages, docs/amazon.md), and against python-amazon-sp-api's own list.
"""

from __future__ import annotations

from decimal import Decimal

from companion import marketplaces as product
from spdesk_sandbox import marketplaces as amazon

# Amazon's published marketplace ids by country code, and the region whose host serves each.
PUBLISHED = {
    "CA": ("A2EUQ1WTGCTBG2", "NA"),
    "US": ("ATVPDKIKX0DER", "NA"),
    "MX": ("A1AM78C64UM0Y8", "NA"),
    "BR": ("A2Q3Y263D00KWC", "NA"),
    "IE": ("A28R8C7NBKEWEA", "EU"),
    "ES": ("A1RKKUPIHCS9HS", "EU"),
    "UK": ("A1F83G8C2ARO7P", "EU"),
    "FR": ("A13V1IB3VIYZZH", "EU"),
    "BE": ("AMEN7PMS3EDWL", "EU"),
    "NL": ("A1805IZSGTT6HS", "EU"),
    "DE": ("A1PA6795UKMFR9", "EU"),
    "IT": ("APJ6JRA9NG5V4", "EU"),
    "SE": ("A2NODRKZP88ZB9", "EU"),
    "ZA": ("AE08WJ6YKNBMC", "EU"),
    "PL": ("A1C3SOZRARQ6R3", "EU"),
    "EG": ("ARBP9OOSHTCHU", "EU"),
    "TR": ("A33AVAJ2PDY3EV", "EU"),
    "SA": ("A17E79C6D8DWNP", "EU"),
    "AE": ("A2VIGQ35RCS4UG", "EU"),
    "IN": ("A21TJRUUN4KGV", "EU"),
    "SG": ("A19VAU5U5O7RUS", "FE"),
    "AU": ("A39IBJ37TRP1C6", "FE"),
    "JP": ("A1VC38T7YXB528", "FE"),
}
# ISO 4217 currency and minor units of each marketplace.
CURRENCIES = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL", "IE": "EUR", "ES": "EUR", "UK": "GBP",
    "FR": "EUR", "BE": "EUR", "NL": "EUR", "DE": "EUR", "IT": "EUR", "SE": "SEK", "ZA": "ZAR",
    "PL": "PLN", "EG": "EGP", "TR": "TRY", "SA": "SAR", "AE": "AED", "IN": "INR", "SG": "SGD",
    "AU": "AUD", "JP": "JPY",
}  # fmt: skip


def test_both_know_the_same_marketplaces_with_the_same_money_and_tax_style() -> None:
    ours = {
        (m.id, m.code, m.name, m.currency, m.decimals, m.prices_include_tax)
        for m in product.all_marketplaces()
    }
    theirs = {
        (m.id, m.code, m.name, m.currency, m.decimals, m.tax_included) for m in amazon.MARKETPLACES
    }
    assert ours == theirs


def test_every_id_region_and_currency_is_amazons_published_one() -> None:
    for market in product.all_marketplaces():
        assert PUBLISHED[market.code] == (market.id, market.region.value), market.code
        assert CURRENCIES[market.code] == market.currency, market.code
        assert market.decimals == (0 if market.currency == "JPY" else 2), market.code
        assert product.REGION_HOSTS[market.region].endswith(
            f"sellingpartnerapi-{market.region.value.lower()}.amazon.com"
        )
    assert {m.code for m in product.all_marketplaces()} == set(PUBLISHED)
    assert {m.code: m.id for m in amazon.MARKETPLACES} == {c: v[0] for c, v in PUBLISHED.items()}


def test_the_sp_api_library_names_the_same_ids_and_hosts() -> None:
    from sp_api.base import Marketplaces  # a third, independent list

    for market in product.all_marketplaces():
        theirs = Marketplaces[market.code]
        assert theirs.marketplace_id == market.id, market.code
        assert theirs.endpoint == product.REGION_HOSTS[market.region], market.code


def test_new_marketplaces_have_seller_central_and_tax_included() -> None:
    for code, host in {
        "IE": "sellercentral.amazon.ie",
        "AE": "sellercentral.amazon.ae",
        "SA": "sellercentral.amazon.sa",
        "EG": "sellercentral.amazon.eg",
        "ZA": "sellercentral.amazon.co.za",
    }.items():
        market = product.marketplace(code)
        assert market.seller_central == host and market.prices_include_tax
        assert market.order_url("123-1234567-1234567") == (
            f"https://{host}/orders-v3/order/123-1234567-1234567"
        )
    assert {m.code for m in product.all_marketplaces() if not m.prices_include_tax} == {"US", "CA"}
    assert all(m.seller_central.startswith("sellercentral") for m in product.all_marketplaces())


def test_both_read_the_uk_as_gb_too() -> None:
    assert product.marketplace("GB").id == amazon.marketplace("GB").id == "A1F83G8C2ARO7P"


def test_both_format_amounts_alike() -> None:
    for market in amazon.MARKETPLACES:
        mine = product.marketplace(market.id)
        for text in ("0", "12.5", "1200", "0.01"):
            amount = market.quantize(Decimal(text))
            assert market.format(amount) == mine.format(amount), (market.code, text)
