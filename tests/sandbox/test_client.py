"""The sandbox driven by python-amazon-sp-api's async clients over real HTTP."""

from __future__ import annotations

import pytest
from sp_api.asyncio.api import Orders
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import SellingApiForbiddenException, SellingApiRequestThrottledException

from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import SandboxFactory, spapi_client


def orders_client(server: SandboxServer, marketplace: str = "US") -> Orders:
    return spapi_client(Orders, server, marketplace, version="2026-01-01")


async def test_get_order_with_included_data(sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("us-fbm-buyer-cancel-request")
    async with orders_client(sandbox) as client:
        response = await client.get_order(order_id, includedData=["CANCELLATION", "FULFILLMENT"])
    order = response.payload["order"]
    assert order["orderId"] == order_id
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert order["fulfillment"]["fulfilledBy"] == "MERCHANT"
    item = order["orderItems"][0]
    assert item["cancellation"]["cancellationRequest"]["requester"] == "BUYER"
    assert "proceeds" not in item


async def test_get_order_in_japan_has_whole_yen(sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("jp-fbm-shipped")
    async with orders_client(sandbox, "JP") as client:
        response = await client.get_order(order_id, includedData=["PROCEEDS"])
    item = response.payload["order"]["orderItems"][0]
    assert item["proceeds"]["proceedsTotal"] == {
        "amount": "5580",
        "currencyCode": "JPY",
    }  # 4980 + 600, tax inside


async def test_search_orders_filters_and_pages(sandbox: SandboxServer) -> None:
    async with orders_client(sandbox) as client:
        first = await client.search_orders(
            createdAfter="2020-01-01T00:00:00Z",
            marketplaceIds=["ATVPDKIKX0DER"],
            fulfillmentStatuses=["UNSHIPPED"],
            maxResultsPerPage=2,
        )
        second = await client.search_orders(
            createdAfter="2020-01-01T00:00:00Z",
            marketplaceIds=["ATVPDKIKX0DER"],
            fulfillmentStatuses=["UNSHIPPED"],
            maxResultsPerPage=2,
            paginationToken=first.next_token,
        )
    ids = [o["orderId"] for o in first.payload["orders"] + second.payload["orders"]]
    expected = {
        sandbox.seed.order_id(label)
        for label in (
            "us-fbm-unshipped-single",
            "us-fbm-unshipped-multi",
            "us-fbm-buyer-cancel-request",
        )
    }
    assert set(ids) == expected
    assert first.next_token and second.next_token is None


async def test_throttled_call_raises_the_library_throttling_error(
    sandbox_factory: SandboxFactory,
) -> None:
    server = await sandbox_factory(rate_scale=0.001)
    order_id = server.seed.order_id("us-fbm-shipped")
    async with orders_client(server) as client:
        for _ in range(30):  # getOrder's burst
            await client.get_order(order_id)
        with pytest.raises(SellingApiRequestThrottledException) as raised:
            await client.get_order(order_id)
    assert raised.value.amzn_code == "QuotaExceeded"
    assert server.state.throttle.usage["getOrder"].throttled == 1


async def test_wrong_refresh_token_is_an_authorization_error(sandbox: SandboxServer) -> None:
    client = orders_client(sandbox)
    client._auth.cred.refresh_token = "Atzr|not-the-sandbox-token"
    async with client:
        with pytest.raises(AuthorizationError) as raised:
            await client.get_order(sandbox.seed.order_id("us-fbm-shipped"))
    assert raised.value.error_code == "invalid_grant"


async def test_expired_token_fault_is_forbidden(sandbox: SandboxServer) -> None:
    sandbox.state.faults.add("expired_token", "getOrder", count=1)
    async with orders_client(sandbox) as client:
        with pytest.raises(SellingApiForbiddenException):
            await client.get_order(sandbox.seed.order_id("us-fbm-shipped"))
        response = await client.get_order(sandbox.seed.order_id("us-fbm-shipped"))
    assert response.payload["order"]["orderId"] == sandbox.seed.order_id("us-fbm-shipped")


async def test_async_context_manager_form() -> None:
    from spdesk_sandbox.server import start_sandbox
    from spdesk_sandbox.settings import SandboxSettings

    async with await start_sandbox(SandboxSettings(speed=50)) as server:
        assert server.url.startswith("http://127.0.0.1:")
        async with orders_client(server) as client:
            response = await client.get_order(server.seed.order_id("uk-fbm-unshipped"))
        assert response.payload["order"]["salesChannel"]["marketplaceId"] == "A1F83G8C2ARO7P"
