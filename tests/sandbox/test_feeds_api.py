"""Feeds API edges: presigned URLs (type, expiry, signature), refusals, paging, contract."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlsplit

import aiohttp
import pytest
from sp_api.asyncio.api import Feeds
from sp_api.base.exceptions import SellingApiBadRequestException, SellingApiNotFoundException

from spdesk_sandbox.documents import new_document
from spdesk_sandbox.processor import PROCESSOR, FeedRecord, FeedStatus
from spdesk_sandbox.server import SandboxServer
from tests.plugins.sandbox import SandboxFactory, sandbox_access_token, spapi_client
from tests.sandbox.contract import Call, ContractCase
from tests.sandbox.feedkit import (
    ACKNOWLEDGEMENT,
    ADJUSTMENT,
    XML_TYPE,
    envelope,
    submit,
    wait_for_status,
)

US = "ATVPDKIKX0DER"
DOCS = "/feeds/2021-06-30/documents"
FEEDS = "/feeds/2021-06-30/feeds"
EMPTY_ADJUSTMENT = envelope("OrderAdjustment", [])


async def _token_headers(server: SandboxServer, session: aiohttp.ClientSession) -> dict[str, str]:
    return {"x-amz-access-token": await sandbox_access_token(server, session)}


async def _upload_url(server: SandboxServer, session: aiohttp.ClientSession) -> tuple[str, str]:
    headers = await _token_headers(server, session)
    async with session.post(
        server.url + DOCS, json={"contentType": XML_TYPE}, headers=headers
    ) as response:
        assert response.status == 201
        body = await response.json()
    return body["feedDocumentId"], body["url"]


async def test_upload_needs_the_same_content_type(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    document_id, url = await _upload_url(sandbox, sandbox_session)
    async with sandbox_session.put(
        url, data=b"<x/>", headers={"Content-Type": "application/xml"}
    ) as response:
        assert response.status == 403
        assert "<Code>SignatureDoesNotMatch</Code>" in await response.text()
    assert sandbox.state.documents[document_id].content is None
    async with sandbox_session.put(
        url, data=b"<x/>", headers={"Content-Type": "text/xml;charset=utf-8"}
    ) as response:
        assert response.status == 200 and response.headers["ETag"]
        # S3 names its request id its own way; SP-API's header would be out of place here.
        assert "x-amz-request-id" in response.headers
        assert "x-amzn-RequestId" not in response.headers
    assert sandbox.state.documents[document_id].content == b"<x/>"


async def test_upload_url_expires_after_five_virtual_minutes(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    _, url = await _upload_url(sandbox, sandbox_session)
    sandbox.state.clock.advance(301)
    async with sandbox_session.put(url, data=b"<x/>", headers={"Content-Type": XML_TYPE}) as resp:
        assert resp.status == 403
        assert "Request has expired" in await resp.text()


async def test_tampered_or_unknown_urls_are_refused(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    document_id, url = await _upload_url(sandbox, sandbox_session)
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    unknown = url.replace(document_id, "amzn1.tortuga.4.na.nope")
    headers = {"Content-Type": XML_TYPE}
    async with sandbox_session.put(tampered, data=b"<x/>", headers=headers) as response:
        assert response.status == 403
    async with sandbox_session.put(unknown, data=b"<x/>", headers=headers) as response:
        assert response.status == 404
    async with sandbox_session.get(url) as response:  # an upload URL does not download
        assert response.status == 404


async def test_urls_point_at_the_sandbox_whatever_host_the_client_sends(
    sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    headers = {**await _token_headers(sandbox, sandbox_session), "Host": "27.0.0.1:1"}
    async with sandbox_session.post(
        sandbox.url + DOCS, json={"contentType": XML_TYPE}, headers=headers
    ) as response:
        url = (await response.json())["url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.url
    assert parts.path.startswith("/_docs/")


async def test_create_feed_refusals(sandbox: SandboxServer) -> None:
    async with spapi_client(Feeds, sandbox) as feeds:
        empty = await feeds.create_feed_document(None, XML_TYPE)
        document_id = empty.payload["feedDocumentId"]
        attempts = [
            (ADJUSTMENT, document_id, "has not been uploaded"),
            (ADJUSTMENT, "amzn1.tortuga.4.na.missing", "Invalid inputFeedDocumentId"),
            ("POST_PRODUCT_DATA", document_id, "Invalid feedType"),
        ]
        for feed_type, doc, message in attempts:
            with pytest.raises(SellingApiBadRequestException) as refused:
                await feeds.create_feed(feed_type, doc, marketplaceIds=[US])
            assert message in refused.value.error[0]["message"]
        with pytest.raises(SellingApiBadRequestException):
            await feeds.create_feed(ADJUSTMENT, document_id, marketplaceIds=["XX"])
        with pytest.raises(SellingApiNotFoundException):
            await feeds.get_feed("123")


async def test_get_feeds_filters_and_pages(quick_sandbox: SandboxServer) -> None:
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        ids = [await submit(feeds, ADJUSTMENT, EMPTY_ADJUSTMENT, US) for _ in range(3)]
        ack = await submit(feeds, ACKNOWLEDGEMENT, envelope("OrderAcknowledgement", []), US)
        for feed_id in [*ids, ack]:
            await wait_for_status(feeds, feed_id, {"DONE"})
        first = await feeds.get_feeds(feedTypes=[ADJUSTMENT], pageSize=2)
        second = await feeds.get_feeds(nextToken=first.next_token)
        acks = await feeds.get_feeds(feedTypes=[ACKNOWLEDGEMENT], processingStatuses=["DONE"])
        none = await feeds.get_feeds(feedTypes=[ADJUSTMENT], processingStatuses=["IN_QUEUE"])
    paged = [f["feedId"] for f in first.payload["feeds"] + second.payload["feeds"]]
    assert paged == list(reversed(ids)), "newest first, across pages"
    assert first.next_token and second.next_token is None
    assert [f["feedId"] for f in acks.payload["feeds"]] == [ack]
    assert none.payload["feeds"] == []


async def test_report_download_url_expires(
    quick_sandbox: SandboxServer, sandbox_session: aiohttp.ClientSession
) -> None:
    async with spapi_client(Feeds, quick_sandbox) as feeds:
        feed_id = await submit(feeds, ADJUSTMENT, EMPTY_ADJUSTMENT, US)
        done = await wait_for_status(feeds, feed_id, {"DONE"})
        info = await feeds._request(
            f"{DOCS}/{done['resultFeedDocumentId']}", params={}, add_marketplace=False
        )
    url = info.payload["url"]
    async with sandbox_session.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/xml")
    quick_sandbox.state.clock.advance(301)
    async with sandbox_session.get(url) as response:
        assert response.status == 403


async def test_upload_through_the_client_keeps_utf8(sandbox: SandboxServer) -> None:
    xml = envelope("OrderAdjustment", []).replace("<Header>", "<!-- Grüße, 注文 --><Header>")
    async with spapi_client(Feeds, sandbox) as feeds:
        document = await feeds.create_feed_document(BytesIO(xml.encode()), XML_TYPE)
    stored = sandbox.state.documents[document.payload["feedDocumentId"]]
    assert stored.content == xml.encode()


# Contract cases: valid calls per Feeds operation, with the state they need set up directly.


def _document(server: SandboxServer, content: bytes | None = EMPTY_ADJUSTMENT.encode()) -> str:
    return new_document(server.state, XML_TYPE, content).document_id


def _feed(server: SandboxServer, status: FeedStatus, fault: str | None = None) -> str:
    state = server.state
    feed_id = str(60_000_000_000 + len(state.feeds))
    state.feeds[feed_id] = FeedRecord(
        feed_id,
        ADJUSTMENT,
        [US],
        _document(server),
        state.now(),
        fault=fault,
        status=status,
        started_at=state.now() if status is FeedStatus.IN_PROGRESS else None,
    )
    return feed_id


async def _create_document_calls(server: SandboxServer) -> list[Call]:
    return [
        Call("POST", DOCS, json={"contentType": XML_TYPE}, expect=201),
        Call("POST", DOCS, json={"contentType": ""}, expect=400),
    ]


async def _get_document_calls(server: SandboxServer) -> list[Call]:
    report = _document(server)
    return [
        Call("GET", f"{DOCS}/{report}"),
        Call("GET", f"{DOCS}/{report}", {"enableContentEncodingUrlHeader": "true"}),
        Call("GET", f"{DOCS}/amzn1.tortuga.4.na.unknown", expect=404),
    ]


async def _create_feed_calls(server: SandboxServer) -> list[Call]:
    valid = {
        "feedType": ADJUSTMENT,
        "marketplaceIds": [US],
        "inputFeedDocumentId": _document(server),
    }
    return [
        Call("POST", FEEDS, json=valid, expect=202),
        Call("POST", FEEDS, json={**valid, "marketplaceIds": []}, expect=400),
        Call(
            "POST",
            FEEDS,
            json={**valid, "inputFeedDocumentId": _document(server, None)},
            expect=400,
        ),
    ]


async def _get_feed_calls(server: SandboxServer) -> list[Call]:
    return [
        Call("GET", f"{FEEDS}/{_feed(server, FeedStatus.DONE)}"),
        Call("GET", f"{FEEDS}/{_feed(server, FeedStatus.CANCELLED)}"),
        Call("GET", f"{FEEDS}/404", expect=404),
    ]


async def _get_feeds_calls(server: SandboxServer) -> list[Call]:
    _feed(server, FeedStatus.DONE)
    return [
        Call("GET", FEEDS, {"feedTypes": ADJUSTMENT, "pageSize": "1"}),
        Call(
            "GET",
            FEEDS,
            {
                "feedTypes": ADJUSTMENT,
                "processingStatuses": "DONE,FATAL",
                "createdSince": "2020-01-01T00:00:00Z",
                "marketplaceIds": US,
            },
        ),
        Call("GET", FEEDS, {}, expect=400),
        Call("GET", FEEDS, {"nextToken": "%%%"}, expect=400),
        Call("GET", FEEDS, {"nextToken": "eyJvZmZzZXQiOiAxfQ=="}, expect=400),
    ]  # {"offset": 1}


async def _cancel_feed_calls(server: SandboxServer) -> list[Call]:
    # A stuck feed holds the processor, so the queued one behind it stays cancellable.
    running = _feed(server, FeedStatus.IN_PROGRESS, fault="feed_stuck")
    queued = _feed(server, FeedStatus.IN_QUEUE)
    server.app[PROCESSOR].notify()
    return [
        Call("DELETE", f"{FEEDS}/{queued}"),
        Call("DELETE", f"{FEEDS}/{running}", expect=400),
        Call("DELETE", f"{FEEDS}/404", expect=404),
    ]


CONTRACT_CASES = [
    ContractCase("createFeedDocument", _create_document_calls),
    ContractCase("getFeedDocument", _get_document_calls),
    ContractCase("createFeed", _create_feed_calls),
    ContractCase("getFeed", _get_feed_calls),
    ContractCase("getFeeds", _get_feeds_calls),
    ContractCase("cancelFeed", _cancel_feed_calls),
]


async def test_feed_options_must_be_strings_even_without_strict_requests(
    sandbox_factory: SandboxFactory, sandbox_session: aiohttp.ClientSession
) -> None:
    server = await sandbox_factory(request_models_dir=None)
    document = new_document(server.state, XML_TYPE, EMPTY_ADJUSTMENT.encode())
    body = {
        "feedType": ADJUSTMENT,
        "marketplaceIds": [US],
        "inputFeedDocumentId": document.document_id,
        "feedOptions": {"retries": 2},
    }
    async with sandbox_session.post(
        server.url + FEEDS, json=body, headers=await _token_headers(server, sandbox_session)
    ) as reply:
        assert reply.status == 400
        assert (await reply.json())["errors"][0]["message"] == (
            "feedOptions must be an object of strings."
        )
    assert server.state.feeds == {}
