"""Requests, states and the action record of the refunds and cancellations engine."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from companion.vocabulary import CancelReason, OrderId, RefundComponent, RefundReason

# Money arrives as a string so no float ever touches it; the rules module parses it to Decimal.
MoneyText = str


class ActionState(StrEnum):
    """Where an action is in its life; see docs/protocol.md."""

    ACCEPTED = "accepted"
    QUEUED = "queued"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"
    POSTED = "posted"


TERMINAL = frozenset(
    {ActionState.SUCCEEDED, ActionState.FAILED, ActionState.UNKNOWN, ActionState.POSTED}
)
# Allowed moves; anything else is a bug and refused by the journal.
TRANSITIONS: dict[ActionState, frozenset[ActionState]] = {
    ActionState.ACCEPTED: frozenset(
        {
            ActionState.QUEUED,
            ActionState.SUBMITTED,
            ActionState.SUCCEEDED,
            ActionState.FAILED,
            ActionState.UNKNOWN,
        }
    ),
    ActionState.QUEUED: frozenset({ActionState.SUBMITTED, ActionState.FAILED, ActionState.UNKNOWN}),
    ActionState.SUBMITTED: frozenset(
        {ActionState.PROCESSING, ActionState.SUCCEEDED, ActionState.FAILED, ActionState.UNKNOWN}
    ),
    ActionState.PROCESSING: frozenset(
        {ActionState.SUCCEEDED, ActionState.FAILED, ActionState.UNKNOWN}
    ),
    ActionState.SUCCEEDED: frozenset({ActionState.POSTED}),
    ActionState.FAILED: frozenset(),
    ActionState.UNKNOWN: frozenset({ActionState.POSTED}),
    ActionState.POSTED: frozenset(),
}
# What a person may record for an `unknown` action after checking Seller Central: Amazon applied
# it, or did not. Only `spdesk action resolve` makes these moves (Journal.resolve).
RESOLUTIONS = frozenset({ActionState.SUCCEEDED, ActionState.FAILED})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RefundItemIn(_Strict):
    """One item of a partial refund as the extension sends it."""

    order_item_code: str = Field(alias="orderItemCode", min_length=1, max_length=40)
    quantity: int = Field(default=1, ge=1, le=10_000)
    components: dict[RefundComponent, MoneyText] = Field(default_factory=dict)
    restocking_fee: MoneyText | None = Field(default=None, alias="restockingFee")


class _ActionIn(_Strict):
    order_id: OrderId = Field(alias="orderId")
    account: str | None = Field(default=None, max_length=100)
    note: str = Field(default="", max_length=2000)
    ticket_url: str = Field(default="", alias="ticketUrl", max_length=2000)
    agent: str = Field(default="", max_length=200)

    @field_validator("ticket_url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("ticketUrl must be an http(s) address")
        return value


class RefundIn(_ActionIn):
    """POST /v1/refunds body."""

    mode: Literal["full", "partial"]
    reason: RefundReason
    items: list[RefundItemIn] | None = Field(default=None, max_length=200)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    # The total the agent confirmed; the refund is refused if the companion computes another.
    expected_total: MoneyText | None = Field(default=None, alias="expectedTotal", max_length=32)
    confirm_overlap: bool = Field(default=False, alias="confirmOverlap")


class CancelItemIn(_Strict):
    """One item to cancel; quantity defaults to everything not yet cancelled."""

    order_item_code: str = Field(alias="orderItemCode", min_length=1, max_length=40)
    quantity: int | None = Field(default=None, ge=1, le=10_000)


class CancelIn(_ActionIn):
    """POST /v1/cancellations body."""

    items: list[CancelItemIn] | None = Field(default=None, max_length=200)
    reason: CancelReason | None = None


def now_iso() -> str:
    """UTC now with milliseconds, as the API shows it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str) -> str:
    """A sortable id: 48-bit millisecond time + 40 random bits, Crockford base32."""
    value = (int(time.time() * 1000) << 40) | int.from_bytes(os.urandom(5), "big")
    chars = []
    for _ in range(18):
        value, rest = divmod(value, 32)
        chars.append(_CROCKFORD[rest])
    return f"{prefix}_{''.join(reversed(chars))}"


@dataclass
class Action:
    """One refund or cancellation as the journal keeps it."""

    id: str
    kind: Literal["refund", "cancel"]
    account: str
    order_id: str
    marketplace_id: str
    currency: str
    state: ActionState
    total: str
    reason: str
    items: list[dict[str, Any]]
    note: str = ""
    ticket_url: str = ""
    agent: str = ""
    channel: str = "FBM"
    feed_id: str | None = None
    message_id: int | None = None
    batch_id: str | None = None
    amazon: dict[str, Any] = field(default_factory=dict)
    warnings: list[dict[str, str]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    # Internal bookkeeping never shown to the agent (e.g. what Finances should show once posted).
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""

    @property
    def confirmation(self) -> str:
        """The short reference the agent pastes into the reply."""
        return "SPD-" + self.id.rsplit("_", 1)[-1][-8:]

    @property
    def terminal(self) -> bool:
        """True once the action will not change any more (except the 'posted' mark)."""
        return self.state in TERMINAL

    def to_json(self) -> dict[str, Any]:
        """The action object of docs/protocol.md."""
        return {
            "id": self.id,
            "kind": self.kind,
            "orderId": self.order_id,
            "account": self.account,
            "state": str(self.state),
            "currency": self.currency,
            "total": self.total,
            "reason": self.reason,
            "items": self.items,
            "note": self.note,
            "ticketUrl": self.ticket_url,
            "agent": self.agent,
            "channel": self.channel,
            "feedId": self.feed_id,
            "messageId": self.message_id,
            "amazon": {
                "resultCode": self.amazon.get("resultCode"),
                "messageCode": self.amazon.get("messageCode"),
                "description": self.amazon.get("description"),
            },
            "warnings": self.warnings,
            "confirmation": self.confirmation,
            "history": self.history,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
