"""Exactly-once guards: idempotency keys, per-order locks and the human-double check."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from companion.actions.models import ActionState
from companion.actions.record import Action, RefundLine, money
from companion.errors import BadRequest, Conflict

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:\-]{8,255}$"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
# States in which a refund may still reach, or may have reached, the buyer (one waiting for
# approval too: its amount stays reserved until an approver decides).
PENDING = frozenset(
    {
        ActionState.AWAITING_APPROVAL,
        ActionState.ACCEPTED,
        ActionState.QUEUED,
        ActionState.SUBMITTED,
        ActionState.PROCESSING,
        ActionState.UNKNOWN,
    }
)
APPLIED = frozenset({ActionState.SUCCEEDED, ActionState.POSTED})


def idempotency_key(keys: Sequence[str]) -> str:
    """The request's one Idempotency-Key (``keys``: every such header), checked."""
    if not keys or not keys[0]:
        raise BadRequest(
            "Every refund or cancellation needs an Idempotency-Key header, so a "
            "repeated click can never move money twice.",
            code="idempotency_key_missing",
        )
    if len(keys) > 1:
        # Which one would count? Proxies and clients disagree, so neither does.
        raise BadRequest(
            "Send exactly one Idempotency-Key header.",
            code="idempotency_key_invalid",
            params={"case": "repeated"},
        )
    if not _KEY.fullmatch(keys[0]):
        raise BadRequest(
            "The Idempotency-Key must be 8 to 255 letters, digits or . _ : -.",
            code="idempotency_key_invalid",
            params={"case": "format"},
        )
    return keys[0]


def body_hash(kind: str, body: BaseModel) -> str:
    """A stable fingerprint of what was asked (same key + same body = same action)."""
    dumped = body.model_dump(mode="json", by_alias=True)
    # Left out when absent, so keys stored before the field existed still replay.
    if dumped.get("expectedTotal", "") is None:
        del dumped["expectedTotal"]
    canonical = json.dumps([kind, dumped], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_reused() -> Conflict:
    """The refusal for a key that was already used with a different request."""
    return Conflict(
        "This Idempotency-Key was already used for a different request. "
        "Start the action again from the order panel.",
        code="idempotency_key_reused",
    )


class OrderLocks:
    """One asyncio lock per (account, order): actions on one order run one after another."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, account: str, order_id: str) -> AsyncIterator[None]:
        """Hold the order's lock for the duration of the block."""
        key = (account, order_id)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def waiting(self, account: str, order_id: str) -> int:
        """How many holders and waiters the order's lock has (0 when free)."""
        return self._locks.get((account, order_id), (None, 0))[1]


def _touched(lines: Iterable[RefundLine]) -> set[tuple[str, str]]:
    """(orderItemCode, component) pairs the lines give money back for."""
    return {
        (line.order_item_code, component)
        for line in lines
        for component, amount in line.components.items()
        if amount
    }


def overlapping_refunds(
    new_lines: tuple[RefundLine, ...],
    existing: list[Action],
    window: timedelta,
    now: datetime | None = None,
) -> list[Action]:
    """Refunds of the same order that touch the same item components and are pending or recent."""
    now = now or datetime.now(UTC)
    wanted = _touched(new_lines)
    found = []
    for action in existing:
        if action.kind != "refund" or not (wanted & _touched(action.refund_lines)):
            continue
        if action.state in PENDING:
            found.append(action)
        elif action.state in APPLIED and now - _parse(action.updated_at) <= window:
            found.append(action)
    return found


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def overlap_refusal(found: list[Action]) -> Conflict:
    """The 409 that asks the agent to confirm a refund that looks like a double."""
    latest = found[0]
    pending = latest.state in PENDING
    when = "is still being processed" if pending else "was applied minutes ago"
    return Conflict(
        f"A refund of {money(latest.total)} {latest.currency} for the same items {when} "
        f"({latest.confirmation}). If this is really a second refund, confirm it.",
        code="overlap_needs_confirmation",
        params={
            "case": "pending" if pending else "applied",
            "total": money(latest.total),
            "currency": latest.currency,
            "confirmation": latest.confirmation,
        },
        details={"actionIds": [a.id for a in found]},
    )
