"""GET /v1/events: every action's state changes as server-sent events, in commit order."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from companion.actions.events import EventBus
from companion.keys import ACTIONS, ROUTES


async def stream(request: web.Request, bus: EventBus, keepalive: float) -> web.StreamResponse:
    """Write each action event as `event: action` until the client goes or the app stops."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    subscription = bus.subscribe()
    try:
        await response.prepare(request)
        await response.write(b": connected\n\n")
        while True:
            try:
                action = await asyncio.wait_for(subscription.get(), timeout=keepalive)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if action is None:
                break
            data = json.dumps(action.to_json(), separators=(",", ":"))
            await response.write(f"event: action\ndata: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        bus.unsubscribe(subscription)
    return response


async def events(request: web.Request) -> web.StreamResponse:
    """GET /v1/events: server-sent events, one `action` event per state change."""
    runtime = request.app[ACTIONS]
    return await stream(request, runtime.bus, runtime.keepalive)


def setup(app: web.Application) -> None:
    """Register the event stream."""
    app[ROUTES].add(
        app.router,
        "GET",
        "/v1/events",
        events,
        summary="Live action events (SSE)",
        content_type="text/event-stream",
    )
