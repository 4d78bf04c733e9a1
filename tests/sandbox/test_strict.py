"""Strict requests: the sandbox refuses what Amazon's models refuse, and only that."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sp_api.base.exceptions import SellingApiBadRequestException

from companion.amazon.clients import Target
from companion.amazon.gateway import Gateway
from companion.marketplaces import BY_ID, Region
from spdesk_demo.sandbox_account import sandbox_account, sandbox_credentials
from spdesk_sandbox.app import create_sandbox_app
from spdesk_sandbox.models import ModelsError
from spdesk_sandbox.server import SandboxServer
from spdesk_sandbox.settings import SandboxSettings
from spdesk_sandbox.state import SandboxState
from spdesk_sandbox.strict import REQUEST_CHECKER
from spdesk_sandbox.throttle import RATE_LIMIT_HEADER
from tests.plugins.sandbox import SPAPI_MODELS, sandbox_access_token, spapi_client
from tests.sandbox.contract import Call, send
from tests.sandbox.feedkit import ACKNOWLEDGEMENT, XML_TYPE, envelope
from tests.sandbox.schema import validate_error_list

US = "ATVPDKIKX0DER"
FEEDS = "/feeds/2021-06-30/feeds"
DOCS = "/feeds/2021-06-30/documents"
ORDER = "/orders/2026-01-01/orders/111-0000000-0000000"
MCF = "/fba/outbound/2020-07-01/fulfillmentOrders/"
FEED = {"feedType": ACKNOWLEDGEMENT, "marketplaceIds": [US], "inputFeedDocumentId": "doc"}

REFUSED = [
    (
        "createFeed without feedType",
        Call("POST", FEEDS, json={k: v for k, v in FEED.items() if k != "feedType"}),
        "'feedType' is a required property",
    ),
    (
        "createFeed, feedType null",
        Call("POST", FEEDS, json={**FEED, "feedType": None}),
        "body at feedType",
    ),
    (
        "createFeed, marketplaceIds a string",
        Call("POST", FEEDS, json={**FEED, "marketplaceIds": US}),
        "body at marketplaceIds",
    ),
    (
        "createFeed, 26 marketplaces",
        Call("POST", FEEDS, json={**FEED, "marketplaceIds": [US] * 26}),
        "body at marketplaceIds",
    ),
    (
        "createFeed, a feed option not a string",
        Call("POST", FEEDS, json={**FEED, "feedOptions": {"x": 1}}),
        "body at feedOptions/x",
    ),
    ("createFeed, no body", Call("POST", FEEDS), "body is required"),
    (
        "createFeedDocument, contentType a number",
        Call("POST", DOCS, json={"contentType": 7}),
        "body at contentType",
    ),
    (
        "getOrder, unknown includedData",
        Call("GET", ORDER, {"includedData": "PROCEEDS,REFUNDS"}),
        "parameter includedData",
    ),
    (
        "getFeeds, pageSize not a number",
        Call("GET", FEEDS, {"feedTypes": "X", "pageSize": "ten"}),
        "parameter pageSize",
    ),
    (
        "getFeeds, eleven feed types",
        Call("GET", FEEDS, {"feedTypes": ",".join("ABCDEFGHIJK")}),
        "parameter feedTypes",
    ),
    (
        "getFeedDocument, boolean not a boolean",
        Call("GET", DOCS + "/doc", {"enableContentEncodingUrlHeader": "yes"}),
        "parameter enableContentEncodingUrlHeader",
    ),
    (
        "getFulfillmentOrder, id over 40 characters",
        Call("GET", MCF + "9" * 41),
        "parameter sellerFulfillmentOrderId",
    ),
    (
        "cancelFulfillmentOrder with the body python-amazon-sp-api adds",
        Call("PUT", MCF + "113-2098417-6650382/cancel", json={"marketplaceIds": [US]}),
        "takes no request body",
    ),
    (
        "cancelFeed with a body",
        Call("DELETE", FEEDS + "/50001", json={"feedId": "50001"}),
        "takes no request body",
    ),
]


@pytest.mark.parametrize(("call", "problem"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
async def test_refuses_what_the_model_forbids(
    call: Call, problem: str, sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    token = await sandbox_access_token(sandbox, sandbox_session)
    reply = await send(sandbox_session, sandbox, token, replace(call, expect=400))
    assert reply.status == 400, reply.body
    validate_error_list(reply.body, "InvalidInput")
    assert problem in reply.body["errors"][0]["message"]
    assert RATE_LIMIT_HEADER in reply.headers  # the usage plan let it through, as Amazon's does
    async with sandbox_session.get(f"{sandbox.url}/_sandbox/refusals") as listed:
        body = await listed.json()
    assert body["strict"] is True
    [refusal] = body["refusals"]
    assert refusal["path"] == call.path and problem in refusal["problem"]
    assert refusal["userAgent"].startswith("Python/")  # aiohttp's: not the client library


async def test_tolerates_what_the_model_leaves_open(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    """Undeclared body keys and query parameters (the library sends both), repeated arrays."""
    token = await sandbox_access_token(sandbox, sandbox_session)
    library_body = {
        "contentType": XML_TYPE,
        "marketplaceIds": [US],
        "MarketplaceIds": [US],
        "path": DOCS,
    }
    order = "/orders/2026-01-01/orders/" + sandbox.seed.order_id("us-fbm-shipped")
    calls = [
        Call("POST", DOCS, json=library_body, expect=201),
        Call("GET", order, {"MarketplaceId": US, "marketplace_ids": US}),
        Call("GET", order + "?includedData=PROCEEDS&includedData=CANCELLATION"),
    ]
    for call in calls:
        reply = await send(sandbox_session, sandbox, token, call)
        assert reply.status == call.expect, reply.body
    assert sandbox.app[REQUEST_CHECKER].refusals == []
    assert sandbox.app[REQUEST_CHECKER].checked["getOrder"] == 2


async def test_the_librarys_own_mcf_cancel_sends_a_body_amazon_refuses(
    sandbox: SandboxServer,
) -> None:
    """Why the gateway calls cancelFulfillmentOrder itself: the library adds marketplace ids."""
    from sp_api.asyncio.api import FulfillmentOutbound

    client = spapi_client(FulfillmentOutbound, sandbox)
    order_id = sandbox.seed.order_id("us-mcf-received")
    try:
        with pytest.raises(SellingApiBadRequestException):
            await client.cancel_fulfillment_order(order_id)
    finally:
        await client.aclose()
    refusals = sandbox.app[REQUEST_CHECKER].refusals
    assert [r.operation for r in refusals] == ["cancelFulfillmentOrder"]
    assert sandbox.state.fulfillment_orders[order_id].status == "Received"
    refusals.clear()  # refused on purpose: the fixture would fail the test for it


async def test_every_request_of_the_gateway_matches_amazons_models(
    quick_sandbox: SandboxServer,
) -> None:
    """Each operation the companion's gateway uses, sent by it, passes the model check."""
    target = Target.of(sandbox_account(quick_sandbox.url), sandbox_credentials())
    gateway = Gateway(target, request_timeout=5.0)
    try:
        await _use_every_operation(gateway, quick_sandbox)
    finally:
        await gateway.aclose()
    checker = quick_sandbox.app[REQUEST_CHECKER]
    assert checker.refusals == []
    assert set(checker.checked) == {
        "getOrder",
        "getFulfillmentOrder",
        "cancelFulfillmentOrder",
        "listFinancialEventsByOrderId",
        "createFeedDocument",
        "createFeed",
        "getFeed",
        "getFeeds",
        "getFeedDocument",
    }


