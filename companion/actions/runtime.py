"""Refunds and cancellations while the companion runs: ledger, engine, service and event bus."""

from __future__ import annotations

import logging
from decimal import Decimal

from companion.accounts import AccountStore
from companion.actions.engine import Engine, EngineTiming
from companion.actions.events import EventBus
from companion.actions.ports import Ledger
from companion.actions.record import Action
from companion.actions.service import ActionService
from companion.amazon.models import FinancialEvents
from companion.amazon.pool import GatewayPool
from companion.config import Settings
from companion.orders import OrderService

log = logging.getLogger(__name__)


def timing_of(settings: Settings) -> EngineTiming:
    """The engine's delays from the settings."""
    return EngineTiming(
        batch_window=settings.feed_batch_window,
        poll=settings.feed_poll_interval,
        stuck_after=settings.feed_stuck_after,
        give_up_after=settings.feed_give_up_after,
        reconcile_grace=settings.feed_reconcile_grace,
        retry_delay=settings.feed_retry_delay,
        finances_poll=settings.finances_poll_interval,
        max_messages=settings.feed_max_messages,
        gone_grace=settings.feed_gone_grace,
        sweep=settings.team_sweep_interval,
    )


class Runtime:
    """The actions part of one companion: made with the app, started and closed with it.

    ``start()`` opens the ledger, and the engine takes up the feed builder's work when the ledger
    says this companion builds the feeds (always, alone; when elected, in a team); ``close()``
    stops the workers, whose work resumes on the next start.
    """

    def __init__(
        self,
        settings: Settings,
        store: AccountStore,
        orders: OrderService,
        gateways: GatewayPool,
        ledger: Ledger,
    ) -> None:
        self.settings = settings
        self.store = store
        self.orders = orders
        self.gateways = gateways
        self.ledger = ledger
        self.bus = EventBus()
        self.keepalive = settings.events_keepalive
        self.engine = Engine(
            ledger,
            gateways.get,
            self._seller_of,
            timing_of(settings),
            on_settled=lambda action: orders.invalidate(action.order_id),
        )
        self.service = ActionService(
            self.engine,
            orders,
            lambda n: store.resolve(n).name,
            settings.refund_overlap_window,
            agent=settings.agent if ledger.kind != "sqlite" else None,
        )
        orders.add_inflight_provider(self._inflight)

    async def start(self) -> None:
        """Open the ledger and listen to it; the engine starts when it builds the feeds."""
        await self.ledger.open()
        await self.ledger.watch(self._changed, self._reset, self.engine.on_work, self.engine.lead)

    async def close(self) -> None:
        """End the event streams, stop the workers and close the ledger."""
        self.bus.close()
        await self.engine.close()
        await self.ledger.close()

    def _changed(self, action: Action) -> None:
        # Anyone's change (a teammate's, the command line's): the panels and the cache follow.
        self.orders.invalidate(action.order_id)
        self.bus.publish(action)

    def _reset(self) -> None:
        # Changes may have been missed: streams end (the panels read afresh), caches go.
        self.bus.close()
        self.orders.invalidate_all()

    def _seller_of(self, account: str) -> str:
        return self.store.get(account).seller_id or account

    async def _inflight(
        self, account: str, order_id: str, finances: FinancialEvents | None
    ) -> dict[tuple[str, str], Decimal]:
        return await self.engine.inflight(account, order_id, finances)
