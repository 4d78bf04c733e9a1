"""Live action events: an in-process bus and the server-sent events stream GET /v1/events."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any

from aiohttp import web

from companion.actions.models import Action

_CLOSE: dict[str, Any] = {}


class EventBus:
    """Fan-out of action changes to every connected stream; a slow stream drops its oldest."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._queue_size = queue_size

    def publish(self, action: Action) -> None:
        """Send an action's new state to every subscriber (never blocks)."""
        payload = action.to_json()
        for queue in list(self._subscribers):
            if queue.full():
                with suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(payload)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A new queue that receives every later event."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop delivering to this queue."""
        self._subscribers.discard(queue)

    def close(self) -> None:
        """Tell every stream to end (on shutdown)."""
        for queue in list(self._subscribers):
            with suppress(asyncio.QueueFull):
                queue.put_nowait(_CLOSE)

    @property
    def subscribers(self) -> int:
        """How many streams are connected."""
        return len(self._subscribers)


async def stream(request: web.Request, bus: EventBus, keepalive: float) -> web.StreamResponse:
    """Write each action event as `event: action` until the client goes or the app stops."""
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no"})
    queue = bus.subscribe()
    try:
        await response.prepare(request)
        await response.write(b": connected\n\n")
        while True:
            try:
                payload = await asyncio.wait_for(queue.get(), timeout=keepalive)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if payload is _CLOSE:
                break
            data = json.dumps(payload, separators=(",", ":"))
            await response.write(f"event: action\ndata: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        bus.unsubscribe(queue)
    return response
