"""Requests and states of the refunds and cancellations engine (the record: record.py)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from companion.fields import WHOLE_NUMBER, CurrencyCode, MoneyText, NoteText, PlainText, TicketUrl
from companion.vocabulary import CancelReason, OrderId, RefundComponent, RefundReason


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


# Units of an item line: a whole JSON number (limits first, so the JSON schema names them).
Quantity = Annotated[int, Field(ge=1, le=10_000), WHOLE_NUMBER]


class _Strict(BaseModel):
    # strict: JSON types as written (quantity 1, not "1" or true); the HTTP layer validates
    # with strict=True as well.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class RefundItemIn(_Strict):
    """One item of a partial refund as the extension sends it."""

    order_item_code: PlainText = Field(alias="orderItemCode", min_length=1, max_length=40)
    quantity: Quantity = 1
    components: dict[RefundComponent, MoneyText] = Field(default_factory=dict)
    restocking_fee: MoneyText | None = Field(default=None, alias="restockingFee")


class _ActionIn(_Strict):
    order_id: OrderId = Field(alias="orderId")
    account: PlainText | None = Field(default=None, max_length=100)
    note: NoteText = Field(default="", max_length=2000)
    ticket_url: TicketUrl = Field(default="", alias="ticketUrl", max_length=2000)
    agent: PlainText = Field(default="", max_length=200)


class RefundIn(_ActionIn):
    """POST /v1/refunds body. A partial refund names each orderItemCode at most once; `agent`
    must name someone unless the companion is in a team (then it is the companion's agent)."""

    # What the schema can say of mode and items: a partial refund lists at least one item, a
    # full refund none (the checks in amounts.py say it in words).
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"mode": {"const": "partial"}}},
                    "then": {
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "minItems": 1}},
                    },
                    "else": {"properties": {"items": {"type": ["array", "null"], "maxItems": 0}}},
                }
            ]
        }
    )

    mode: Literal["full", "partial"]
    reason: RefundReason
    items: list[RefundItemIn] | None = Field(default=None, max_length=200)
    currency: CurrencyCode | None = None
    # The total the agent confirmed; the refund is refused if the companion computes another.
    expected_total: MoneyText | None = Field(default=None, alias="expectedTotal")
    confirm_overlap: bool = Field(default=False, alias="confirmOverlap")


class CancelItemIn(_Strict):
    """One item to cancel; quantity defaults to everything not yet cancelled."""

    order_item_code: PlainText = Field(alias="orderItemCode", min_length=1, max_length=40)
    quantity: Quantity | None = None


class CancelIn(_ActionIn):
    """POST /v1/cancellations body; `agent` must name someone unless the companion is in a
    team (then it is the companion's agent)."""

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
