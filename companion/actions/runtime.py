"""The actions part's state on the app and its lifecycle (journal, engine, resume, shutdown)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import web

from companion.actions.engine import Engine, EngineTiming
from companion.actions.events import EventBus
from companion.actions.journal import Journal
from companion.actions.resolve import ResolutionWatcher
from companion.actions.service import ActionService
from companion.config import Settings

JOURNAL_FILE = "actions.sqlite3"


@dataclass
class Runtime:
    """Filled in when the app starts (the app itself is frozen by then)."""

    bus: EventBus = field(default_factory=EventBus)
    keepalive: float = 15.0
    journal: Journal = field(init=False)
    engine: Engine = field(init=False)
    service: ActionService = field(init=False)


RUNTIME = web.AppKey("actions_runtime", Runtime)


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
    )


async def lifecycle(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: open the journal, resume unfinished actions; on shutdown stop cleanly."""
    from companion.amazon import GATEWAYS
    from companion.http.keys import ACCOUNTS, SETTINGS
    from companion.orders import ORDERS

    settings, store, orders = app[SETTINGS], app[ACCOUNTS], app[ORDERS]
    runtime = app[RUNTIME]
    runtime.keepalive = settings.events_keepalive
    runtime.journal = Journal(settings.data_dir / JOURNAL_FILE, on_change=runtime.bus.publish)

    def seller_of(name: str) -> str:
        return store.get(name).seller_id or name

    runtime.engine = Engine(
        runtime.journal,
        runtime.bus,
        app[GATEWAYS].get,
        seller_of,
        timing_of(settings),
        on_settled=lambda action: orders.invalidate(action.order_id),
    )
    runtime.service = ActionService(
        runtime.engine, orders, lambda n: store.resolve(n).name, settings.refund_overlap_window
    )

    async def inflight(
        account: Any, order_id: str, finances: Any = None
    ) -> dict[tuple[str, str], Decimal]:
        name = account if isinstance(account, str) else getattr(account, "name", account)
        return runtime.engine.inflight(name, order_id, finances)

    orders.add_inflight_provider(inflight)
    runtime.engine.resume()
    # `spdesk action resolve` writes the journal from another process: announce its changes.
    watcher = ResolutionWatcher(runtime.journal, runtime.bus, orders.invalidate)
    runtime.engine.spawn(watcher.run(), "resolutions")
    try:
        yield
    finally:
        runtime.bus.close()
        await runtime.engine.close()
        runtime.journal.close()
