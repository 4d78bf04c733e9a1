"""The SP-API gateway of one seller account: typed operations over python-amazon-sp-api."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from typing import Any

from companion.amazon.calls import Caller, Reply, Send
from companion.amazon.clients import (
    SpApiClients,
    Target,
    build_clients,
    cancel_fulfillment_order,
)
from companion.amazon.models import AmazonOrder, Feed, FinancialEvents, FulfillmentOrder
from companion.amazon.outcome import AmazonRejected
from companion.amazon.parse import (
    AmazonBadResponse,
    parse_feed,
    parse_financial_events,
    parse_fulfillment_order,
    parse_order,
    required_field,
)
from companion.amazon.ratelimit import RateLimiter
from companion.amazon.retry import RetryPolicy
from companion.amazon.transport import new_http_client, silence_library_debug
from companion.errors import NotFound, OrderNotFound

# PAYMENT names cash-on-delivery orders, which a feed refund cannot pay back.
ORDER_INCLUDED_DATA = ["PROCEEDS", "CANCELLATION", "FULFILLMENT", "PAYMENT"]
FEED_CONTENT_TYPE = "text/xml; charset=UTF-8"
MAX_PAGES = 20


class Gateway:
    """SP-API calls for one account: token buckets, retries, status checks, pydantic results."""

    def __init__(
        self,
        target: Target,
        *,
        request_timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        silence_library_debug()
        self.target = target
        self.limiter = limiter or RateLimiter()
        self._clients: SpApiClients = build_clients(
            target, partial(new_http_client, request_timeout)
        )
        self._caller = Caller(target, self.limiter, policy or RetryPolicy())

    @property
    def account_name(self) -> str:
        """The name of the account this gateway speaks for."""
        return self.target.name

    @property
    def marketplace_ids(self) -> tuple[str, ...]:
        """Marketplace ids of the account."""
        return self.target.marketplace_ids

    async def aclose(self) -> None:
        """Close the pooled HTTP connections."""
        await self._clients.aclose()

    async def get_order(self, order_id: str) -> AmazonOrder:
        """Orders v2026-01-01 getOrder with proceeds, cancellation and fulfillment data."""
        orders = self._clients.orders
        try:
            reply = await self._caller.call(
                "getOrder", lambda: orders.get_order(order_id, includedData=ORDER_INCLUDED_DATA)
            )
        except NotFound:
            raise OrderNotFound(details={"orderId": order_id}) from None
        return parse_order(reply.body)

    async def get_fulfillment_order(
        self, seller_fulfillment_order_id: str
    ) -> FulfillmentOrder | None:
        """Fulfillment Outbound getFulfillmentOrder; None when Amazon does not know the id."""
        send = partial(self._clients.outbound.get_fulfillment_order, seller_fulfillment_order_id)
        reply = await self._outbound("getFulfillmentOrder", send)
        return None if reply is None else parse_fulfillment_order(reply.body)

    async def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> None:
        """Fulfillment Outbound cancelFulfillmentOrder (accepted while Received/Planning)."""
        send = partial(
            cancel_fulfillment_order, self._clients.outbound, seller_fulfillment_order_id
        )
        if await self._outbound("cancelFulfillmentOrder", send) is None:
            raise OrderNotFound(details={"orderId": seller_fulfillment_order_id})

    async def _outbound(self, operation: str, send: Send) -> Reply | None:
        """A Fulfillment Outbound call; None when Amazon does not know the fulfillment order."""
        try:
            return await self._caller.call(operation, send)
        except (NotFound, AmazonRejected) as exc:
            if isinstance(exc, AmazonRejected) and not _says_not_found(exc):
                raise
            return None

    async def list_financial_events(self, order_id: str) -> FinancialEvents:
        """Finances v0 listFinancialEventsByOrderId, all pages: posted charges and refunds."""
        finances = self._clients.finances
        pages: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            params = {"NextToken": token} if token else {}
            try:
                reply = await self._caller.call(
                    "listFinancialEventsByOrderId",
                    partial(finances.get_financial_events_for_order, order_id, **params),
                )
            except NotFound:
                break
            pages.append(reply.body)
            token = (reply.body.get("payload") or {}).get("NextToken")
            if not token:
                break
        return parse_financial_events(order_id, pages)

    async def upload_feed_document(self, xml: bytes, content_type: str = FEED_CONTENT_TYPE) -> str:
        """createFeedDocument and upload the bytes; returns the feed document id."""
        if not isinstance(xml, bytes):
            raise TypeError("feed documents are uploaded as bytes, never str")
        feeds = self._clients.feeds
        reply = await self._caller.call(
            "createFeedDocument",
            lambda: feeds.create_feed_document(BytesIO(xml), content_type),
        )
        return required_field(reply.body, "feedDocumentId", "createFeedDocument")

    async def create_feed(
        self, feed_type: str, marketplace_ids: Iterable[str], document_id: str
    ) -> str:
        """createFeed: the step that moves money. Never resent after it may have reached Amazon."""
        feeds = self._clients.feeds
        ids = list(marketplace_ids)
        reply = await self._caller.call(
            "createFeed",
            lambda: feeds.create_feed(feed_type, document_id, marketplaceIds=ids),
            repeatable=False,
        )
        return required_field(reply.body, "feedId", "createFeed")

    async def get_feed(self, feed_id: str) -> Feed:
        """getFeed: processing status and result document of one feed."""
        feeds = self._clients.feeds
        reply = await self._caller.call("getFeed", lambda: feeds.get_feed(feed_id))
        return parse_feed(reply.body)

    async def get_feeds(
        self,
        feed_types: Iterable[str],
        created_since: datetime | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[Feed]:
        """getFeeds with filters, all pages (used to reconcile feeds after a lost reply)."""
        feeds = self._clients.feeds
        # No marketplaceIds filter: Amazon takes at most 10 and an EU account can have 11.
        params: dict[str, Any] = {"feedTypes": ",".join(feed_types)}
        if created_since is not None:
            params["createdSince"] = _iso(created_since)
        if statuses:
            params["processingStatuses"] = ",".join(statuses)
        found: list[Feed] = []
        for _ in range(MAX_PAGES):
            reply = await self._caller.call("getFeeds", partial(feeds.get_feeds, **params))
            found.extend(parse_feed(f) for f in reply.body.get("feeds") or [])
            token = reply.body.get("nextToken")
            if not token:
                break
            params = {"nextToken": token}
        return found

    async def get_feed_document_bytes(self, document_id: str) -> bytes:
        """getFeedDocument and download it; gunzipped when Amazon compressed it."""
        feeds = self._clients.feeds
        reply = await self._caller.call(
            "getFeedDocument", lambda: feeds.get_feed_result_document(document_id)
        )
        if not reply.documents:
            raise AmazonBadResponse(details={"operation": "getFeedDocument"})
        content = reply.documents[-1]
        if reply.body.get("compressionAlgorithm") == "GZIP" or content[:2] == b"\x1f\x8b":
            try:
                return gzip.decompress(content)
            except (OSError, EOFError, zlib.error) as exc:
                raise AmazonBadResponse(details={"operation": "getFeedDocument"}) from exc
        return content


def _says_not_found(error: AmazonRejected) -> bool:
    # Fulfillment Outbound answers an unknown id with 400 InvalidInput "Requested order not found".
    return "not found" in error.message.lower()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