async def _use_every_operation(gateway: Gateway, server: SandboxServer) -> None:
    seed = server.seed
    await gateway.get_order(seed.order_id("us-fbm-unshipped-single"))
    await gateway.get_fulfillment_order(seed.order_id("us-mcf-received"))
    await gateway.cancel_fulfillment_order(seed.order_id("us-mcf-received"))
    await gateway.list_financial_events(seed.order_id("us-fbm-shipped-partly-refunded"))
    document = await gateway.upload_feed_document(envelope("OrderAcknowledgement", []).encode())
    feed_id = await gateway.create_feed(ACKNOWLEDGEMENT, [US], document)
    deadline = time.monotonic() + 20
    while (feed := await gateway.get_feed(feed_id)).processing_status != "DONE":
        assert time.monotonic() < deadline, feed
        await asyncio.sleep(0.02)  # poll interval, not synchronisation
    assert feed.result_feed_document_id is not None
    since = datetime.now(UTC) - timedelta(days=1)
    assert await gateway.get_feeds([ACKNOWLEDGEMENT], since, ["DONE", "IN_QUEUE"])
    assert b"ProcessingReport" in await gateway.get_feed_document_bytes(
        feed.result_feed_document_id
    )


def test_a_route_without_an_operation_in_the_models_fails_fast(tmp_path: Path) -> None:
    feeds_only = tmp_path / "models"
    feeds_only.mkdir()
    (feeds_only / "feeds.json").write_bytes((SPAPI_MODELS / "feeds_2021-06-30.json").read_bytes())
    with pytest.raises(ModelsError, match=r"no operation .* serves GET /orders/"):
        create_sandbox_app(SandboxState.create(SandboxSettings(request_models_dir=feeds_only)))
    with pytest.raises(ModelsError, match="no SP-API model files"):
        create_sandbox_app(SandboxState.create(SandboxSettings(request_models_dir=tmp_path)))


async def test_the_gateway_lists_feeds_of_an_account_in_every_eu_marketplace(
    sandbox: SandboxServer,
) -> None:
    """getFeeds takes at most 10 marketplaceIds; an EU account can sell in 11."""
    eu = [m.code for m in BY_ID.values() if m.region is Region.EU]
    assert len(eu) > 10
    account = sandbox_account(sandbox.url).model_copy(
        update={"region": Region.EU, "marketplaces": eu}
    )
    gateway = Gateway(Target.of(account, sandbox_credentials()), request_timeout=5.0)
    try:
        await gateway.get_feeds([ACKNOWLEDGEMENT], datetime.now(UTC) - timedelta(days=1))
    finally:
        await gateway.aclose()
    assert sandbox.app[REQUEST_CHECKER].refusals == []
