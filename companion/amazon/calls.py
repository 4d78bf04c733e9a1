"""One SP-API call with token buckets, status checks, retries and access-token recovery."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from companion.amazon.clients import Target
from companion.amazon.outcome import (
    RATE_HEADER,
    Action,
    AmazonOutcomeUnknown,
    Verdict,
    judge_lwa,
    judge_sp_api,
    judge_storage,
    judge_transport_error,
)
from companion.amazon.parse import AmazonBadResponse
from companion.amazon.ratelimit import RateLimiter
from companion.amazon.retry import RetryPolicy
from companion.amazon.transport import recording
from companion.errors import AmazonThrottled

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[Any]]


@dataclass
class Reply:
    """The JSON body of the SP-API response, plus any document bytes downloaded in the call."""

    body: dict[str, Any]
    documents: list[bytes] = field(default_factory=list)


class Caller:
    """Runs library calls for one account and turns raw HTTP outcomes into results or errors."""

    def __init__(self, target: Target, limiter: RateLimiter, policy: RetryPolicy) -> None:
        self.target = target
        self.limiter = limiter
        self.policy = policy

    async def call(self, operation: str, send: Send, *, repeatable: bool = True) -> Reply:
        """Call until success or a final error; `repeatable=False` never resends after a send."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            budget = self.policy.deadline - (time.monotonic() - started)
            if not await self.limiter.acquire(operation, budget):
                # Waiting for our own bucket would outlast the call: say so now, send nothing.
                raise AmazonThrottled(details={"operation": operation})
            verdict, reply = await self._attempt(operation, send)
            if verdict.action is Action.OK:
                return reply
            if verdict.evict_token:
                # The library caches access tokens per refresh token for the whole process: the
                # next call gets a fresh one (this one fails, like every other 4xx).
                self.target.evict_access_token()
            delay = self._retry_delay(verdict, attempt, started, repeatable)
            log.warning(
                "%s for account %s failed (%s, attempt %d), retrying in %.2f s",
                operation,
                self.target.name,
                _code(verdict),
                attempt,
                delay,
            )
            await asyncio.sleep(delay)

    def _retry_delay(
        self, verdict: Verdict, attempt: int, started: float, repeatable: bool
    ) -> float:
        """Seconds to wait before trying again, or raise the error that ends the call."""
        error = verdict.error
        assert error is not None
        if verdict.action is Action.FAIL:
            raise error
        # A 429 is a refusal: resending is safe even for createFeed; anything else after a
        # send may have been applied.
        if not repeatable and verdict.sent and not isinstance(error, AmazonThrottled):
            raise AmazonOutcomeUnknown(details=error.details)
        delay = self.policy.delay(attempt, verdict.wait_hint)
        if not self.policy.allows(attempt, time.monotonic() - started, delay):
            raise error
        return delay

    async def _attempt(self, operation: str, send: Send) -> tuple[Verdict, Reply]:
        with recording() as responses:
            try:
                await send()
                failure: Exception | None = None
            except Exception as exc:  # judged below from the raw responses, which say more
                failure = exc
        return self._judge(operation, responses, failure)

    def _judge(
        self, operation: str, responses: list[httpx.Response], failure: Exception | None
    ) -> tuple[Verdict, Reply]:
        reply = Reply(body={})
        body: dict[str, Any] | None = None
        for response in responses:
            verdict = self._judge_one(operation, response)
            if verdict.action is not Action.OK:
                return verdict, reply
            sp_api = _is_sp_api(response)
            if sp_api and body is None:
                body = verdict.body
            elif not sp_api and response.request.method == "GET":
                reply.documents.append(response.content)
        if failure is None and body is not None:
            reply.body = body
            return Verdict(Action.OK, body=body), reply
        return self._failed(operation, failure), reply

    def _failed(self, operation: str, failure: Exception | None) -> Verdict:
        """No usable SP-API answer: a transport error, or nothing the library could read."""
        if isinstance(failure, httpx.TransportError):
            verdict = judge_transport_error(failure, operation)
            return verdict if _reached_sp_api(failure) else dataclasses.replace(verdict, sent=False)
        # Only the type: library exception texts are not ours to vouch for.
        log.warning(
            "%s for account %s: unreadable answer (%s)",
            operation,
            self.target.name,
            type(failure).__name__ if failure else "no body",
        )
        return Verdict(Action.FAIL, AmazonBadResponse(details={"operation": operation}))

    def _judge_one(self, operation: str, response: httpx.Response) -> Verdict:
        url = str(response.request.url)
        if url.split("?")[0] == self.target.lwa_url:
            return judge_lwa(response)
        if not _is_sp_api(response):
            return judge_storage(response, operation)
        self.limiter.observe(operation, response.headers.get(RATE_HEADER))
        if response.status_code == 429:
            self.limiter.throttled(operation)
        return judge_sp_api(response, operation)


def _code(verdict: Verdict) -> str:
    return verdict.error.code if verdict.error else "-"


def _is_sp_api(response: httpx.Response) -> bool:
    # Only SP-API requests carry the access token; LWA and presigned document URLs do not.
    return "x-amz-access-token" in response.request.headers


def _reached_sp_api(exc: httpx.TransportError) -> bool:
    try:
        request = exc.request
    except RuntimeError:
        return True
    return "x-amz-access-token" in request.headers
