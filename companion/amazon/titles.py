"""Product titles of Multi-Channel lines: FBA Inventory's `productName`, cached for hours.

Fulfillment Outbound names an MCF line only by its seller SKU. Every MCF SKU is stock in Amazon's
warehouses, so FBA Inventory's getInventorySummaries names it in the marketplace's language, up
to 50 SKUs a call, under the Amazon Fulfillment role that cancelling MCF orders already needs
(docs/amazon.md). Titles only decorate a view: a lookup that fails, is refused or is slow leaves
the lines with their SKUs, and the agent never sees an error for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from companion.amazon.outcome import AmazonAccessDenied, AmazonRejected
from companion.errors import NotFound, SpdeskError

log = logging.getLogger(__name__)

MAX_CACHED = 20000
_Key = tuple[str, str, str]  # (account, marketplace id, seller SKU)


class NameSource(Protocol):
    """What the titles are read from: an account's gateway."""

    @property
    def account_name(self) -> str:
        """The account the gateway speaks for."""
        ...

    async def get_product_names(self, marketplace_id: str, skus: Sequence[str]) -> dict[str, str]:
        """Seller SKU -> product title, for the SKUs Amazon knows."""
        ...


class ProductTitles:
    """Titles per account, marketplace and SKU; a SKU Amazon did not name is remembered too."""

    def __init__(
        self,
        *,
        ttl: float = 6 * 3600.0,
        refusal_ttl: float = 600.0,
        timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl  # titles change rarely; a renamed listing shows within hours
        self.refusal_ttl = refusal_ttl  # an app without the role is not asked on every view
        self.timeout = timeout
        self._clock = clock
        self._cache: dict[_Key, tuple[float, str | None]] = {}
        self._refused: dict[str, float] = {}

    async def titles(
        self, source: NameSource, marketplace_id: str, skus: Sequence[str]
    ) -> dict[str, str]:
        """The titles of the SKUs that have one; Amazon is asked only for those not cached."""
        account = source.account_name
        now = self._clock()
        found: dict[str, str] = {}
        missing: list[str] = []
        for sku in dict.fromkeys(skus):
            entry = self._cache.get((account, marketplace_id, sku))
            if entry is None or entry[0] <= now:
                missing.append(sku)
            elif entry[1] is not None:
                found[sku] = entry[1]
        if missing and self._refused.get(account, 0.0) <= now:
            found.update(await self._fetch(source, marketplace_id, missing))
        return found

    async def _fetch(
        self, source: NameSource, marketplace_id: str, skus: list[str]
    ) -> dict[str, str]:
        account = source.account_name
        try:
            async with asyncio.timeout(self.timeout):
                names = await source.get_product_names(marketplace_id, skus)
        except (AmazonAccessDenied, AmazonRejected, NotFound) as exc:
            # A refusal stays one until the seller changes the app's roles: ask again later.
            self._refused[account] = self._clock() + self.refusal_ttl
            log.warning("product titles for account %s refused (%s)", account, exc.code)
            return {}
        except (SpdeskError, TimeoutError) as exc:
            code = exc.code if isinstance(exc, SpdeskError) else "timeout"
            log.warning("product titles for account %s not read (%s)", account, code)
            return {}
        expires = self._clock() + self.ttl
        for sku in skus:
            if len(self._cache) >= MAX_CACHED:
                self._cache.pop(next(iter(self._cache)))
            self._cache[(account, marketplace_id, sku)] = (expires, names.get(sku))
        return {sku: names[sku] for sku in skus if sku in names}
