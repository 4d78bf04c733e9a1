"""Usage plans: one token bucket per operation with Amazon's rates and bursts, 429 when empty.

The table below is the one place the sandbox's rate limits are written down (DOMAIN.md §5,
Amazon's "Usage Plans" pages). Rates are requests per second, burst is the bucket size.
`rate_scale` multiplies the rates only (bursts stay Amazon's), so 1.0 is Amazon's real plan.
Buckets refill in real time: advancing the virtual clock does not buy requests.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from spdesk_sandbox.errors import SpApiError


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """Rate (requests per second) and burst of one operation."""

    rate: float
    burst: int


USAGE_PLANS: dict[str, UsagePlan] = {
    # Orders v2026-01-01
    "getOrder": UsagePlan(0.5, 30),
    "searchOrders": UsagePlan(0.0056, 20),
    # Orders v0 (deprecated; served as a convenience)
    "ordersV0.getOrders": UsagePlan(0.0167, 20),
    "ordersV0.getOrder": UsagePlan(0.5, 30),
    "ordersV0.getOrderItems": UsagePlan(0.5, 30),
    # Feeds 2021-06-30
    "createFeed": UsagePlan(0.0083, 15),
    "createFeedDocument": UsagePlan(0.5, 15),
    "getFeed": UsagePlan(2.0, 15),
    "getFeeds": UsagePlan(0.0222, 10),
    "cancelFeed": UsagePlan(2.0, 15),
    "getFeedDocument": UsagePlan(0.0222, 10),
    # Finances v0
    "listFinancialEventsByOrderId": UsagePlan(0.5, 30),
    "listFinancialEvents": UsagePlan(0.5, 30),
    "listFinancialEventGroups": UsagePlan(0.5, 30),
    "listFinancialEventsByGroupId": UsagePlan(0.5, 30),
    # Fulfillment Outbound 2020-07-01
    "getFulfillmentOrder": UsagePlan(2.0, 30),
    "listAllFulfillmentOrders": UsagePlan(2.0, 30),
    "cancelFulfillmentOrder": UsagePlan(2.0, 30),
    "createFulfillmentOrder": UsagePlan(2.0, 30),
    "updateFulfillmentOrder": UsagePlan(2.0, 30),
    "getFulfillmentPreview": UsagePlan(2.0, 30),
    "getPackageTrackingDetails": UsagePlan(2.0, 30),
    # Messaging
    "getMessagingActionsForOrder": UsagePlan(1.0, 5),
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
# The models give the header to answers of requests the usage plan let through, never to a 429.
RATE_LIMITED_STATUSES = frozenset({200, 201, 202, 204, 400, 404})


@dataclass(slots=True)
class TokenBucket:
    """A bucket of `burst` tokens refilled at `rate` per real second."""

    rate: float
    burst: int
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def take(self) -> bool:
        """Take one token if there is one."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(slots=True)
class OperationUsage:
    """How often an operation was called and how often it answered 429."""

    requests: int = 0
    throttled: int = 0


class Throttle:
    """The usage plans of one selling partner, with per-operation counters."""

    def __init__(self, rate_scale: float = 1.0, plans: dict[str, UsagePlan] | None = None) -> None:
        self.rate_scale = rate_scale
        self.plans = dict(plans or USAGE_PLANS)
        self.buckets: dict[str, TokenBucket] = {}
        self.usage: dict[str, OperationUsage] = {}
        # Every request that reached an operation's route, whatever answered it (token check,
        # fault, usage plan or handler): what a test counts to prove a call was not repeated.
        self.received: Counter[str] = Counter()

    def reset(self) -> None:
        """Full buckets and zero counters."""
        self.buckets.clear()
        self.usage.clear()
        self.received.clear()

    def rate(self, operation: str) -> float:
        """The applied (scaled) rate of an operation, requests per second."""
        return self.plans[operation].rate * self.rate_scale

    def _bucket(self, operation: str) -> TokenBucket:
        bucket = self.buckets.get(operation)
        if bucket is None:
            plan = self.plans[operation]
            bucket = self.buckets[operation] = TokenBucket(self.rate(operation), plan.burst)
        return bucket

    def acquire(self, operation: str) -> bool:
        """Count one request; True when the usage plan lets it through."""
        usage = self.usage.setdefault(operation, OperationUsage())
        usage.requests += 1
        if self._bucket(operation).take():
            return True
        usage.throttled += 1
        return False

    def record(self, operation: str, throttled: bool = False) -> None:
        """Count one request answered by an injected fault (429 when `throttled`)."""
        usage = self.usage.setdefault(operation, OperationUsage())
        usage.requests += 1
        usage.throttled += int(throttled)

    def snapshot(self) -> dict[str, dict[str, float | int]]:
        """Per-operation counters plus the applied plan, for /_sandbox/usage."""
        return {
            op: {
                "requests": u.requests,
                "throttled": u.throttled,
                "rate": self.rate(op),
                "burst": self.plans[op].burst,
            }
            for op, u in sorted(self.usage.items())
        }


def format_rate(rate: float) -> str:
    """The header value Amazon uses: a plain decimal like '0.5' or '0.0083'."""
    return f"{rate:.4f}".rstrip("0").rstrip(".") or "0"


def quota_exceeded() -> web.Response:
    """Amazon's 429 body."""
    body = {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    return web.json_response(body, status=429)


# Paths that are not SP-API operations: no token, no usage plan, no injected faults.
EXEMPT_PREFIXES = ("/auth/", "/_sandbox/", "/_docs/")


def operation_of(request: web.Request) -> str | None:
    """The SP-API operation a request was routed to (its route name), or None."""
    if request.path.startswith(EXEMPT_PREFIXES):
        return None
    return request.match_info.route.name


def setup_counting(app: web.Application, throttle: Throttle) -> None:
    """Count every SP-API request before anything can answer it (`Throttle.received`)."""

    @web.middleware
    async def count_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        operation = operation_of(request)
        if operation is not None:
            throttle.received[operation] += 1
        return await handler(request)

    app.middlewares.append(count_middleware)


def setup_throttle(app: web.Application, throttle: Throttle) -> None:
    """Install the usage-plan middleware: 429 QuotaExceeded when an operation's bucket is empty."""

    @web.middleware
    async def throttle_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        operation = operation_of(request)
        if operation is None or operation not in throttle.plans:
            return await handler(request)
        if not throttle.acquire(operation):
            return quota_exceeded()
        try:
            response = await handler(request)
        except SpApiError as exc:
            response = exc.response()
        if response.status in RATE_LIMITED_STATUSES:
            response.headers[RATE_LIMIT_HEADER] = format_rate(throttle.rate(operation))
        return response

    app.middlewares.append(throttle_middleware)
