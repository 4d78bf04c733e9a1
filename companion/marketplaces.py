"""Amazon marketplaces, their regions, currencies, decimals, tax style and Seller Central."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from companion.vocabulary import Language, TaxLabel


class Region(StrEnum):
    """SP-API regions; each has its own host."""

    NA = "NA"
    EU = "EU"
    FE = "FE"


REGION_HOSTS: dict[Region, str] = {
    Region.NA: "https://sellingpartnerapi-na.amazon.com",
    Region.EU: "https://sellingpartnerapi-eu.amazon.com",
    Region.FE: "https://sellingpartnerapi-fe.amazon.com",
}

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace: id, country code, region, money format, tax style, Seller Central."""

    id: str
    code: str
    name: str
    region: Region
    currency: str
    decimals: int
    language: Language
    tax_label: TaxLabel = "vat"
    seller_central: str = ""  # host name

    @property
    def quantum(self) -> Decimal:
        """The smallest amount this marketplace's currency can express (0.01, or 1 for JPY)."""
        return Decimal(1).scaleb(-self.decimals)

    @property
    def prices_include_tax(self) -> bool:
        """True where the prices buyers pay include the tax (all but the sales-tax countries)."""
        return self.tax_label != "sales_tax"

    def quantize(self, amount: Decimal) -> Decimal:
        """Return the amount with exactly this marketplace's decimals (no rounding allowed)."""
        return amount.quantize(self.quantum)

    def has_valid_scale(self, amount: Decimal) -> bool:
        """True when the amount needs no more decimals than the currency has."""
        return amount == amount.quantize(self.quantum)

    def format(self, amount: Decimal) -> str:
        """The amount as a plain string with the marketplace's decimals, e.g. '12.50' or '1200'."""
        return f"{self.quantize(amount):f}"

    def order_url(self, order_id: str) -> str | None:
        """The order's page in Seller Central (None for a marketplace spdesk does not know)."""
        if not self.seller_central:
            return None
        return f"https://{self.seller_central}/orders-v3/order/{order_id}"


NA, EU, FE = Region.NA, Region.EU, Region.FE
# Ids, codes and hosts: Amazon's "Marketplace IDs" and "SP-API Endpoints" tables (docs/amazon.md).
# The last column is the Seller Central host after "sellercentral".
_EU_SC = "-europe.amazon.com"  # Amazon's unified Seller Central of the UK and older EU countries
_ROWS: list[tuple[str, str, str, Region, str, int, Language, TaxLabel, str]] = [
    ("ATVPDKIKX0DER", "US", "Amazon.com", NA, "USD", 2, "en", "sales_tax", ".amazon.com"),
    ("A2EUQ1WTGCTBG2", "CA", "Amazon.ca", NA, "CAD", 2, "en", "sales_tax", ".amazon.ca"),
    ("A1AM78C64UM0Y8", "MX", "Amazon.com.mx", NA, "MXN", 2, "es", "vat", ".amazon.com.mx"),
    ("A2Q3Y263D00KWC", "BR", "Amazon.com.br", NA, "BRL", 2, "pt", "tax", ".amazon.com.br"),
    ("A28R8C7NBKEWEA", "IE", "Amazon.ie", EU, "EUR", 2, "en", "vat", ".amazon.ie"),
    ("A1F83G8C2ARO7P", "UK", "Amazon.co.uk", EU, "GBP", 2, "en", "vat", _EU_SC),
    ("A1PA6795UKMFR9", "DE", "Amazon.de", EU, "EUR", 2, "de", "vat", _EU_SC),
    ("A13V1IB3VIYZZH", "FR", "Amazon.fr", EU, "EUR", 2, "fr", "vat", _EU_SC),
    ("APJ6JRA9NG5V4", "IT", "Amazon.it", EU, "EUR", 2, "it", "vat", _EU_SC),
    ("A1RKKUPIHCS9HS", "ES", "Amazon.es", EU, "EUR", 2, "es", "vat", _EU_SC),
    ("A1805IZSGTT6HS", "NL", "Amazon.nl", EU, "EUR", 2, "nl", "vat", ".amazon.nl"),
    ("A2NODRKZP88ZB9", "SE", "Amazon.se", EU, "SEK", 2, "sv", "vat", ".amazon.se"),
    ("A1C3SOZRARQ6R3", "PL", "Amazon.pl", EU, "PLN", 2, "pl", "vat", ".amazon.pl"),
    ("AMEN7PMS3EDWL", "BE", "Amazon.com.be", EU, "EUR", 2, "fr", "vat", ".amazon.com.be"),
    ("A33AVAJ2PDY3EV", "TR", "Amazon.com.tr", EU, "TRY", 2, "tr", "vat", ".amazon.com.tr"),
    ("A21TJRUUN4KGV", "IN", "Amazon.in", EU, "INR", 2, "en", "gst", ".amazon.in"),
    ("A2VIGQ35RCS4UG", "AE", "Amazon.ae", EU, "AED", 2, "en", "vat", ".amazon.ae"),
    ("A17E79C6D8DWNP", "SA", "Amazon.sa", EU, "SAR", 2, "en", "vat", ".amazon.sa"),
    ("ARBP9OOSHTCHU", "EG", "Amazon.eg", EU, "EGP", 2, "en", "vat", ".amazon.eg"),
    ("AE08WJ6YKNBMC", "ZA", "Amazon.co.za", EU, "ZAR", 2, "en", "vat", ".amazon.co.za"),
    (
        "A1VC38T7YXB528",
        "JP",
        "Amazon.co.jp",
        FE,
        "JPY",
        0,
        "ja",
        "consumption_tax",
        ".amazon.co.jp",
    ),
    ("A39IBJ37TRP1C6", "AU", "Amazon.com.au", FE, "AUD", 2, "en", "gst", ".amazon.com.au"),
    ("A19VAU5U5O7RUS", "SG", "Amazon.sg", FE, "SGD", 2, "en", "gst", ".amazon.sg"),
]
_ALL = [Marketplace(*row[:-1], seller_central="sellercentral" + row[-1]) for row in _ROWS]

