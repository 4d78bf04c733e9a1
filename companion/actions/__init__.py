"""Refunds and cancellations: journal, exactly-once guards, feed batching, live status, audit."""

from __future__ import annotations

from aiohttp import web

from companion.actions.routes import add_routes
from companion.actions.runtime import RUNTIME, Runtime, lifecycle


def setup(app: web.Application) -> None:
    """Register the action routes and start the journal and workers with the app."""
    from companion.amazon import setup_gateways

    setup_gateways(app)
    app[RUNTIME] = Runtime()
    add_routes(app)
    app.cleanup_ctx.append(lifecycle)


__all__ = ["RUNTIME", "setup"]
