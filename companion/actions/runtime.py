"""Refunds and cancellations while the companion runs: journal, engine, service and event bus."""

from __future__ import annotations

import logging
from decimal import Decimal

from companion.accounts import AccountStore
from companion.actions.engine import Engine, EngineTiming
from companion.actions.events import EventBus
from companion.actions.integrity import Witness
from companion.actions.journal import JOURNAL_FILE, Journal
from companion.actions.resolve import ResolutionWatcher
from companion.actions.service import ActionService
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
    )


class Runtime:
    """The actions part of one companion: made with the app, started and closed with it.

    ``start()`` opens the journal and resumes every unfinished action (it needs the running event
    loop); ``close()`` stops the workers, whose work resumes on the next start.
    """

    journal: Journal
    engine: Engine
    service: ActionService

    def __init__(
        self, settings: Settings, store: AccountStore, orders: OrderService, gateways: GatewayPool
    ) -> None:
        self.settings = settings
        self.store = store
        self.orders = orders
        self.gateways = gateways
        self.bus = EventBus()
        self.keepalive = settings.events_keepalive

    def start(self) -> None:
        """Open the journal, wire the engine and resume unfinished actions."""
        settings, store, orders = self.settings, self.store, self.orders
        self.journal = Journal(
            settings.data_dir / JOURNAL_FILE,
            on_change=self.bus.publish,
            witness=Witness.in_folder(settings.config_dir),
        )
        self.engine = Engine(
            self.journal,
            self.bus,
            self.gateways.get,
            self._seller_of,
            timing_of(settings),
            on_settled=lambda action: orders.invalidate(action.order_id),
        )
        self.service = ActionService(
            self.engine, orders, lambda n: store.resolve(n).name, settings.refund_overlap_window
        )
        orders.add_inflight_provider(self._inflight)
        if self.journal.behind is not None:
            # Records were lost: what the journal calls unsent may have been sent. Nothing is
            # resumed and nothing new is accepted until a person acts (`spdesk journal`).
            log.error("%s", self.journal.behind.message)
        else:
            self.engine.resume()
        # `spdesk action resolve` writes the journal from another process: announce its changes.
        watcher = ResolutionWatcher(self.journal, self.bus, orders.invalidate)
        self.engine.spawn(watcher.run(), "resolutions")

    async def close(self) -> None:
        """End the event streams, stop the workers and close the journal."""
        self.bus.close()
        await self.engine.close()
        self.journal.close()

    def _seller_of(self, account: str) -> str:
        return self.store.get(account).seller_id or account

    async def _inflight(self, account: str, order_id: str) -> dict[tuple[str, str], Decimal]:
        return self.engine.inflight(account, order_id)
