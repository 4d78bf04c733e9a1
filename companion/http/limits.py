"""Body size limit: refuse large bodies before reading them, and while reading chunked ones."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from companion.errors import PayloadTooLarge


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request is larger than {limit // 1024} KiB, the most spdesk accepts.",
        params={"limitKib": limit // 1024},
        details={"limitBytes": limit},
    )


def setup_limits(app: web.Application, max_bytes: int) -> None:
    """Refuse bodies above ``max_bytes`` with 413 payload_too_large."""
    # Create the app with web.Application(client_max_size=max_bytes) as well: that is what stops
    # a chunked body (no Content-Length) while it is read.

    @web.middleware
    async def limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > max_bytes:
            raise _too_large(max_bytes)
        try:
            return await handler(request)
        except web.HTTPRequestEntityTooLarge:
            # A chunked body has no Content-Length; aiohttp stops reading at client_max_size.
            raise _too_large(max_bytes) from None

    app.middlewares.append(limits_middleware)
