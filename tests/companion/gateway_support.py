"""Shared by the gateway and order-view tests: a sandbox target, quick retries, one-gateway pool."""

from __future__ import annotations

import dataclasses

from companion.amazon.clients import Target
from companion.amazon.gateway import Gateway
from companion.amazon.retry import RetryPolicy
from spdesk_demo.sandbox_account import sandbox_account, sandbox_credentials
from spdesk_sandbox.server import SandboxServer

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.5, deadline=5.0)


def sandbox_target(server: SandboxServer, **overrides: object) -> Target:
    """The demo seller account of a running sandbox, with fields replaced as asked."""
    target = Target.of(sandbox_account(server.url), sandbox_credentials())
    return dataclasses.replace(target, **overrides)  # type: ignore[arg-type]


class OnePool:
    """One gateway, handed out the way GatewayPool does."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def get(self, account_name: str | None = None) -> Gateway:
        """The gateway, whichever account is asked for."""
        return self.gateway


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
