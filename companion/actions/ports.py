"""What the engine needs from the SP-API gateway, the order service and its ledger (protocols)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from companion.actions.models import ActionState
from companion.actions.record import Action, AmazonResult, ApprovalWhy, Notice
from companion.actions.schema import Batch, Change
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


@dataclass(frozen=True)
class ActionQuery:
    """Which actions to read: a typed filter each ledger turns into its own query."""

    order_id: str | None = None
    account: str | None = None
    states: frozenset[ActionState] | None = None
    kind: str | None = None
    since: str | None = None  # ISO 8601 UTC ("…Z"): created at or after
    until: str | None = None  # ISO 8601 UTC: created before
    oldest_first: bool = False


@dataclass(frozen=True)
class ApprovalRequest:
    """Why a refund waits for an approver, and for how many seconds at most."""

    why: ApprovalWhy
    ttl: float


class InvalidTransition(RuntimeError):
    """A state change the lifecycle does not allow (a bug, or a move another task made first)."""


class IdempotencyKeyTaken(Exception):
    """The key was stored meanwhile by another request (for another order): the first one won."""


# A journal move: action id, new state, what else it records.
Move = tuple[str, ActionState, Change]


class Ledger(Protocol):
    """Where the engine keeps its actions, batches and keys, and how it learns of changes.

    Two implementations: the companion's own SQLite file (single mode) and a PostgreSQL database
    a team shares (companion.ledger). The engine, the service and the routes never know which.
    Every method may raise `LedgerUnavailable` (503) when the team ledger cannot be reached.
    """

    kind: str

    @property
    def term(self) -> int | None:
        """This companion's term as the feed builder (0: alone, no term); None: another builds."""

    async def open(self) -> None:
        """Open the storage (a team ledger's pool opens without waiting for the server)."""

    async def close(self) -> None:
        """Stop watching and close the storage."""

    async def watch(
        self,
        changed: Callable[[Action], None],
        reset: Callable[[], None],
        work: Callable[[str], Awaitable[None]],
        leader: Callable[[int | None], Awaitable[None]],
    ) -> None:
        """Be told of every change (anyone's), of a lost gap, of work and of the feed builder.

        Only a serving companion watches; the command line only opens, reads and writes.
        """

    def order_lock(self, account: str, order_id: str) -> AbstractAsyncContextManager[None]:
        """One order at a time across every companion of the ledger."""

    def waiting(self, account: str, order_id: str) -> int: ...

    # -- actions
    async def get(self, action_id: str) -> Action | None: ...

    async def for_order(self, order_id: str) -> list[Action]: ...

    async def find(self, query: ActionQuery) -> list[Action]: ...

    async def unfinished(self) -> list[Action]: ...

    async def in_batch(self, batch_id: str) -> list[Action]: ...

    async def idempotent(self, key: str) -> tuple[str, str] | None: ...

    async def create(
        self,
        action: Action,
        *,
        idempotency_key: str | None,
        body_hash: str,
        approval: ApprovalRequest | None = None,
    ) -> Action: ...

    async def transition(
        self,
        action_id: str,
        state: ActionState,
        *,
        detail: str | None = None,
        amazon: AmazonResult | None = None,
        warnings: tuple[Notice, ...] | None = None,
        feed_id: str | None = None,
    ) -> Action: ...

    async def transition_many(
        self, moves: list[Move], *, detail: str | None = None
    ) -> list[Action]: ...

    async def update(self, action_id: str, *, warnings: tuple[Notice, ...]) -> Action: ...

    async def resolve(
        self, action_id: str, state: ActionState, *, by: str, note: str, detail: str
    ) -> ActionState: ...

    # -- limits and approvals (single mode: none)
    async def needs_approval(
        self, agent: str, currency: str, amount: Decimal
    ) -> ApprovalWhy | None: ...

    async def approval_ttl(self) -> float: ...

    async def expire_approvals(self) -> list[Action]: ...

    # -- feed batches
    async def claim_batch(
        self, batch_id: str, key: tuple[str, str, str], action_ids: list[str], term: int | None
    ) -> list[Action]: ...

    async def start_create_feed(self, batch_id: str, term: int | None) -> bool: ...

    async def update_batch(
        self,
        batch_id: str,
        *,
        state: str | None = None,
        document_id: str | None = None,
        detail: dict[str, object] | None = None,
    ) -> None: ...

    async def batch_submitted(self, batch_id: str, feed_id: str) -> list[Action]: ...

    async def batch(self, batch_id: str) -> Batch | None: ...

    async def open_batches(self) -> list[Batch]: ...

    async def batches(self, account: str) -> list[Batch]: ...

    async def known_feed_ids(self, account: str) -> set[str]: ...
