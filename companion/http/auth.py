"""Bearer-token auth: every route but the public ones needs the token of an active pairing."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler

from companion.errors import Unauthorized
from companion.http.openapi import PUBLIC_ROUTES
from companion.http.pairing import Pairing

PAIRING = web.RequestKey("pairing", Pairing)


class TokenRevoked(Unauthorized):
    default_code = "token_revoked"
    default_message = ("This browser's pairing with spdesk was revoked or is unknown. "
                       "Pair it again with the code from 'spdesk pair'.")


def bearer_token(request: web.Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def setup_auth(
    app: web.Application,
    verify: Callable[[str], Pairing | None],
    public: frozenset[tuple[str, str]] = PUBLIC_ROUTES,
) -> None:
    """Require an active pairing's token; the request's pairing is then at ``request[PAIRING]``."""

    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS" or (method, request.path) in public:
            return await handler(request)
        token = bearer_token(request)
        if token is None:
            raise Unauthorized()
        pairing = verify(token)
        if pairing is None or not pairing.active:
            raise TokenRevoked()
        request[PAIRING] = pairing
        return await handler(request)

    app.middlewares.append(auth_middleware)
