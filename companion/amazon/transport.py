"""The httpx client under python-amazon-sp-api: records every raw response of a gateway call.

The library hides status codes and headers of non-JSON answers, so the gateway gives it an httpx
client whose response hook stores each response (body read) in a per-call context variable.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import httpx

_SINK: ContextVar[list[httpx.Response] | None] = ContextVar("spdesk_sp_api_sink", default=None)


class _DropLibraryDebug(logging.Filter):
    """python-amazon-sp-api logs request headers (the access token) at DEBUG: never let them out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def silence_library_debug() -> None:
    """Install the filter on the library's loggers, whatever level someone sets them to."""
    for name in ("sp_api.asyncio.base.client", "sp_api.base.client", "sp_api"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropLibraryDebug) for f in logger.filters):
            logger.addFilter(_DropLibraryDebug())


async def _fix_host(request: httpx.Request) -> None:
    # The library sends Host as endpoint[8:], which mangles http:// endpoints such as the sandbox.
    request.headers["host"] = request.url.netloc.decode("ascii")


async def _record(response: httpx.Response) -> None:
    sink = _SINK.get()
    if sink is not None:
        await response.aread()
        sink.append(response)


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for the process: loading the CA store costs ~20 ms each time."""
    return httpx.create_ssl_context()


def new_http_client(timeout: float) -> httpx.AsyncClient:
    """A pooled httpx client whose responses the gateway observes (one per library client)."""
    return httpx.AsyncClient(
        verify=tls_context(),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        event_hooks={"request": [_fix_host], "response": [_record]},
    )


class ObservedTransport:
    """The library's transport interface over one of the gateway's observed httpx clients."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        content: Any = None,
        headers: Any = None,
    ) -> httpx.Response:
        """Send one request through the observed client."""
        # No timeout argument: the client's own apply. The library's transport passes
        # `timeout=None`, which would switch them off.
        return await self._client.request(
            method, url, params=params, data=data, content=content, headers=headers
        )

    async def aclose(self) -> None:
        """Nothing to do: the gateway owns and closes its httpx clients."""


@contextmanager
def recording() -> Iterator[list[httpx.Response]]:
    """Collect the raw responses of the calls made inside this block (same task only)."""
    sink: list[httpx.Response] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)