BY_ID: dict[str, Marketplace] = {m.id: m for m in _ALL}
BY_CODE: dict[str, Marketplace] = {m.code: m for m in _ALL}
# Amazon itself says "GB" in some places and "UK" in others.
BY_CODE["GB"] = BY_CODE["UK"]


class UnknownMarketplaceError(KeyError):
    """A marketplace id or country code that spdesk does not know."""


# The most decimals any marketplace's currency has (JPY has none, the others two).
MAX_DECIMALS = max(m.decimals for m in _ALL)
# Digits before the point: far beyond any order, far below Decimal's 28-digit precision (an
# amount of 29 digits once reached Decimal arithmetic and failed there with a traceback).
MAX_WHOLE_DIGITS = 12
# Money as the API takes it: ASCII digits, then at most MAX_DECIMALS decimals written out. No sign,
# space, exponent, "_" or digits of other scripts; a marketplace may allow fewer decimals.
MONEY_PATTERN = rf"[0-9]{{1,{MAX_WHOLE_DIGITS}}}(\.[0-9]{{1,{MAX_DECIMALS}}})?"
MONEY_MAX_LENGTH = MAX_WHOLE_DIGITS + 1 + MAX_DECIMALS
_MONEY = re.compile(MONEY_PATTERN)


def is_money_text(text: str) -> bool:
    """True when the whole text is an amount as the API writes money (see MONEY_PATTERN)."""
    return _MONEY.fullmatch(text) is not None


def written_decimals(text: str) -> int:
    """How many decimals the text writes out ("1.50" has 2, "1200" none), zeros included."""
    return len(text.partition(".")[2])


def marketplace(key: str) -> Marketplace:
    """Find a marketplace by id ('A1PA6795UKMFR9') or country code ('DE')."""
    found = BY_ID.get(key) or BY_CODE.get(key.upper())
    if found is None:
        raise UnknownMarketplaceError(key)
    return found


def all_marketplaces() -> list[Marketplace]:
    """Every marketplace spdesk knows, in a stable order."""
    return list(_ALL)
