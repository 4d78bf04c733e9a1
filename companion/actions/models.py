"""Requests and states of the refunds and cancellations engine (the record: record.py)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from companion.vocabulary import CancelReason, OrderId, RefundComponent, RefundReason

# Money arrives as a string so no float ever touches it; the rules module parses it to Decimal.
MoneyText = str


class ActionState(StrEnum):
    """Where an action is in its life; see docs/protocol.md."""

    # A refund over its agent's limit (team mode): nothing is sent before an approver says yes.
    AWAITING_APPROVAL = "awaiting_approval"
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
    # Approved, or rejected / expired (nothing was sent).
    ActionState.AWAITING_APPROVAL: frozenset({ActionState.ACCEPTED, ActionState.FAILED}),
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
