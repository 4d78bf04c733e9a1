"""Refunds and cancellations: journal, exactly-once guards, feed batching, live status, audit."""

from __future__ import annotations

from aiohttp import web

from companion.actions.routes import add_routes
from companion.actions.runtime import RUNTIME, Runtime, lifecycle


def setup(app: web.Application) -> None:
    """Register the action routes and start the journal and workers with the app."""
    from companion.amazon import setup_gateways

    setup_gateways(app)
    runtime = app[RUNTIME] = Runtime()
    add_routes(app)
    app.cleanup_ctx.append(lifecycle)

    async def end_streams(app: web.Application) -> None:
        # Before aiohttp waits for running handlers: open event streams must end first.
        runtime.bus.close()

    app.on_shutdown.append(end_streams)


__all__ = ["RUNTIME", "setup"]
