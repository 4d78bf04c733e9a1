"""The sandbox's live state: the records of the simulated Amazon, its clock, faults and plans."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from spdesk_sandbox.clock import Clock
from spdesk_sandbox.defaults import SANDBOX_SELLER_ID
from spdesk_sandbox.faults import FaultSettings
from spdesk_sandbox.records import Adjustment, Cancellation, FulfillmentOrder, Order
from spdesk_sandbox.seed import Seed, load_seed
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.throttle import Throttle


@dataclass
class SandboxState:
    """Everything the simulator knows; handlers mutate it under `lock` when they move money."""

    settings: SandboxSettings
    clock: Clock
    seed: Seed
    seller_id: str = SANDBOX_SELLER_ID
    orders: dict[str, Order] = field(default_factory=dict)
    fulfillment_orders: dict[str, FulfillmentOrder] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    cancellations: list[Cancellation] = field(default_factory=list)
    faults: FaultSettings = field(default_factory=FaultSettings)
    throttle: Throttle = field(default_factory=Throttle)
    access_tokens: dict[str, datetime] = field(default_factory=dict)  # token -> expiry
    # Free for the Feeds/Finances/Fulfillment parts: feed records and feed documents by id.
    feeds: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    version: int = 0  # bumped on every change that persistence should save

    @classmethod
    def create(cls, settings: SandboxSettings, seed: Seed | None = None) -> SandboxState:
        """A fresh state at the seed, with a clock running at `settings.speed`."""
        clock = Clock(settings.speed, settings.start_time)
        if seed is None:
            seed = load_seed(settings.seed_path, settings.bulk_orders, clock.start)
        state = cls(settings=settings, clock=clock, seed=seed, seller_id=settings.seller_id)
        state.throttle = Throttle(rate_scale=settings.rate_scale)
        state.reset()
        return state

    def reset(self) -> None:
        """Back to the seed; feeds and faults cleared, issued access tokens stay valid."""
        self.orders = {o.order_id: o for o in self.seed.fresh_orders()}
        self.fulfillment_orders = {
            f.seller_fulfillment_order_id: f for f in self.seed.fresh_fulfillment_orders()
        }
        self.adjustments = self.seed.fresh_adjustments()
        self.cancellations = self.seed.fresh_cancellations()
        self.feeds.clear()
        self.documents.clear()
        self.extra.clear()
        self.faults.clear()
        self.throttle.reset()
        self.touch()

    def touch(self) -> None:
        """Mark the state changed (persistence saves it)."""
        self.version += 1

    def now(self) -> datetime:
        """The sandbox's virtual time."""
        return self.clock.now()

    def order(self, order_id: str) -> Order | None:
        """An order by its 3-7-7 id."""
        return self.orders.get(order_id)

    def posted_adjustments(self, order_id: str) -> list[Adjustment]:
        """Adjustments of an order that Finances already shows (their posting lag has passed)."""
        now = self.now()
        return [a for a in self.adjustments if a.order_id == order_id and a.posted_at <= now]


STATE = web.AppKey("sandbox_state", SandboxState)
