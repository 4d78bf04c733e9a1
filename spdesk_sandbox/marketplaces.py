"""The marketplaces the simulated Amazon serves: ids, country codes, currencies and decimals.

Kept apart from the companion's own table on purpose: the simulator plays Amazon, so if the
product got a currency or a decimal count wrong, the two would disagree and the test that compares
them (tests/sandbox/test_marketplaces.py) would say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace as the simulator serves it."""

    id: str
    code: str
    name: str  # the sales channel, e.g. "Amazon.de"
    currency: str
    decimals: int
    # Prices include the tax (VAT, GST, consumption tax): an adjustment's Principal, Shipping and
    # GiftWrap are VAT-exclusive and Amazon adds the tax of the original sale (docs/amazon.md).
    tax_included: bool = True

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of the currency (0.01, or 1 for JPY)."""
        return Decimal(1).scaleb(-self.decimals)

    def quantize(self, amount: Decimal) -> Decimal:
        """The amount with exactly the currency's decimals."""
        return amount.quantize(self.quantum)

    def has_valid_scale(self, amount: Decimal) -> bool:
        """True when the amount needs no more decimals than the currency has."""
        return amount == amount.quantize(self.quantum)

    def format(self, amount: Decimal) -> str:
        """The amount as Amazon writes it: a plain string with the currency's decimals."""
        return f"{self.quantize(amount):f}"


# Amazon's marketplace ids (SP-API "Marketplace IDs" reference); only the US and Canada add sales
# tax on top of the prices.
MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("ATVPDKIKX0DER", "US", "Amazon.com", "USD", 2, tax_included=False),
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Amazon.ca", "CAD", 2, tax_included=False),
    Marketplace("A1AM78C64UM0Y8", "MX", "Amazon.com.mx", "MXN", 2),
    Marketplace("A2Q3Y263D00KWC", "BR", "Amazon.com.br", "BRL", 2),
    Marketplace("A28R8C7NBKEWEA", "IE", "Amazon.ie", "EUR", 2),
    Marketplace("A1F83G8C2ARO7P", "UK", "Amazon.co.uk", "GBP", 2),
    Marketplace("A1PA6795UKMFR9", "DE", "Amazon.de", "EUR", 2),
    Marketplace("A13V1IB3VIYZZH", "FR", "Amazon.fr", "EUR", 2),
    Marketplace("APJ6JRA9NG5V4", "IT", "Amazon.it", "EUR", 2),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Amazon.es", "EUR", 2),
    Marketplace("A1805IZSGTT6HS", "NL", "Amazon.nl", "EUR", 2),
    Marketplace("A2NODRKZP88ZB9", "SE", "Amazon.se", "SEK", 2),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Amazon.pl", "PLN", 2),
    Marketplace("AMEN7PMS3EDWL", "BE", "Amazon.com.be", "EUR", 2),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Amazon.com.tr", "TRY", 2),
    Marketplace("A21TJRUUN4KGV", "IN", "Amazon.in", "INR", 2),
    Marketplace("A2VIGQ35RCS4UG", "AE", "Amazon.ae", "AED", 2),
    Marketplace("A17E79C6D8DWNP", "SA", "Amazon.sa", "SAR", 2),
    Marketplace("ARBP9OOSHTCHU", "EG", "Amazon.eg", "EGP", 2),
    Marketplace("AE08WJ6YKNBMC", "ZA", "Amazon.co.za", "ZAR", 2),
    Marketplace("A1VC38T7YXB528", "JP", "Amazon.co.jp", "JPY", 0),
    Marketplace("A39IBJ37TRP1C6", "AU", "Amazon.com.au", "AUD", 2),
    Marketplace("A19VAU5U5O7RUS", "SG", "Amazon.sg", "SGD", 2),
)
BY_ID: dict[str, Marketplace] = {m.id: m for m in MARKETPLACES}
BY_CODE: dict[str, Marketplace] = {m.code: m for m in MARKETPLACES}


class UnknownMarketplaceError(KeyError):
    """A marketplace id or country code Amazon does not have."""


def marketplace(key: str) -> Marketplace:
    """A marketplace by id ('A1PA6795UKMFR9') or country code ('DE', 'GB' for the UK)."""
    found = BY_ID.get(key) or BY_CODE.get("UK" if key.upper() == "GB" else key.upper())
    if found is None:
        raise UnknownMarketplaceError(key)
    return found
