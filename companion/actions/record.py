"""The action record: one refund or cancellation as the journal keeps it, typed from end to end.

Amounts are Decimals with the marketplace's decimals from the request to the feed XML; camelCase
exists only where a record meets JSON: the journal's columns (``from_json``/``to_json``, the
format older journals were written in) and the API's action object (``Action.to_json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from companion.actions.models import TERMINAL, ActionState
from companion.codes import ApprovalCode, OutcomeCode, WarningCode
from companion.errors import Param

ZERO = Decimal(0)
ActionKind = Literal["refund", "cancel"]


def money(amount: Decimal) -> str:
    """An amount as the API writes it: plain digits with the decimals it was quantized to."""
    return f"{amount:f}"


@dataclass(frozen=True, slots=True)
class RefundLine:
    """One item of a refund: what its AdjustedItem in the Order Adjustment feed carries.

    `components` are the amounts the feed sends. Where prices include the tax they are
    tax-exclusive and Amazon adds the tax of the sale; `tax_added` is what it may add at most
    (the agent's amount less what is sent), so the buyer never gets more than `net`.
    """

    order_item_code: str
    quantity: int
    components: Mapping[str, Decimal]  # component type -> amount sent
    restocking_fee: Decimal = ZERO
    tax_added: Mapping[str, Decimal] = field(default_factory=dict)  # tax type -> at most

    @property
    def net(self) -> Decimal:
        """Money back to the buyer for this item, at most (restocking fee taken off)."""
        return sum(self.given_back.values(), ZERO) - self.restocking_fee

    @property
    def given_back(self) -> dict[str, Decimal]:
        """Per component type, what the buyer gets back at most: sent, and the tax Amazon adds."""
        given = dict(self.components)
        for kind, amount in self.tax_added.items():
            given[kind] = given.get(kind, ZERO) + amount
        return given

    def to_json(self) -> dict[str, Any]:
        """The item as the action object shows it (money as strings)."""
        return {
            "orderItemCode": self.order_item_code,
            "quantity": self.quantity,
            "components": {kind: money(amount) for kind, amount in self.components.items()},
            "taxAdded": {kind: money(amount) for kind, amount in self.tax_added.items()},
            "restockingFee": money(self.restocking_fee),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RefundLine:
        """The line as the journal stored it (older lines have no taxAdded)."""
        return cls(
            order_item_code=str(data["orderItemCode"]),
            quantity=int(data["quantity"]),
            components={str(k): Decimal(str(v)) for k, v in data["components"].items()},
            restocking_fee=Decimal(str(data.get("restockingFee") or "0")),
            tax_added={str(k): Decimal(str(v)) for k, v in (data.get("taxAdded") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class CancelLine:
    """One item line of a cancellation: Amazon cancels whole lines."""

    order_item_code: str
    quantity: int

    def to_json(self) -> dict[str, Any]:
        """The item as the action object shows it."""
        return {"orderItemCode": self.order_item_code, "quantity": self.quantity}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CancelLine:
        """The line as the journal stored it."""
        return cls(order_item_code=str(data["orderItemCode"]), quantity=int(data["quantity"]))


ActionLine = RefundLine | CancelLine


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about an action: a stable code, its English sentence, the values it names."""

    code: WarningCode
    message: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"code", "message", "params"}``."""
        return {"code": self.code, "message": self.message, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notice:
        """A warning as the journal stored it (older ones have no params)."""
        return cls(data["code"], str(data["message"]), dict(data.get("params") or {}))


@dataclass(frozen=True, slots=True)
class AmazonResult:
    """What Amazon answered for the action, or why spdesk cannot tell.

    ``result_code`` and ``message_code`` are Amazon's (processing report); ``description`` is
    Amazon's text or spdesk's explanation, whose ``code`` and ``params`` let the extension say it
    in the agent's language.
    """

    result_code: str | None = None
    message_code: str | None = None
    description: str | None = None
    code: OutcomeCode | None = None
    params: Mapping[str, Param] = field(default_factory=dict)

    @classmethod
    def said(cls, code: OutcomeCode, text: str, **params: Param) -> AmazonResult:
        """spdesk's own explanation of an outcome."""
        return cls(description=text, code=code, params=params)

    @classmethod
    def answered(cls, result_code: str, message_code: str, description: str) -> AmazonResult:
        """A Result row of Amazon's processing report."""
        return cls(
            result_code,
            message_code,
            description,
            "amazon_result",
            {"resultCode": result_code, "messageCode": message_code, "description": description},
        )

    def to_json(self) -> dict[str, Any]:
        """The fields that are set, as the journal keeps them."""
        values = {
            "resultCode": self.result_code,
            "messageCode": self.message_code,
            "description": self.description,
            "code": self.code,
            "params": dict(self.params) if self.code else None,
        }
        return {k: v for k, v in values.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AmazonResult:
        """The result as the journal stored it (older ones have no code or params)."""
        return cls(
            data.get("resultCode"),
            data.get("messageCode"),
            data.get("description"),
            data.get("code"),
            dict(data.get("params") or {}),
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One state the action went through, when, and (for some moves) why."""

    state: ActionState
    at: str
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"state", "at"}`` plus ``detail`` when there is one."""
        entry: dict[str, Any] = {"state": str(self.state), "at": self.at}
        if self.detail:
            entry["detail"] = self.detail
        return entry


@dataclass(frozen=True, slots=True)
class PostingCheck:
    """What Finances must show once a refund is posted (see companion.actions.posting)."""

    expect: Mapping[tuple[str, str], Decimal]  # (orderItemCode, component) -> refunded level
    ahead: tuple[str, ...]  # refunds accepted before this one that Finances may not show yet

    def to_json(self) -> dict[str, Any]:
        """``{"expect": {"item|component": "amount"}, "ahead": [ids]}``."""
        return {
            "expect": {
                f"{item}|{kind}": money(level) for (item, kind), level in self.expect.items()
            },
            "ahead": list(self.ahead),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PostingCheck:
        """The check as the journal stored it."""
        expect = {}
        for key, level in data["expect"].items():
            item, kind = str(key).split("|", 1)
            expect[(item, kind)] = Decimal(str(level))
        return cls(expect, tuple(str(a) for a in data.get("ahead", [])))


@dataclass(frozen=True, slots=True)
class Resolution:
    """A person's finding for an `unknown` action, recorded with `spdesk action resolve`."""

    state: ActionState
    by: str
    note: str
    at: str

    def to_json(self) -> dict[str, Any]:
        """``{"state", "by", "note", "at"}``."""
        return {"state": self.state.value, "by": self.by, "note": self.note, "at": self.at}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resolution:
        """The finding as the journal stored it."""
        return cls(ActionState(data["state"]), str(data["by"]), str(data["note"]), str(data["at"]))


@dataclass(frozen=True, slots=True)
class ApprovalWhy:
    """Why a refund needs an approver: its English sentence, the code and the params it is made of.

    Requests recorded before the code existed have the sentence only (``code`` None).
    """

    text: str
    code: ApprovalCode | None = None
    params: Mapping[str, Param] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Approval:
    """A refund over its agent's limit: who asked, why, until when, and what an approver said."""

    state: Literal["pending", "approved", "rejected", "expired"]
    why: ApprovalWhy
    requested_by: str
    requested_at: str
    expires_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The action object's ``approval``."""
        return {
            "state": self.state,
            "why": self.why.text,
            "whyCode": self.why.code,
            "whyParams": dict(self.why.params),
            "requestedBy": self.requested_by,
            "requestedAt": self.requested_at,
            "expiresAt": self.expires_at,
            "decidedBy": self.decided_by,
            "decidedAt": self.decided_at,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Action:
    """One refund or cancellation as the journal keeps it."""

    id: str
    kind: ActionKind
    account: str
    order_id: str
    marketplace_id: str
    currency: str
    state: ActionState
    total: Decimal
    reason: str
    items: tuple[ActionLine, ...]
    note: str = ""
    ticket_url: str = ""
    agent: str = ""
    channel: str = "FBM"
    feed_id: str | None = None
    message_id: int | None = None
    batch_id: str | None = None
    amazon: AmazonResult = AmazonResult()
    warnings: tuple[Notice, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    # Bookkeeping never shown to the agent: what Finances should show once posted, the
    # fulfillment order an MCF cancel calls Amazon with, and a person's finding.
    posting: PostingCheck | None = None
    fulfillment_order_id: str | None = None
    resolution: Resolution | None = None
    # Team mode: the approval a refund over its agent's limit waits for (kept by the ledger).
    approval: Approval | None = None
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

    @property
    def refund_lines(self) -> tuple[RefundLine, ...]:
        """The items of a refund (none for a cancellation)."""
        return tuple(line for line in self.items if isinstance(line, RefundLine))

    @property
    def cancel_lines(self) -> tuple[CancelLine, ...]:
        """The items of a cancellation (none for a refund)."""
        return tuple(line for line in self.items if isinstance(line, CancelLine))

    def to_json(self) -> dict[str, Any]:
        """The action object of docs/protocol.md."""
        return {
            "id": self.id,
            "kind": self.kind,
            "orderId": self.order_id,
            "account": self.account,
            "state": str(self.state),
            "currency": self.currency,
            "total": money(self.total),
            "reason": self.reason,
            "items": [line.to_json() for line in self.items],
            "note": self.note,
            "ticketUrl": self.ticket_url,
            "agent": self.agent,
            "channel": self.channel,
            "feedId": self.feed_id,
            "messageId": self.message_id,
            "amazon": {
                "resultCode": self.amazon.result_code,
                "messageCode": self.amazon.message_code,
                "description": self.amazon.description,
                "code": self.amazon.code,
                "params": dict(self.amazon.params),
            },
            "warnings": [w.to_json() for w in self.warnings],
            "confirmation": self.confirmation,
            "history": [self._history_entry(h) for h in self.history],
            "approval": self.approval.to_json() if self.approval else None,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }

    def _history_entry(self, entry: HistoryEntry) -> dict[str, Any]:
        """A history entry; the move a person resolved carries its sentence's code and params."""
        found = self.resolution
        if found is None or (entry.state, entry.at) != (found.state, found.at):
            return entry.to_json()
        case = "applied" if found.state is ActionState.SUCCEEDED else "not_applied"
        params = {"case": case, "by": found.by, "note": found.note}
        return {**entry.to_json(), "code": "resolved", "params": params}


def lines_from_json(kind: ActionKind, items: list[Mapping[str, Any]]) -> tuple[ActionLine, ...]:
    """An action's items as the journal stored them."""
    if kind == "refund":
        return tuple(RefundLine.from_json(i) for i in items)
    return tuple(CancelLine.from_json(i) for i in items)


def extra_to_json(action: Action) -> dict[str, Any]:
    """The journal's ``extra`` column: the record's bookkeeping."""
    extra: dict[str, Any] = {}
    if action.posting is not None:
        extra["posting"] = action.posting.to_json()
    if action.fulfillment_order_id is not None:
        extra["sellerFulfillmentOrderId"] = action.fulfillment_order_id
    if action.resolution is not None:
        extra["resolution"] = action.resolution.to_json()
    return extra


def extra_from_json(
    extra: Mapping[str, Any], items: list[Mapping[str, Any]]
) -> tuple[PostingCheck | None, str | None, Resolution | None]:
    """Posting check, fulfillment order id and resolution from the ``extra`` column."""
    posting = PostingCheck.from_json(extra["posting"]) if extra.get("posting") else None
    # Older journals kept an MCF cancel's fulfillment order id in its first item.
    legacy = items[0].get("sellerFulfillmentOrderId") if items else None
    found = extra.get("sellerFulfillmentOrderId") or legacy
    resolution = Resolution.from_json(extra["resolution"]) if extra.get("resolution") else None
    return posting, str(found) if found else None, resolution
