"""The order view cache: hits, TTL, invalidation by actions, one Amazon read for concurrent asks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from companion.amazon.gateway import Gateway
from companion.orders import OrderService
from spdesk_sandbox.server import SandboxServer
from tests.companion.gateway_support import FAST, OnePool, sandbox_target


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def gateway(sandbox: SandboxServer) -> AsyncIterator[Gateway]:
    gateway = Gateway(sandbox_target(sandbox), policy=FAST)
    yield gateway
    await gateway.aclose()


@pytest.fixture
def service(gateway: Gateway) -> OrderService:
    return OrderService(OnePool(gateway), ttl=10.0)


def order_reads(sandbox: SandboxServer) -> int:
    usage = sandbox.state.throttle.usage.get("getOrder")
    return usage.requests if usage else 0


async def test_hit_ttl_and_invalidate(sandbox: SandboxServer, gateway: Gateway) -> None:
    clock = Clock()
    service = OrderService(OnePool(gateway), ttl=10.0, clock=clock)
    order_id = sandbox.seed.order_id("us-fbm-unshipped-single")
    first = await service.get_view(order_id)
    second = await service.get_view(order_id)
    assert (first.cached, second.cached) == (False, True)
    assert second.model_copy(update={"cached": False}) == first
    assert order_reads(sandbox) == 1
    clock.now += 9.9
    assert (await service.get_view(order_id)).cached
    clock.now += 0.2  # past the TTL
    assert not (await service.get_view(order_id)).cached
    assert order_reads(sandbox) == 2
    service.invalidate(order_id)
    assert not (await service.get_view(order_id)).cached
    assert not (await service.get_view(order_id, fresh=True)).cached
    assert order_reads(sandbox) == 4


async def test_concurrent_lookups_share_one_read(
    sandbox: SandboxServer, service: OrderService
) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    views = await asyncio.gather(*(service.get_view(order_id) for _ in range(8)))
    assert {v.order_id for v in views} == {order_id}
    assert order_reads(sandbox) == 1


async def test_invalidate_during_a_read_does_not_cache_stale_data(
    sandbox: SandboxServer, service: OrderService
) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped")

    async def action_lands_meanwhile(
        account: str, oid: str, finances: object
    ) -> dict[tuple[str, str], Decimal]:
        # Amazon has answered getOrder, the view is not built yet: an action settles now.
        service.invalidate(oid)
        return {}

    service.add_inflight_provider(action_lands_meanwhile)
    assert not (await service.get_view(order_id)).cached
    assert not (await service.get_view(order_id)).cached  # the first read was not kept
    assert order_reads(sandbox) == 2


async def test_in_flight_refunds_from_the_action_engine(
    sandbox: SandboxServer, service: OrderService
) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    item = sandbox.state.order(order_id).items[0].item_code  # type: ignore[union-attr]
    asked: list[tuple[str, str, bool]] = []

    async def in_flight(account: str, oid: str, finances: object) -> dict[tuple[str, str], Decimal]:
        asked.append((account, oid, finances is not None))
        return {(item, "Principal"): Decimal("10.00")}

    service.add_inflight_provider(in_flight)
    view = await service.get_view(order_id)
    principal = view.items[0].component("Principal")
    assert principal is not None and principal.refunded == Decimal("10.00")
    assert principal.refundable == principal.charged - Decimal("10.00")
    assert asked == [("sandbox", order_id, True)], "asked with the Finances events just read"
