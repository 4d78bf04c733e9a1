"""The companion's aiohttp application, put together in one place and in the order it runs.

Read top to bottom: the parts every request may use (put on the app under ``companion.keys``),
the middlewares (outermost first), the routes of each part, then the resources that live as long
as the app runs (cleanup contexts: opened in this order at start-up, closed in reverse).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from companion.accounts import AccountStore
from companion.actions.runtime import Runtime
from companion.amazon.pool import GatewayPool
from companion.config import Settings
from companion.http import actions as action_routes
from companion.http import events as event_routes
from companion.http import orders as order_routes
from companion.http import routes as companion_routes
from companion.http import team as team_routes
from companion.http.auth import setup_auth
from companion.http.cors import setup_cors
from companion.http.errors import setup_errors
from companion.http.host import setup_host
from companion.http.limits import setup_limits
from companion.http.openapi import RouteRegistry
from companion.http.origin import OriginPolicy, setup_origin
from companion.identity import load_identity
from companion.keys import (
    ACCOUNTS,
    ACTIONS,
    GATEWAYS,
    IDENTITY,
    ORDERS,
    PAIRINGS,
    ROUTES,
    SETTINGS,
)
from companion.ledger.factory import ledger_for
from companion.ledger.postgres import PostgresLedger
from companion.orders import OrderService
from companion.pairing import PairingStore
from companion.storage import check_writable


def create_app(settings: Settings, *, store: AccountStore | None = None) -> web.Application:
    """The companion's application: shared parts, hardening middlewares, routes, resources."""
    settings.make_private_dirs()
    app = web.Application(client_max_size=settings.max_body_bytes)

    # The parts: accounts and pairings on disk, one SP-API gateway per account, order views
    # read through them, and the refunds and cancellations engine on top of both.
    store = store or AccountStore(settings)
    pairings = PairingStore.for_settings(settings)
    # The ledger: this companion's journal file, or the team's PostgreSQL database (team mode),
    # which also keeps the team's Amazon token buckets.
    ledger = ledger_for(settings)
    shared = ledger.buckets if isinstance(ledger, PostgresLedger) else None
    gateways = GatewayPool(store, shared_buckets=shared)
    orders = OrderService(gateways, ttl=settings.order_cache_ttl)
    app[SETTINGS] = settings
    app[ACCOUNTS] = store
    app[PAIRINGS] = pairings
    app[ROUTES] = RouteRegistry()
    app[GATEWAYS] = gateways
    app[ORDERS] = orders
    app[ACTIONS] = Runtime(settings, store, orders, gateways, ledger)
    app[IDENTITY] = load_identity(settings.data_dir)

    # Middlewares, outermost first: errors wrap everything; cheap refusals come before the
    # token lookup.
    policy = OriginPolicy(pairings.origins)
    setup_errors(app)
    setup_host(app)
    setup_limits(app, settings.max_body_bytes)
    setup_cors(app, policy)
    setup_origin(app, policy)
    setup_auth(app, pairings.verify)

    # Routes, each described in GET /v1/openapi.json.
    companion_routes.setup(app)
    order_routes.setup(app)
    action_routes.setup(app)
    event_routes.setup(app)
    team_routes.setup(app)

    # Resources for as long as the app runs; the files first, so an unusable one is said at
    # once (companion.storage) before anything else starts.
    app.cleanup_ctx.append(usable_files)
    app.cleanup_ctx.append(gateway_connections)
    app.cleanup_ctx.append(actions_engine)
    app.on_shutdown.append(end_event_streams)
    return app


async def usable_files(app: web.Application) -> AsyncIterator[None]:
    """The data folder takes new files and the pairing file opens (the journal: actions_engine)."""
    check_writable(app[SETTINGS].data_dir)
    app[PAIRINGS].open()
    yield


async def gateway_connections(app: web.Application) -> AsyncIterator[None]:
    """The SP-API connections of every account, closed when the app stops."""
    yield
    await app[GATEWAYS].aclose()


async def actions_engine(app: web.Application) -> AsyncIterator[None]:
    """The ledger and the engine's workers: unfinished actions resume at start-up."""
    runtime = app[ACTIONS]
    await runtime.start()
    try:
        yield
    finally:
        await runtime.close()


async def end_event_streams(app: web.Application) -> None:
    """Before aiohttp waits for running handlers at shutdown, open event streams must end."""
    app[ACTIONS].bus.close()
