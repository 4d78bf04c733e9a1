"""Origin check: state-changing requests only from a paired extension; web origins never."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from companion.errors import Forbidden
from companion.pairing import is_extension_origin

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Before pairing the extension has no paired origin yet; these routes take any extension origin.
PRE_PAIRING_ROUTES = frozenset(
    {("POST", "/v1/pair"), ("GET", "/v1/health"), ("GET", "/v1/openapi.json")}
)


class OriginNotAllowed(Forbidden):
    default_code = "origin_not_allowed"
    default_message = (
        "spdesk only takes this request from its paired browser extension, not from a web page."
    )


@dataclass(frozen=True)
class OriginPolicy:
    """Which Origin may call which route: paired extensions everywhere, others only to pair."""

    paired_origins: Callable[[], set[str]]

    def allows(self, method: str, path: str, origin: str | None) -> bool:
        """True when a request with this Origin (or none) may go on."""
        if origin is None:
            # Extensions send no Origin on GET; a state change always has one.
            return method not in STATE_CHANGING
        if (method, path) in PRE_PAIRING_ROUTES and is_extension_origin(origin):
            return True
        return origin in self.paired_origins()


def request_origin(request: web.BaseRequest) -> str | None:
    """The request's one Origin; two of them (never sent by a browser) are refused outright."""
    origins = request.headers.getall("Origin", [])
    if len(origins) > 1:
        raise OriginNotAllowed()
    return origins[0] if origins else None


def loaded_by_a_page(request: web.BaseRequest) -> bool:
    """True for ``<img>``, ``<script>``, frames and navigations: the extension only uses fetch()."""
    # Such loads carry no Origin on GET, so without this a web page could tell from its
    # onload/onerror whether spdesk runs on this computer.
    dest = request.headers.get("Sec-Fetch-Dest")
    return dest is not None and dest != "empty"


def setup_origin(app: web.Application, policy: OriginPolicy) -> None:
    """Refuse a missing Origin on POST/PUT/PATCH/DELETE and any Origin that is not paired."""

    @web.middleware
    async def origin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if loaded_by_a_page(request):
            raise OriginNotAllowed()
        method = "GET" if request.method == "HEAD" else request.method
        if method != "OPTIONS" and not policy.allows(method, request.path, request_origin(request)):
            raise OriginNotAllowed()
        return await handler(request)

    app.middlewares.append(origin_middleware)
