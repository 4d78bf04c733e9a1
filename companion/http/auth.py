"""Bearer-token auth: every route but the public ones needs the token of an active pairing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator

from aiohttp import web
from aiohttp.typedefs import Handler

from companion.errors import Unauthorized
from companion.http.openapi import PUBLIC_ROUTES
from companion.keys import PAIRING
from companion.pairing import Pairing

log = logging.getLogger(__name__)

# How often running requests are checked against revocations made by 'spdesk pair --revoke'.
RECHECK_EVERY = 1.0


class TokenRevoked(Unauthorized):
    default_code = "token_revoked"
    default_message = (
        "This browser's pairing with spdesk was revoked or is unknown. "
        "Pair it again with the code from 'spdesk pair'."
    )


def bearer_token(request: web.BaseRequest) -> str | None:
    """The token of the one ``Authorization: Bearer …`` header, if there is exactly one."""
    values = request.headers.getall("Authorization", [])
    if len(values) != 1:
        return None
    scheme, _, token = values[0].partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


# A revocation applies to the next request, and also to requests still running under the revoked
# token: the event stream (GET /v1/events) stays open for hours, so it is cut within seconds.
class OpenRequests:
    """GET requests still running under a token; ``cut_revoked`` ends those revoked since."""

    def __init__(self, verify: Callable[[str], Pairing | None]) -> None:
        self.verify = verify
        self._open: dict[asyncio.Task[object], tuple[str, web.BaseRequest]] = {}

    def __len__(self) -> int:
        return len(self._open)

    @contextlib.contextmanager
    def track(self, request: web.BaseRequest, token: str) -> Iterator[None]:
        """Remember the running request while its handler runs."""
        task = asyncio.current_task()
        assert task is not None
        self._open[task] = (token, request)
        try:
            yield
        finally:
            self._open.pop(task, None)

    def cut_revoked(self) -> int:
        """Close the connection of every running request whose token is no longer active."""
        cut = 0
        for task, (token, request) in list(self._open.items()):
            pairing = self.verify(token)
            if pairing is not None and pairing.active:
                continue
            self._open.pop(task, None)
            if request.transport is not None:
                request.transport.close()
            task.cancel()  # only GETs are tracked: they change nothing, so stopping one is safe
            cut += 1
        return cut

    async def watch(self, every: float) -> None:
        """Check the running requests every ``every`` seconds, for ever."""
        while True:
            await asyncio.sleep(every)
            if not self._open:
                continue
            try:
                if self.cut_revoked():
                    log.info("closed a stream of a revoked pairing")
            except Exception:  # a damaged pairing store must not end the watch
                log.warning("could not check open streams against revoked pairings")


def setup_auth(
    app: web.Application,
    verify: Callable[[str], Pairing | None],
    public: frozenset[tuple[str, str]] = PUBLIC_ROUTES,
    recheck_every: float = RECHECK_EVERY,
) -> None:
    """Require an active pairing's token; the request's pairing is then at ``request[PAIRING]``."""
    running = OpenRequests(verify)

    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        method = "GET" if request.method == "HEAD" else request.method
        if (method, request.path) in public:
            return await handler(request)
        token = bearer_token(request)
        if token is None:
            raise Unauthorized()
        pairing = verify(token)
        if pairing is None or not pairing.active:
            raise TokenRevoked()
        request[PAIRING] = pairing
        if method != "GET":
            return await handler(request)
        with running.track(request, token):
            return await handler(request)

    async def watch_revocations(_app: web.Application) -> AsyncIterator[None]:
        watcher = asyncio.create_task(running.watch(recheck_every))
        yield
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher

    app.middlewares.append(auth_middleware)
    app.cleanup_ctx.append(watch_revocations)
