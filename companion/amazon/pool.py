"""One gateway per seller account, created on first use from the account store and the keyring."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass

from companion.accounts import AccountStore
from companion.amazon.clients import Target
from companion.amazon.gateway import Gateway
from companion.amazon.ratelimit import RateLimiter, SharedBuckets
from companion.amazon.retry import RetryPolicy

# How long a gateway is trusted before the account and its credentials are read again, so an
# account re-added from the command line is picked up without restarting the companion.
REVALIDATE_SECONDS = 60.0


def _fresh(checked: float) -> bool:
    return time.monotonic() - checked < REVALIDATE_SECONDS


@dataclass
class _Entry:
    gateway: Gateway
    checked: float


class GatewayPool:
    """Gateways by account name; `get(None)` is the default account's."""

    def __init__(
        self,
        store: AccountStore,
        *,
        request_timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        shared_buckets: SharedBuckets | None = None,
    ) -> None:
        self.store = store
        self.shared_buckets = shared_buckets
        self.request_timeout = request_timeout
        self.policy = policy or RetryPolicy()
        self._entries: dict[str, _Entry] = {}
        self._default: tuple[str, float] | None = None
        self._retired: list[Gateway] = []
        self._lock = asyncio.Lock()

    async def get(self, account_name: str | None = None) -> Gateway:
        """The gateway of an account (None = default); NoAccount / account_not_found otherwise."""
        if account_name is None and self._default and _fresh(self._default[1]):
            account_name = self._default[0]
        entry = self._entries.get(account_name) if account_name is not None else None
        if entry and _fresh(entry.checked):
            return entry.gateway
        async with self._lock:
            return await self._load(account_name)

    async def _load(self, account_name: str | None) -> Gateway:
        """Read the account and its credentials again; a new gateway only when they changed."""
        # Account files and the keyring block: keep them off the event loop.
        account = await asyncio.to_thread(self.store.resolve, account_name)
        if account_name is None:
            self._default = (account.name, time.monotonic())
        entry = self._entries.get(account.name)
        if entry and _fresh(entry.checked):
            return entry.gateway
        credentials = await asyncio.to_thread(self.store.credentials, account.name)
        target = Target.of(account, credentials)
        if entry and entry.gateway.target == target:
            entry.checked = time.monotonic()
            return entry.gateway
        if entry:
            self._retired.append(entry.gateway)
        limiter = RateLimiter(shared=self.shared_buckets, account=account.name)
        gateway = Gateway(
            target, request_timeout=self.request_timeout, policy=self.policy, limiter=limiter
        )
        self._entries[account.name] = _Entry(gateway, time.monotonic())
        return gateway

    def forget(self, account_name: str) -> None:
        """Drop an account's gateway (after it was removed or its credentials changed)."""
        entry = self._entries.pop(account_name, None)
        self._default = None
        if entry:
            self._retired.append(entry.gateway)

    async def aclose(self) -> None:
        """Close every gateway's connections."""
        gateways = [e.gateway for e in self._entries.values()] + self._retired
        self._entries.clear()
        self._retired.clear()
        for gateway in gateways:
            with suppress(Exception):
                await gateway.aclose()
