"""Order views: one normalized view of an order, read from Amazon and cached briefly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from companion.amazon.build import build_mcf_view, build_order_view, needs_finances
from companion.amazon.gateway import Gateway
from companion.amazon.models import FinancialEvents
from companion.amazon.view import OrderView
from companion.errors import OrderNotFound
from companion.vocabulary import check_order_id

MAX_CACHED = 2000

# (account name, order id, the order's Finances events or None) -> refunds spdesk sent or is
# sending, per (orderItemCode, component), that these Finances events do not show yet.
InFlightProvider = Callable[
    [str, str, FinancialEvents | None], Awaitable[Mapping[tuple[str, str], Decimal]]
]
_Key = tuple[str, str]


class GatewaySource(Protocol):
    """Hands out an account's gateway (None = the default account): what GatewayPool does."""

    async def get(self, account_name: str | None = None) -> Gateway:
        """The gateway of the account."""
        ...


class OrderService:
    """Order views with a short cache, invalidated by actions; one Amazon read per order at once."""

    def __init__(
        self, pool: GatewaySource, *, ttl: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.pool = pool
        self.ttl = ttl
        self._clock = clock
        self._cache: dict[_Key, tuple[float, OrderView]] = {}
        self._loads: dict[tuple[str, str, int], asyncio.Task[OrderView]] = {}
        self._generation: dict[str, int] = {}
        self._providers: list[InFlightProvider] = []

    def add_inflight_provider(self, provider: InFlightProvider) -> None:
        """Register a source of refunds in flight (the action engine)."""
        self._providers.append(provider)

    def invalidate(self, order_id: str) -> None:
        """Forget cached views of the order (every account); loads already running are not kept."""
        self._generation[order_id] = self._generation.get(order_id, 0) + 1
        for key in [k for k in self._cache if k[1] == order_id]:
            del self._cache[key]

    def invalidate_all(self) -> None:
        """Forget every cached view (a team ledger's announcements may have been missed)."""
        orders = {k[1] for k in self._cache} | {k[1] for k in self._loads} | set(self._generation)
        for order_id in orders:
            self.invalidate(order_id)

    async def get_view(
        self, order_id: str, account: str | None = None, fresh: bool = False
    ) -> OrderView:
        """The order's view; `fresh` skips the cache (the action engine validates on fresh data)."""
        check_order_id(order_id)
        gateway = await self.pool.get(account)
        key = (gateway.account_name, order_id)
        if not fresh and (hit := self._cached(key)) is not None:
            return hit
        generation = self._generation.get(order_id, 0)
        if fresh:
            return await self._load_and_store(gateway, order_id, generation)
        load_key = (*key, generation)
        task = self._loads.get(load_key)
        if task is None:
            task = asyncio.ensure_future(self._load_and_store(gateway, order_id, generation))
            self._loads[load_key] = task
            task.add_done_callback(lambda t: self._load_done(load_key, t))
        # Several agents may look at the same order at once: they share one Amazon read, and one
        # of them going away does not cancel it for the others.
        return await asyncio.shield(task)

    def _cached(self, key: _Key) -> OrderView | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        expires, view = entry
        if self._clock() >= expires:
            del self._cache[key]
            return None
        return view.model_copy(update={"cached": True})

    def _load_done(self, load_key: tuple[str, str, int], task: asyncio.Task[OrderView]) -> None:
        self._loads.pop(load_key, None)
        with suppress(asyncio.CancelledError):
            task.exception()  # retrieved here so an abandoned failure is not reported as lost

    async def _load_and_store(self, gateway: Gateway, order_id: str, generation: int) -> OrderView:
        view = await self.load(gateway, order_id)
        if self.ttl > 0 and self._generation.get(order_id, 0) == generation:
            if len(self._cache) >= MAX_CACHED:
                self._cache.pop(next(iter(self._cache)))
            self._cache[(gateway.account_name, order_id)] = (self._clock() + self.ttl, view)
        return view

    async def load(self, gateway: Gateway, order_id: str) -> OrderView:
        """Read the order from Amazon: Orders and Finances at once; Fulfillment Outbound for MCF."""
        now = datetime.now(UTC).replace(microsecond=0)
        # Most orders need both reads; asking both at once halves what the agent waits for.
        # Both operations have the same usage plan, so this never makes Finances the bottleneck.
        finances = asyncio.ensure_future(gateway.list_financial_events(order_id))
        try:
            order = await gateway.get_order(order_id)
        except OrderNotFound:
            _discard(finances)
            return await _load_mcf(gateway, order_id, now)
        except BaseException:
            _discard(finances)
            raise
        if not needs_finances(order):
            _discard(finances)
        events = await finances if needs_finances(order) else None
        # Read after Finances: a refund it shows already is not counted a second time as in flight.
        in_flight = await self._in_flight(gateway.account_name, order_id, events)
        return build_order_view(
            order, events, in_flight, account=gateway.account_name, fetched_at=now
        )

    async def _in_flight(
        self, account: str, order_id: str, events: FinancialEvents | None
    ) -> dict[tuple[str, str], Decimal]:
        total: dict[tuple[str, str], Decimal] = {}
        for provider in self._providers:
            for key, amount in (await provider(account, order_id, events)).items():
                total[key] = total.get(key, Decimal(0)) + amount
        return total


async def _load_mcf(gateway: Gateway, order_id: str, now: datetime) -> OrderView:
    """Orders does not know the id: it may be a Multi-Channel Fulfillment order."""
    fulfillment = await gateway.get_fulfillment_order(order_id)
    if fulfillment is None:
        raise OrderNotFound(
            f"Amazon does not know the order {order_id} for the seller account "
            f"'{gateway.account_name}'.",
            params={"orderId": order_id, "account": gateway.account_name},
            details={"orderId": order_id},
        )
    return build_mcf_view(fulfillment, account=gateway.account_name, fetched_at=now)


def _discard(task: asyncio.Future[Any]) -> None:
    """Drop a read that is no longer needed; its outcome is retrieved so nothing is reported."""
    task.cancel()
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
