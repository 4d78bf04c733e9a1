"""MCF lines get their product titles from FBA Inventory: batched, cached, and never in the way.

Every test talks to the sandbox over real HTTP through python-amazon-sp-api, and counts the
getInventorySummaries requests the sandbox received.
"""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from companion.amazon.gateway import Gateway
from companion.amazon.titles import ProductTitles
from companion.orders import OrderService
from spdesk_sandbox.records import FulfillmentOrderItem
from spdesk_sandbox.server import SandboxServer
from tests.companion.gateway_support import FAST, Clock, OnePool, sandbox_target
from tests.plugins.companion import CompanionClient

OPERATION = "getInventorySummaries"


@pytest.fixture
async def gateway(sandbox: SandboxServer) -> AsyncIterator[Gateway]:
    gateway = Gateway(sandbox_target(sandbox), policy=FAST, request_timeout=5.0)
    yield gateway
    await gateway.aclose()


def lookups(sandbox: SandboxServer) -> int:
    return sandbox.state.throttle.received[OPERATION]


def service(gateway: Gateway, titles: ProductTitles) -> OrderService:
    return OrderService(OnePool(gateway), ttl=0, titles=titles)  # no view cache: titles' own


async def test_lines_show_titles_in_the_marketplace_language(
    sandbox: SandboxServer, companion: CompanionClient
) -> None:
    order_id = sandbox.seed.order_id("de-mcf-received")
    reply = await companion.request("GET", f"/v1/orders/{order_id}")
    assert reply.status == 200, reply.body
    lines = [(i["sku"], i["title"]) for i in reply.json()["items"]]
    assert lines == [
        ("BW-THERMO-1L-ROT", "Edelstahl-Thermoskanne 1 l, Rot"),
        ("BW-TEE-SIEB-EDEL", "Teesieb aus Edelstahl mit Deckel, 2er-Set"),
    ]


async def test_role_missing_leaves_the_skus_and_is_not_asked_again(
    sandbox: SandboxServer, gateway: Gateway
) -> None:
    clock = Clock()
    orders = service(gateway, ProductTitles(clock=clock, refusal_ttl=600))
    order_id = sandbox.seed.order_id("us-mcf-planning")
    sandbox.state.faults.add("status_403", OPERATION, count=None)
    view = await orders.get_view(order_id)
    assert [(i.sku, i.title) for i in view.items] == [
        ("FBA-CAND-SOY-3", None),
        ("FBA-MATCH-LONG", None),
    ]
    assert view.actions.cancel.allowed  # the order is fully usable without titles
    await orders.get_view(order_id)
    assert lookups(sandbox) == 1, "a refusal is remembered"
    sandbox.state.faults.clear()
    clock.now += 601
    view = await orders.get_view(order_id)
    assert view.items[0].title == "Soy Wax Scented Candles, Set of 3"
    assert lookups(sandbox) == 2


async def test_a_slow_lookup_does_not_hold_the_order(
    sandbox: SandboxServer, gateway: Gateway
) -> None:
    orders = service(gateway, ProductTitles(timeout=0.3))
    order_id = sandbox.seed.order_id("us-mcf-received")
    sandbox.state.faults.add("slow", OPERATION, count=1, delay_seconds=30)
    try:
        view = await orders.get_view(order_id)
    finally:
        sandbox.state.faults.clear()
    assert [(i.sku, i.title) for i in view.items] == [("FBA-BTL-INS-32", None)]
    again = await orders.get_view(order_id)  # nothing was cached: asked again, and named
    assert again.items[0].title == "Insulated Water Bottle 32 oz, Leak-Proof Lid, Navy"


@pytest.mark.parametrize(("lines", "calls"), [(40, 1), (75, 2)])
async def test_many_lines_are_named_in_batches_of_fifty(
    sandbox: SandboxServer, gateway: Gateway, lines: int, calls: int
) -> None:
    order_id = sandbox.seed.order_id("us-mcf-received")
    fulfillment = sandbox.state.fulfillment_orders[order_id]
    model = fulfillment.items[0]
    fulfillment.items = [
        FulfillmentOrderItem(
            f"WS-{n:03}", f"mcf-line-{n}", 1, f"Web shop product {n}", model.unit_price
        )
        for n in range(lines)
    ]
    extra = copy.deepcopy(fulfillment)  # an order of another seller id, same SKUs: cached
    extra.seller_fulfillment_order_id = "113-0000000-0000001"
    sandbox.state.fulfillment_orders[extra.seller_fulfillment_order_id] = extra
    orders = service(gateway, ProductTitles())
    view = await orders.get_view(order_id)
    assert [i.title for i in view.items] == [f"Web shop product {n}" for n in range(lines)]
    assert lookups(sandbox) == calls
    await orders.get_view(extra.seller_fulfillment_order_id)
    await orders.get_view(order_id)
    assert lookups(sandbox) == calls, "every SKU came from the cache"


async def test_a_sku_amazon_does_not_name_keeps_its_sku(
    sandbox: SandboxServer, gateway: Gateway
) -> None:
    order_id = sandbox.seed.order_id("us-mcf-planning")
    fulfillment = sandbox.state.fulfillment_orders[order_id]
    fulfillment.items[1].seller_sku = "GONE,FROM-STOCK"  # a comma: never sent in the CSV list
    orders = service(gateway, ProductTitles())
    view = await orders.get_view(order_id)
    assert [(i.sku, i.title) for i in view.items] == [
        ("FBA-CAND-SOY-3", "Soy Wax Scented Candles, Set of 3"),
        ("GONE,FROM-STOCK", None),
    ]


async def test_the_title_is_described_where_clients_read(companion: CompanionClient) -> None:
    document = (await companion.request("GET", "/v1/openapi.json")).json()
    schemas = document["components"]["schemas"]
    title = schemas["ItemView"]["properties"]["title"]
    assert "productName" in title["description"] and "MCF" in title["description"]
    protocol = (Path(__file__).parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    item_fields = set(schemas["ItemView"]["properties"])
    example = re.search(r'\{"orderItemCode": "\d+", "sku".*?"components"', protocol, re.S)
    assert example is not None
    assert item_fields == set(re.findall(r'"(\w+)":', example.group(0)) + ["components"])
    assert "`title` from FBA Inventory's `productName`" in protocol
