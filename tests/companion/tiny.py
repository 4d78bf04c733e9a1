"""A tiny aiohttp app with one middleware installed, served on 127.0.0.1:0 for middleware tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from companion.http.errors import setup_errors


async def echo(request: web.Request) -> web.Response:
    """Answers with the body length it read, so a test sees whether the handler ran."""
    body = await request.read()
    return web.json_response({"ok": True, "read": len(body)})


@asynccontextmanager
async def tiny_app(
    *setups: Callable[[web.Application], None],
    client_max_size: int = 1024**2,
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """An app with the error middleware (domain errors as JSON), ``setups``, and echo routes."""
    app = web.Application(client_max_size=client_max_size)
    setup_errors(app)
    for setup in setups:
        setup(app)
    for path in ("/v1/health", "/v1/pair", "/v1/status", "/v1/thing"):
        app.router.add_route("*", path, echo)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        yield client
