"""What the engine needs from the SP-API gateway and the order service, as typed protocols."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from companion.amazon.models import AmazonOrder, Feed, FinancialEvents, FulfillmentOrder
from companion.amazon.ratelimit import RateLimiter
from companion.amazon.view import OrderView


class FeedGateway(Protocol):
    """The slice of `companion.amazon.Gateway` the refunds and cancellations engine uses."""

    limiter: RateLimiter  # its token buckets: the batcher waits for createFeed tokens there

    async def get_order(self, order_id: str) -> AmazonOrder: ...

    async def upload_feed_document(
        self, xml: bytes, content_type: str = "text/xml; charset=UTF-8"
    ) -> str: ...

    async def create_feed(
        self, feed_type: str, marketplace_ids: list[str], document_id: str
    ) -> str: ...

    async def get_feed(self, feed_id: str) -> Feed: ...

    async def get_feeds(
        self,
        feed_types: list[str],
        created_since: datetime | None = None,
        statuses: list[str] | None = None,
    ) -> list[Feed]: ...

    async def get_feed_document_bytes(self, document_id: str) -> bytes: ...

    async def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> None: ...

    async def get_fulfillment_order(
        self, seller_fulfillment_order_id: str
    ) -> FulfillmentOrder | None: ...

    async def list_financial_events(self, order_id: str) -> FinancialEvents: ...


class ViewSource(Protocol):
    """The order service: the normalized order view, fresh from Amazon."""

    async def get_view(
        self, order_id: str, account: str | None = None, fresh: bool = False
    ) -> OrderView: ...

    def invalidate(self, order_id: str) -> None: ...


# The gateway of an account by name (GatewayPool.get).
GatewayOf = Callable[[str], Awaitable[FeedGateway]]
