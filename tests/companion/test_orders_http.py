"""GET /v1/orders/{orderId} through the running companion, against the sandbox, as the extension."""

from __future__ import annotations

from typing import Any

import pytest

from companion.amazon.retry import RetryPolicy
from companion.keys import GATEWAYS
from spdesk_sandbox.server import SandboxServer
from tests.plugins.companion import CompanionClient

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.2, deadline=3.0)


@pytest.fixture
def fast_companion(companion: CompanionClient) -> CompanionClient:
    """The companion with quick retries and a short Amazon timeout (before any gateway exists)."""
    pool = companion.app[GATEWAYS]
    pool.policy, pool.request_timeout = FAST, 0.5
    return companion


def order_path(sandbox: SandboxServer, label: str) -> str:
    return f"/v1/orders/{sandbox.seed.order_id(label)}"


def assert_error(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status == status, reply.body
    body = reply.json()
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert message.endswith(".") and "Traceback" not in message and len(message) < 300
    return dict(body["error"])


async def test_order_view_and_cache(sandbox: SandboxServer, companion: CompanionClient) -> None:
    order_id = sandbox.seed.order_id("us-fbm-unshipped-multi")
    reply = await companion.request("GET", f"/v1/orders/{order_id}")
    assert reply.status == 200, reply.body
    view = reply.json()
    assert (view["orderId"], view["account"], view["channel"]) == (order_id, "sandbox", "FBM")
    assert view["marketplace"]["currency"] == "USD" and view["cached"] is False
    yes: dict[str, object] = {"allowed": True, "reason": None, "code": None, "params": {}}
    assert view["actions"]["refund"] == {**yes, "full": yes}
    assert (view["pricesIncludeTax"], view["taxLabel"]) == (False, "sales_tax")
    assert all(isinstance(c["charged"], str) for i in view["items"] for c in i["components"])
    again = await companion.request("GET", f"/v1/orders/{order_id}?account=sandbox")
    assert again.json()["cached"] is True
    fresh = await companion.request("GET", f"/v1/orders/{order_id}?fresh=1")
    assert fresh.json()["cached"] is False


async def test_needs_the_pairing_token(sandbox: SandboxServer, companion: CompanionClient) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    reply = await companion.request(
        "GET", f"/v1/orders/{order_id}", headers={"Authorization": None}
    )
    assert_error(reply, 401, "unauthorized")


async def test_invalid_id_and_unknown_order(companion: CompanionClient) -> None:
    assert_error(await companion.request("GET", "/v1/orders/12-34"), 400, "invalid_order_id")
    error = assert_error(
        await companion.request("GET", "/v1/orders/999-0000000-0000000"), 404, "order_not_found"
    )
    assert "999-0000000-0000000" in error["message"]


async def test_unknown_account(sandbox: SandboxServer, companion: CompanionClient) -> None:
    order_id = sandbox.seed.order_id("us-fbm-shipped")
    reply = await companion.request("GET", f"/v1/orders/{order_id}?account=nobody")
    assert_error(reply, 404, "account_not_found")


async def test_no_account_says_what_to_run(bare_companion: CompanionClient) -> None:
    assert (await bare_companion.pair()).status == 201
    reply = await bare_companion.request("GET", "/v1/orders/113-4820571-0038214")
    error = assert_error(reply, 409, "no_account")
    assert "spdesk account add" in error["message"]


async def test_amazon_html_500_is_502(
    sandbox: SandboxServer, fast_companion: CompanionClient
) -> None:
    sandbox.state.faults.add("html_500", "getOrder", count=None)
    reply = await fast_companion.request("GET", order_path(sandbox, "us-fbm-shipped"))
    assert_error(reply, 502, "amazon_unavailable")


async def test_amazon_throttling_is_503(
    sandbox: SandboxServer, fast_companion: CompanionClient
) -> None:
    # A first read teaches the gateway Amazon's applied rate, as in normal use.
    assert (
        await fast_companion.request("GET", order_path(sandbox, "us-fbm-cancelled"))
    ).status == 200
    sandbox.state.faults.add("throttle", "getOrder", count=None)
    reply = await fast_companion.request("GET", order_path(sandbox, "us-fbm-shipped"))
    assert_error(reply, 503, "amazon_throttled")


async def test_slow_amazon_is_504(sandbox: SandboxServer, fast_companion: CompanionClient) -> None:
    sandbox.state.faults.add("slow", "getOrder", count=None, delay_seconds=20)
    try:
        reply = await fast_companion.request("GET", order_path(sandbox, "us-fbm-shipped"))
    finally:
        sandbox.state.faults.clear()
    assert_error(reply, 504, "amazon_timeout")


async def test_mcf_order_over_http(sandbox: SandboxServer, companion: CompanionClient) -> None:
    order_id = sandbox.seed.order_id("us-mcf-received")
    view = (await companion.request("GET", f"/v1/orders/{order_id}")).json()
    assert view["channel"] == "MCF"
    assert view["fulfillmentOrder"] == {"sellerFulfillmentOrderId": order_id, "status": "RECEIVED"}
    assert view["actions"]["cancel"]["allowed"] is True


async def test_route_is_in_the_openapi_document(companion: CompanionClient) -> None:
    document = (await companion.request("GET", "/v1/openapi.json")).json()
    operation = document["paths"]["/v1/orders/{orderId}"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"orderId", "account"}
