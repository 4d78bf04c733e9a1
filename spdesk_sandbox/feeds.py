"""Feeds API 2021-06-30: feed documents, createFeed, getFeed(s), cancelFeed, getFeedDocument."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import timedelta
from typing import Any

from aiohttp import web

from spdesk_sandbox import documents, processor
from spdesk_sandbox.errors import invalid_input, not_found
from spdesk_sandbox.feedxml import MESSAGE_TYPES
from spdesk_sandbox.marketplaces import BY_ID
from spdesk_sandbox.params import iso, query_datetime, query_int, query_list
from spdesk_sandbox.processor import PROCESSOR, FeedRecord, FeedStatus, feeds_of
from spdesk_sandbox.state import STATE, SandboxState

BASE = "/feeds/2021-06-30"
RETENTION = timedelta(days=90)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise invalid_input("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid_input("The request body must be a JSON object.")
    return body


async def create_feed_document(request: web.Request) -> web.Response:
    """POST /documents: a document id and a presigned upload URL for `contentType`."""
    state = request.app[STATE]
    content_type = (await _body(request)).get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input(
            "contentType is required.", "For XML feeds use text/xml; charset=UTF-8."
        )
    document = documents.new_document(state, content_type.strip())
    url = documents.presigned_url(state, documents.base_url(request), document, "PUT")
    return web.json_response({"feedDocumentId": document.document_id, "url": url}, status=201)


def _marketplace_ids(body: dict[str, Any]) -> list[str]:
    ids = body.get("marketplaceIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 25:
        raise invalid_input("marketplaceIds must list 1 to 25 marketplace ids.")
    for marketplace_id in ids:
        if marketplace_id not in BY_ID:
            raise invalid_input(f"Invalid marketplaceId '{marketplace_id}'.")
    return list(dict.fromkeys(ids))


def _feed_options(body: dict[str, Any]) -> dict[str, str]:
    options = body.get("feedOptions") or {}
    # The model's FeedOptions is a map of strings: Amazon refuses any other value.
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise invalid_input("feedOptions must be an object of strings.")
    return options


def _new_feed_id(state: SandboxState) -> str:
    # Derived from virtual time, so ids stay unique across restarts of a persistent sandbox.
    number = 50_000_000_000 + int(state.now().timestamp() * 10) % 10_000_000_000
    while str(number) in state.feeds:
        number += 1
    return str(number)


async def create_feed(request: web.Request) -> web.Response:
    """POST /feeds: queue a feed of an uploaded document for processing."""
    state = request.app[STATE]
    body = await _body(request)
    feed_type = body.get("feedType")
    if feed_type not in MESSAGE_TYPES:
        supported = ", ".join(sorted(MESSAGE_TYPES))
        raise invalid_input(
            f"Invalid feedType '{feed_type}'.", f"The sandbox supports {supported}."
        )
    marketplace_ids = _marketplace_ids(body)
    document_id = body.get("inputFeedDocumentId")
    document = documents.get_document(state, document_id) if isinstance(document_id, str) else None
    if document is None:
        raise invalid_input(f"Invalid inputFeedDocumentId '{document_id}'.")
    if document.content is None:
        raise invalid_input(
            f"Feed document {document_id} has not been uploaded yet.",
            "PUT the feed content to the URL from createFeedDocument first.",
        )
    options = _feed_options(body)
    async with state.lock:
        feed = FeedRecord(
            feed_id=_new_feed_id(state),
            feed_type=feed_type,
            marketplace_ids=marketplace_ids,
            input_document_id=document.document_id,
            created_at=state.now(),
            fault=state.faults.take_feed_fault(),
            feed_options=options,
        )
        state.feeds[feed.feed_id] = feed
        state.touch()
    request.app[PROCESSOR].notify()
    return web.json_response({"feedId": feed.feed_id}, status=202)


def _feed(state: SandboxState, feed_id: str) -> FeedRecord:
    feed = state.feeds.get(feed_id)
    if not isinstance(feed, FeedRecord):
        raise not_found(f"Feed {feed_id} was not found.")
    return feed


async def get_feed(request: web.Request) -> web.Response:
    """GET /feeds/{feedId}: the feed and its processing status."""
    feed = _feed(request.app[STATE], request.match_info["feedId"])
    return web.json_response(feed.to_json())


async def cancel_feed(request: web.Request) -> web.Response:
    """DELETE /feeds/{feedId}: only a feed still IN_QUEUE can be cancelled."""
    state = request.app[STATE]
    async with state.lock:
        feed = _feed(state, request.match_info["feedId"])
        if feed.status is not FeedStatus.IN_QUEUE:
            raise invalid_input(
                f"Feed {feed.feed_id} cannot be cancelled: it is {feed.status}.",
                "Only feeds with processingStatus IN_QUEUE can be cancelled.",
            )
        feed.status, feed.ended_at = FeedStatus.CANCELLED, state.now()
        state.touch()
    return web.Response(status=200)


def _encode_token(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query, sort_keys=True).encode()).decode()


_QUERY_KEYS = {
    "feedTypes",
    "marketplaceIds",
    "processingStatuses",
    "pageSize",
    "createdSince",
    "createdUntil",
    "offset",
}


def _decode_token(token: str) -> dict[str, Any]:
    try:
        query = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error):
        raise invalid_input("Invalid nextToken.") from None
    if not isinstance(query, dict) or set(query) != _QUERY_KEYS:
        raise invalid_input("Invalid nextToken.")
    return query


def _feeds_query(request: web.Request) -> dict[str, Any]:
    token = request.query.get("nextToken")
    if token:
        if len(request.query) > 1:
            raise invalid_input("nextToken must be the only parameter when it is given.")
        return _decode_token(token)
    feed_types = query_list(request, "feedTypes", max_items=10)
    if not feed_types:
        raise invalid_input("Either feedTypes or nextToken is required.")
    since, until = query_datetime(request, "createdSince"), query_datetime(request, "createdUntil")
    return {
        "feedTypes": feed_types,
        "marketplaceIds": query_list(request, "marketplaceIds", max_items=10),
        "processingStatuses": query_list(
            request, "processingStatuses", [s.value for s in FeedStatus]
        ),
        "pageSize": query_int(request, "pageSize", 1, 100, 10),
        "createdSince": iso(since) if since else None,
        "createdUntil": iso(until) if until else None,
        "offset": 0,
    }


def _matches(feed: FeedRecord, query: dict[str, Any], state: SandboxState) -> bool:
    created = iso(feed.created_at)
    since = query["createdSince"] or iso(state.now() - RETENTION)
    return (
        feed.feed_type in query["feedTypes"]
        and (
            not query["marketplaceIds"]
            or bool(set(query["marketplaceIds"]) & set(feed.marketplace_ids))
        )
        and (not query["processingStatuses"] or feed.status in query["processingStatuses"])
        and created >= since
        and (query["createdUntil"] is None or created <= query["createdUntil"])
    )


async def get_feeds(request: web.Request) -> web.Response:
    """GET /feeds: the seller's feeds matching the filters, newest first, paged."""
    state = request.app[STATE]
    query = _feeds_query(request)
    found = [f for f in reversed(feeds_of(state)) if _matches(f, query, state)]
    start, size = int(query["offset"]), int(query["pageSize"])
    body: dict[str, Any] = {"feeds": [f.to_json() for f in found[start : start + size]]}
    if start + size < len(found):
        body["nextToken"] = _encode_token({**query, "offset": start + size})
    return web.json_response(body)


