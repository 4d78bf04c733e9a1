"""Fulfillment Outbound (MCF) through python-amazon-sp-api: read and cancel fulfillment orders."""

from __future__ import annotations

import pytest
from sp_api.asyncio.api import FulfillmentOutbound
from sp_api.base.exceptions import SellingApiBadRequestException

from companion.amazon.clients import cancel_fulfillment_order as cancel  # no body
from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import spapi_client
from tests.sandbox.contract import Call, ContractCase

BASE = "/fba/outbound/2020-07-01/fulfillmentOrders"


async def test_get_fulfillment_order(sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("us-mcf-received")
    async with spapi_client(FulfillmentOutbound, sandbox) as mcf:
        payload = (await mcf.get_fulfillment_order(order_id)).payload
    order = payload["fulfillmentOrder"]
    assert (order["sellerFulfillmentOrderId"], order["fulfillmentOrderStatus"]) == (
        order_id,
        "Received",
    )
    [item] = payload["fulfillmentOrderItems"]
    assert (item["quantity"], item["cancelledQuantity"]) == (2, 0)
    assert item["perUnitDeclaredValue"] == {"currencyCode": "USD", "value": "24.95"}


@pytest.mark.parametrize("label", ["us-mcf-received", "us-mcf-planning"])
async def test_cancel_before_processing(sandbox: SandboxServer, label: str) -> None:
    order_id = sandbox.seed.order_id(label)
    async with spapi_client(FulfillmentOutbound, sandbox) as mcf:
        response = await cancel(mcf, order_id)
        payload = (await mcf.get_fulfillment_order(order_id)).payload
    assert response.errors is None
    assert payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Cancelled"
    assert all(i["cancelledQuantity"] == i["quantity"] for i in payload["fulfillmentOrderItems"])
    [record] = [c for c in sandbox.state.cancellations if c.order_id == order_id]
    assert record.source == "fulfillment"


async def test_cancel_while_processing_is_refused(sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("us-mcf-processing")
    async with spapi_client(FulfillmentOutbound, sandbox) as mcf:
        with pytest.raises(SellingApiBadRequestException) as refused:
            await cancel(mcf, order_id)
        payload = (await mcf.get_fulfillment_order(order_id)).payload
    assert refused.value.error[0]["code"] == "InvalidInput"
    assert "status is Processing" in refused.value.error[0]["message"]
    assert payload["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Processing"
    assert not [c for c in sandbox.state.cancellations if c.order_id == order_id]


async def test_cancel_twice_is_refused(sandbox: SandboxServer) -> None:
    order_id = sandbox.seed.order_id("us-mcf-received")
    async with spapi_client(FulfillmentOutbound, sandbox) as mcf:
        await cancel(mcf, order_id)
        with pytest.raises(SellingApiBadRequestException):
            await cancel(mcf, order_id)
    assert len([c for c in sandbox.state.cancellations if c.order_id == order_id]) == 1


async def test_unknown_order_is_not_found(sandbox: SandboxServer) -> None:
    async with spapi_client(FulfillmentOutbound, sandbox) as mcf:
        with pytest.raises(SellingApiBadRequestException) as refused:
            await mcf.get_fulfillment_order("999-0000000-0000000")
    assert refused.value.error[0]["message"] == "Requested order not found"


async def _get_calls(server: SandboxServer) -> list[Call]:
    labels = ["us-mcf-received", "us-mcf-planning", "us-mcf-processing"]
    return [
        *[Call("GET", f"{BASE}/{server.seed.order_id(label)}") for label in labels],
        Call("GET", f"{BASE}/999-0000000-0000000", expect=400),
    ]


async def _cancel_calls(server: SandboxServer) -> list[Call]:
    return [
        Call("PUT", f"{BASE}/{server.seed.order_id('us-mcf-received')}/cancel"),
        Call("PUT", f"{BASE}/{server.seed.order_id('us-mcf-processing')}/cancel", expect=400),
        Call("PUT", f"{BASE}/999-0000000-0000000/cancel", expect=400),
    ]


CONTRACT_CASES = [
    ContractCase("getFulfillmentOrder", _get_calls),
    ContractCase("cancelFulfillmentOrder", _cancel_calls),
]
