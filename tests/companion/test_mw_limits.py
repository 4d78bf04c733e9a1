"""Body size limit middleware, alone on a tiny app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from companion.http.limits import setup_limits
from tests.companion.tiny import tiny_app

LIMIT = 1024


async def test_body_within_the_limit_is_read() -> None:
    async with tiny_app(partial(setup_limits, max_bytes=LIMIT), client_max_size=LIMIT) as client:
        response = await client.post("/v1/thing", data=b"x" * LIMIT)
        assert response.status == 200
        assert (await response.json())["read"] == LIMIT


async def test_declared_oversize_body_is_refused_before_reading() -> None:
    # aiohttp alone would read up to 10 KiB here: the middleware refuses on Content-Length.
    async with tiny_app(
        partial(setup_limits, max_bytes=LIMIT), client_max_size=10 * LIMIT
    ) as client:
        response = await client.post("/v1/thing", data=b"x" * (LIMIT + 1))
        assert response.status == 413
        body = await response.json()
        assert body["error"]["code"] == "payload_too_large"
        assert body["error"]["details"] == {"limitBytes": LIMIT}


async def test_chunked_oversize_body_is_refused_while_reading() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"y" * 512

    async with tiny_app(partial(setup_limits, max_bytes=LIMIT), client_max_size=LIMIT) as client:
        response = await client.post("/v1/thing", data=chunks())
        assert response.status == 413
        assert (await response.json())["error"]["code"] == "payload_too_large"