async def get_feed_document(request: web.Request) -> web.Response:
    """GET /documents/{feedDocumentId}: a presigned download URL (and GZIP when compressed)."""
    state = request.app[STATE]
    document_id = request.match_info["feedDocumentId"]
    document = documents.get_document(state, document_id)
    if document is None or document.content is None:
        raise not_found(f"Feed document {document_id} was not found.")
    encoding = None
    if document.compression and request.query.get("enableContentEncodingUrlHeader") == "true":
        encoding = "gzip"
    url = documents.presigned_url(state, documents.base_url(request), document, "GET", encoding)
    body: dict[str, Any] = {"feedDocumentId": document.document_id, "url": url}
    if document.compression:
        body["compressionAlgorithm"] = document.compression
    return web.json_response(body)


def setup(app: web.Application) -> None:
    """Register the Feeds routes (named by operationId), the document URLs and the processor."""
    r = app.router
    r.add_post(f"{BASE}/documents", create_feed_document, name="createFeedDocument")
    r.add_get(f"{BASE}/documents/{{feedDocumentId}}", get_feed_document, name="getFeedDocument")
    r.add_post(f"{BASE}/feeds", create_feed, name="createFeed")
    r.add_get(f"{BASE}/feeds", get_feeds, name="getFeeds")
    r.add_get(f"{BASE}/feeds/{{feedId}}", get_feed, name="getFeed")
    r.add_delete(f"{BASE}/feeds/{{feedId}}", cancel_feed, name="cancelFeed")
    documents.setup(app)
    processor.setup(app)
