"""Typed keys of the companion's application state, all in one place."""

from __future__ import annotations

from aiohttp import web

from companion.accounts import AccountStore
from companion.config import Settings
from companion.http.openapi import RouteRegistry
from companion.http.pairing import PairingStore

SETTINGS = web.AppKey("settings", Settings)
ACCOUNTS = web.AppKey("accounts", AccountStore)
PAIRINGS = web.AppKey("pairings", PairingStore)
ROUTES = web.AppKey("routes", RouteRegistry)
