"""Client-side token buckets: stay inside Amazon's usage plans instead of collecting 429s."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """Amazon's published plan for one operation: sustained requests per second and burst."""

    rate: float
    burst: int


# Amazon's default usage plans (DOMAIN.md §5 and the models' docs).
USAGE_PLANS: dict[str, UsagePlan] = {
    "getOrder": UsagePlan(0.5, 30),
    "listFinancialEventsByOrderId": UsagePlan(0.5, 30),
    "getFulfillmentOrder": UsagePlan(2.0, 30),
    "cancelFulfillmentOrder": UsagePlan(2.0, 30),
    "createFeedDocument": UsagePlan(0.5, 15),
    "createFeed": UsagePlan(0.0083, 15),
    "getFeed": UsagePlan(2.0, 15),
    "getFeeds": UsagePlan(0.0222, 10),
    "getFeedDocument": UsagePlan(0.0222, 10),
}
DEFAULT_PLAN = UsagePlan(0.5, 10)
MAX_POLL_SECONDS = 0.25


class TokenBucket:
    """Amazon's algorithm on our side: `burst` tokens, refilled at `rate` per second."""

    def __init__(self, plan: UsagePlan, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = plan.rate
        self.burst = float(plan.burst)
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    @property
    def tokens(self) -> float:
        """Tokens available now."""
        self._refill()
        return self._tokens

    def try_take(self) -> float:
        """Take a token and return 0, or return the seconds until one is due (nothing taken)."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate

    def adopt_rate(self, rate: float) -> None:
        """Use the rate Amazon says it applies (`x-amzn-RateLimit-Limit`) from now on."""
        if rate > 0 and rate != self.rate:
            self._refill()
            self.rate = rate

    def drain(self) -> None:
        """Amazon throttled us anyway: assume its bucket is empty so others slow down too."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)


class SharedBuckets(Protocol):
    """Token buckets a team keeps in its ledger: Amazon meters the seller, not the computer."""

    async def try_take(self, account: str, operation: str, rate: float, burst: float) -> float:
        """Take a token and return 0, or the seconds until one is due (nothing taken)."""

    async def tokens(self, account: str, operation: str, rate: float, burst: float) -> float:
        """Tokens available now."""

    async def drain(self, account: str, operation: str) -> None:
        """Amazon throttled a teammate: the bucket is empty for everyone."""


class RateLimiter:
    """One token bucket per SP-API operation for one seller account.

    With `shared` (team mode) the tokens live in the team's ledger; this companion's buckets
    then only remember the rate Amazon announced and a throttle to pass on.
    """

    def __init__(
        self,
        plans: dict[str, UsagePlan] | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        shared: SharedBuckets | None = None,
        account: str = "",
    ) -> None:
        self._plans = plans or USAGE_PLANS
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._shared = shared
        self._account = account
        self._throttled: set[str] = set()

    def bucket(self, operation: str) -> TokenBucket:
        """The bucket of an operation, created full on first use."""
        if operation not in self._buckets:
            plan = self._plans.get(operation, DEFAULT_PLAN)
            self._buckets[operation] = TokenBucket(plan, self._clock)
        return self._buckets[operation]

    async def acquire(self, operation: str, max_wait: float = math.inf) -> bool:
        """Wait for a token; False (nothing taken) when it would take longer than `max_wait`."""
        waited = 0.0
        while (due := await self._try_take(operation)) > 0:
            if waited + due > max_wait:
                return False
            # Re-check often: a rate learnt from Amazon's headers meanwhile shortens the wait.
            step = min(due, MAX_POLL_SECONDS)
            await asyncio.sleep(step)
            waited += step
        return True

    async def _try_take(self, operation: str) -> float:
        bucket = self.bucket(operation)
        if self._shared is None:
            return bucket.try_take()
        if operation in self._throttled:
            self._throttled.discard(operation)
            await self._shared.drain(self._account, operation)
        return await self._shared.try_take(self._account, operation, bucket.rate, bucket.burst)

    async def peek(self, operation: str) -> tuple[float, float]:
        """(tokens available now, refill rate per second) of an operation, nothing taken."""
        bucket = self.bucket(operation)
        if self._shared is None:
            return bucket.tokens, bucket.rate
        tokens = await self._shared.tokens(self._account, operation, bucket.rate, bucket.burst)
        return tokens, bucket.rate

    def throttled(self, operation: str) -> None:
        """Amazon answered 429: assume its bucket is empty (for the whole team in team mode)."""
        self.bucket(operation).drain()
        if self._shared is not None:
            self._throttled.add(operation)

    def observe(self, operation: str, rate_header: str | None) -> None:
        """Learn the applied rate from a response header, when Amazon sends one."""
        rate = parse_rate(rate_header)
        if rate is not None:
            self.bucket(operation).adopt_rate(rate)


def parse_rate(value: str | None) -> float | None:
    """The requests-per-second number of an `x-amzn-RateLimit-Limit` header, if it is one."""
    if not value:
        return None
    try:
        rate = float(value.split(",")[0].strip())
    except ValueError:
        return None
    return rate if rate > 0 else None
