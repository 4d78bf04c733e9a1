"""The application factory of the companion's local API."""

from __future__ import annotations

import importlib
import importlib.util

from aiohttp import web

from companion.accounts import AccountStore
from companion.config import Settings
from companion.http import routes
from companion.http.auth import setup_auth
from companion.http.cors import setup_cors
from companion.http.errors import setup_errors
from companion.http.host import setup_host
from companion.http.keys import ACCOUNTS, PAIRINGS, ROUTES, SETTINGS
from companion.http.limits import setup_limits
from companion.http.openapi import RouteRegistry
from companion.http.origin import OriginPolicy, setup_origin
from companion.http.pairing import PairingStore

# Parts that register their own routes, workers and state on the app.
FEATURES = ("companion.orders", "companion.actions")


def _setup_features(app: web.Application) -> None:
    for name in FEATURES:
        # find_spec, not try/except ImportError: a real import error inside a feature must show.
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        setup = getattr(importlib.import_module(name), "setup", None)
        if setup is not None:
            setup(app)


def create_app(settings: Settings, *, store: AccountStore | None = None) -> web.Application:
    """The companion's aiohttp application: state, hardening middlewares, every route."""
    settings.make_private_dirs()
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[ACCOUNTS] = store or AccountStore(settings)
    app[PAIRINGS] = pairings = PairingStore.for_settings(settings)
    app[ROUTES] = RouteRegistry()
    policy = OriginPolicy(pairings.origins)
    # Outermost first: errors wrap everything; cheap refusals come before the token lookup.
    setup_errors(app)
    setup_host(app)
    setup_limits(app, settings.max_body_bytes)
    setup_cors(app, policy)
    setup_origin(app, policy)
    setup_auth(app, pairings.verify)
    routes.setup(app)
    _setup_features(app)
    return app
