"""Typed keys of the companion's application and request state, all in one place.

``companion.app.create_app`` makes what they hold; handlers and middlewares read it through
these keys. The parts themselves (gateway pool, order service, actions) know nothing of aiohttp.
"""

from __future__ import annotations

from aiohttp import web

from companion.accounts import AccountStore
from companion.actions.runtime import Runtime
from companion.amazon.pool import GatewayPool
from companion.config import Settings
from companion.http.openapi import RouteRegistry
from companion.identity import Identity
from companion.orders import OrderService
from companion.pairing import Pairing, PairingStore

SETTINGS = web.AppKey("settings", Settings)
ACCOUNTS = web.AppKey("accounts", AccountStore)
PAIRINGS = web.AppKey("pairings", PairingStore)
ROUTES = web.AppKey("routes", RouteRegistry)
GATEWAYS = web.AppKey("gateways", GatewayPool)
ORDERS = web.AppKey("orders", OrderService)
ACTIONS = web.AppKey("actions", Runtime)
IDENTITY = web.AppKey("identity", Identity)

# The pairing whose token the request carried (set by the auth middleware).
PAIRING = web.RequestKey("pairing", Pairing)
