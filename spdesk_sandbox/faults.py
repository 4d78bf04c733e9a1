"""Fault injection per operation, switched on at run time (control API or `state.faults.add`).

Kinds: HTML 5xx, slow answers, timeouts, 429 storms, expired tokens, 4xx refusals, and FATAL or
stuck feeds.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiohttp import web

from spdesk_sandbox.throttle import (
    USAGE_PLANS,
    Handler,
    Throttle,
    operation_of,
    quota_exceeded,
)


class FaultKind(StrEnum):
    """What an injected fault does."""

    HTML_500 = "html_500"  # 500 with an HTML body (the client library sees an empty success)
    HTML_503 = "html_503"  # 503 with an HTML body
    SLOW = "slow"  # answer normally after delaySeconds (real seconds)
    TIMEOUT = "timeout"  # hold the request delaySeconds, then 504 HTML: clients time out first
    THROTTLE = "throttle"  # 429 QuotaExceeded (a 429 storm with a count)
    EXPIRED_TOKEN = "expired_token"  # 403 Unauthorized "access token ... has expired"
    # A refusal with Amazon's ErrorList body: nothing is applied, a client must not resend it.
    STATUS_400 = "status_400"
    STATUS_401 = "status_401"
    STATUS_404 = "status_404"
    STATUS_408 = "status_408"
    STATUS_409 = "status_409"
    STATUS_413 = "status_413"
    STATUS_415 = "status_415"
    STATUS_422 = "status_422"
    FEED_FATAL = "feed_fatal"  # the next feed(s) end FATAL
    FEED_STUCK = "feed_stuck"  # the next feed(s) stay IN_PROGRESS until faults are cleared


FEED_KINDS = frozenset({FaultKind.FEED_FATAL, FaultKind.FEED_STUCK})
DEFAULT_DELAYS = {FaultKind.SLOW: 2.0, FaultKind.TIMEOUT: 60.0}
ANY_OPERATION = "*"


class FaultError(ValueError):
    """A fault setting the sandbox cannot apply; the message names the problem."""


@dataclass(slots=True)
class Fault:
    """One injected fault; `remaining` None means until cleared."""

    id: int
    kind: FaultKind
    operation: str  # an operation name or "*" (feed faults: "createFeed")
    remaining: int | None
    delay_seconds: float

    def to_json(self) -> dict[str, Any]:
        """The control API's view of the fault."""
        return {
            "id": self.id,
            "kind": str(self.kind),
            "operation": self.operation,
            "count": self.remaining,
            "delaySeconds": self.delay_seconds,
        }


class FaultSettings:
    """The active faults, consumed in the order they were added."""

    def __init__(self, operations: Iterable[str] | None = None) -> None:
        self.operations = frozenset(operations or USAGE_PLANS)
        self.active: list[Fault] = []
        self._ids = itertools.count(1)
        self.cleared = asyncio.Event()

    def add(
        self,
        kind: str,
        operation: str | None = None,
        count: int | None = 1,
        delay_seconds: float | None = None,
    ) -> Fault:
        """Inject a fault for `count` requests (None: until cleared); FaultError if invalid."""
        try:
            fault_kind = FaultKind(kind)
        except ValueError:
            known = ", ".join(k.value for k in FaultKind)
            raise FaultError(f"unknown fault kind {kind!r}; known kinds: {known}") from None
        if fault_kind in FEED_KINDS:
            if operation not in (None, ANY_OPERATION, "createFeed"):
                raise FaultError(f"{kind} applies to feeds, not to operation {operation!r}")
            operation = "createFeed"
        operation = operation or ANY_OPERATION
        if operation != ANY_OPERATION and operation not in self.operations:
            raise FaultError(f"unknown operation {operation!r}; use an SP-API operationId or '*'")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise FaultError(f"count must be a positive integer or null, got {count!r}")
        delay = DEFAULT_DELAYS.get(fault_kind, 0.0) if delay_seconds is None else delay_seconds
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise FaultError(f"delaySeconds must be a number of seconds >= 0, got {delay!r}")
        fault = Fault(next(self._ids), fault_kind, operation, count, float(delay))
        self.active.append(fault)
        self.cleared.clear()
        return fault

    def clear(self) -> None:
        """Remove every fault and release requests held by slow/timeout faults."""
        self.active.clear()
        self.cleared.set()

    def _consume(self, fault: Fault) -> Fault:
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.active.remove(fault)
        return fault

    def take(self, operation: str) -> Fault | None:
        """The next request fault for this operation, consuming one of its count."""
        for fault in self.active:
            if fault.kind in FEED_KINDS:
                continue
            if fault.operation in (ANY_OPERATION, operation):
                return self._consume(fault)
        return None

    def take_feed_fault(self) -> str | None:
        """For a newly created feed: "feed_fatal", "feed_stuck" or None."""
        for fault in self.active:
            if fault.kind in FEED_KINDS:
                return str(self._consume(fault).kind)
        return None

    def to_json(self) -> list[dict[str, Any]]:
        """Every active fault, for the control API."""
        return [f.to_json() for f in self.active]


def html_error(status: int) -> web.Response:
    """An HTML error page like the ones Amazon's edge returns."""
    reason = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}
    title = f"{status} {reason.get(status, 'Error')}"
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return web.Response(status=status, text=body, content_type="text/html")


# Amazon's error code for each refusal status (models: errors of every operation).
REFUSAL_CODES = {
    400: "InvalidInput",
    401: "Unauthorized",
    404: "NotFound",
    408: "RequestTimeout",
    409: "Conflict",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Unprocessable",
}


def refusal(status: int) -> web.Response:
    """A 4xx refusal with Amazon's ErrorList body."""
    error = {"code": REFUSAL_CODES[status], "message": "The request was refused (injected)."}
    return web.json_response({"errors": [error]}, status=status)


def expired_token() -> web.Response:
    """Amazon's 403 for an expired access token."""
    error = {
        "code": "Unauthorized",
        "message": "Access to requested resource is denied.",
        "details": "The access token you provided has expired.",
    }
    return web.json_response({"errors": [error]}, status=403)


async def _hold(faults: FaultSettings, seconds: float) -> None:
    """Wait `seconds` (real time), or less if the faults are cleared meanwhile."""
    try:
        await asyncio.wait_for(faults.cleared.wait(), timeout=seconds)
    except TimeoutError:
        pass


def setup_faults(app: web.Application, faults: FaultSettings, throttle: Throttle) -> None:
    """Install the fault-injection middleware for SP-API operations."""

    @web.middleware
    async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        operation = operation_of(request)
        fault = faults.take(operation) if operation else None
        if fault is None or operation is None:
            return await handler(request)
        if fault.kind is FaultKind.SLOW:
            await _hold(faults, fault.delay_seconds)
            return await handler(request)  # the usage plan counts it as usual
        throttle.record(operation, throttled=fault.kind is FaultKind.THROTTLE)
        if fault.kind is FaultKind.TIMEOUT:
            await _hold(faults, fault.delay_seconds)
            return html_error(504)
        if fault.kind is FaultKind.THROTTLE:
            return quota_exceeded()
        if fault.kind is FaultKind.EXPIRED_TOKEN:
            return expired_token()
        if fault.kind.startswith("status_"):
            return refusal(int(fault.kind.removeprefix("status_")))
        return html_error(503 if fault.kind is FaultKind.HTML_503 else 500)

    app.middlewares.append(fault_middleware)
