"""Amazon marketplaces, their regions, currencies and the decimals their amounts use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from companion.vocabulary import Language


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
    """One Amazon marketplace: id, country code, region and money format."""

    id: str
    code: str
    name: str
    region: Region
    currency: str
    decimals: int
    language: Language

    @property
    def quantum(self) -> Decimal:
        """The smallest amount this marketplace's currency can express (0.01, or 1 for JPY)."""
        return Decimal(1).scaleb(-self.decimals)

    def quantize(self, amount: Decimal) -> Decimal:
        """Return the amount with exactly this marketplace's decimals (no rounding allowed)."""
        return amount.quantize(self.quantum)

    def has_valid_scale(self, amount: Decimal) -> bool:
        """True when the amount needs no more decimals than the currency has."""
        return amount == amount.quantize(self.quantum)

    def format(self, amount: Decimal) -> str:
        """The amount as a plain string with the marketplace's decimals, e.g. '12.50' or '1200'."""
        return f"{self.quantize(amount):f}"


_ALL = [
    Marketplace("ATVPDKIKX0DER", "US", "Amazon.com", Region.NA, "USD", 2, "en"),
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Amazon.ca", Region.NA, "CAD", 2, "en"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Amazon.com.mx", Region.NA, "MXN", 2, "es"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Amazon.com.br", Region.NA, "BRL", 2, "pt"),
    Marketplace("A1F83G8C2ARO7P", "UK", "Amazon.co.uk", Region.EU, "GBP", 2, "en"),
    Marketplace("A1PA6795UKMFR9", "DE", "Amazon.de", Region.EU, "EUR", 2, "de"),
    Marketplace("A13V1IB3VIYZZH", "FR", "Amazon.fr", Region.EU, "EUR", 2, "fr"),
    Marketplace("APJ6JRA9NG5V4", "IT", "Amazon.it", Region.EU, "EUR", 2, "it"),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Amazon.es", Region.EU, "EUR", 2, "es"),
    Marketplace("A1805IZSGTT6HS", "NL", "Amazon.nl", Region.EU, "EUR", 2, "nl"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Amazon.se", Region.EU, "SEK", 2, "sv"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Amazon.pl", Region.EU, "PLN", 2, "pl"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Amazon.com.be", Region.EU, "EUR", 2, "fr"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Amazon.com.tr", Region.EU, "TRY", 2, "tr"),
    Marketplace("A21TJRUUN4KGV", "IN", "Amazon.in", Region.EU, "INR", 2, "en"),
    Marketplace("A1VC38T7YXB528", "JP", "Amazon.co.jp", Region.FE, "JPY", 0, "ja"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Amazon.com.au", Region.FE, "AUD", 2, "en"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Amazon.sg", Region.FE, "SGD", 2, "en"),
]

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
