"""Which actions an order allows right now, and why not in one sentence an agent understands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from companion.amazon.money import Mismatch
from companion.codes import ReasonCode
from companion.errors import Param
from companion.marketplaces import Marketplace
from companion.vocabulary import BUYER_CANCELED, NEUTRAL_CANCEL_REASON, CancelReason

FBA_REASON = (
    "Amazon fulfils this order (FBA): Amazon customer service handles its refunds and it "
    "cannot be cancelled by the seller."
)
MCF_REFUND_REASON = (
    "This is a Multi-Channel Fulfillment order: the buyer paid on your own sales channel, "
    "so refund them there."
)
COD_REASON = (
    "The buyer paid this order cash on delivery, to the carrier: Amazon cannot pay that money "
    "back. Refund the buyer directly, outside Amazon."
)
MCF_CANCELLABLE = frozenset({"RECEIVED", "PLANNING"})


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed or not, and the sentence that explains a refusal (with its code and params)."""

    allowed: bool
    reason: str | None = None
    code: ReasonCode | None = None
    params: Mapping[str, Param] = field(default_factory=dict)


ALLOWED = Decision(True)


def refund_decision(
    channel: str, status: str, refundable: Decimal, *, cash_on_delivery: bool = False
) -> Decision:
    """Whether spdesk can send a refund for this order now."""
    if channel == "FBA":
        return Decision(False, FBA_REASON, "fba_order")
    if channel == "MCF":
        return Decision(False, MCF_REFUND_REASON, "mcf_order")
    if cash_on_delivery:
        return Decision(False, COD_REASON, "cod_order")
    if status == "CANCELLED":
        return Decision(
            False,
            "This order is cancelled: the buyer was not charged, so there is nothing to refund.",
            "order_cancelled",
        )
    if status in ("PENDING", "UNFULFILLABLE"):
        return Decision(
            False,
            "Amazon has not charged the buyer for this order yet, so there is nothing to refund.",
            "not_charged_yet",
        )
    if refundable <= 0:
        return Decision(
            False,
            "Everything charged on this order has already been refunded "
            "(or a refund for it is on its way).",
            "nothing_refundable",
        )
    return ALLOWED


def too_small_reason(order_item_code: str) -> str:
    """Why a full refund cannot go: a line's remainder has no tax-exclusive amount to send."""
    return (
        f"Item {order_item_code}: what is left of it is too small to send once Amazon adds the "
        "tax, so a full refund cannot give back everything. Refund the rest per item."
    )


def full_refund_decision(
    refund: Decision, mismatch: Mismatch | None, market: Marketplace, too_small: str | None = None
) -> Decision:
    """Whether "everything still refundable" may be sent.

    Not while Amazon's totals disagree, nor when a line's remainder (`too_small`, its code) is
    too small to go through a feed once the tax is taken out: the agent learns it before
    confirming, not at submit.
    """
    if not refund.allowed:
        return refund
    if mismatch is not None:
        return _mismatch_decision(mismatch, market)
    if too_small is not None:
        return Decision(
            False, too_small_reason(too_small), "full_too_small", {"orderItemCode": too_small}
        )
    return refund


def _mismatch_decision(mismatch: Mismatch, market: Marketplace) -> Decision:
    """Why a full refund waits while Amazon's total and its breakdown disagree."""
    params: dict[str, Param] = {
        "case": "no_total" if mismatch.reported is None else mismatch.scope,
        "orderItemCode": mismatch.order_item_code,
        "reported": "" if mismatch.reported is None else market.format(mismatch.reported),
        "atMost": market.format(mismatch.at_most),
        "currency": market.currency,
    }
    where = f"item {mismatch.order_item_code}" if mismatch.scope == "item" else "this order"
    said = (
        f"Amazon reports no total for {where}"
        if mismatch.reported is None
        else f"Amazon's total for {where} ({params['reported']} {market.currency}) does not "
        "match its breakdown"
    )
    return Decision(
        False,
        f"{said}. spdesk does not refund everything while Amazon's amounts disagree: refund "
        f"per item, at most {params['atMost']} {market.currency} there, or check the order in "
        "Seller Central.",
        "amounts_mismatch",
        params,
    )


def cancel_decision(channel: str, status: str, shipped_units: int) -> Decision:
    """Whether a seller-fulfilled (FBM) or Amazon-fulfilled (FBA) order can be cancelled now."""
    if channel == "FBA":
        return Decision(False, FBA_REASON, "fba_order")
    if status == "CANCELLED":
        return Decision(False, "This order is already cancelled.", "order_cancelled")
    if status == "SHIPPED" or (shipped_units and status != "PARTIALLY_SHIPPED"):
        return Decision(
            False,
            "This order has shipped, so it can no longer be cancelled. Issue a refund instead.",
            "order_shipped",
        )
    if status == "PARTIALLY_SHIPPED" or shipped_units:
        return Decision(
            False,
            "Part of this order has already shipped, so it can no longer "
            "be cancelled. Issue a refund instead.",
            "order_partly_shipped",
        )
    if status == "PENDING":
        return Decision(
            False,
            "Amazon is still confirming the buyer's payment (Pending); the "
            "order can be cancelled once it is Unshipped.",
            "payment_pending",
        )
    if status != "UNSHIPPED":
        return Decision(
            False,
            f"Amazon does not allow cancelling an order in status {status}.",
            "status_not_cancellable",
            {"status": status},
        )
    return ALLOWED


def mcf_cancel_decision(fulfillment_status: str) -> Decision:
    """Fulfillment Outbound accepts a cancel only while the order is Received or Planning."""
    status = fulfillment_status.upper()
    if status in MCF_CANCELLABLE:
        return ALLOWED
    if status == "PROCESSING":
        return Decision(
            False,
            "Amazon is already picking and packing this fulfillment order "
            "(Processing), so it can no longer be cancelled.",
            "mcf_processing",
        )
    if status == "CANCELLED":
        return Decision(False, "This fulfillment order is already cancelled.", "mcf_cancelled")
    if status in ("COMPLETE", "COMPLETEPARTIALLED"):
        return Decision(
            False,
            "Amazon has already shipped this fulfillment order, so it can no longer be cancelled.",
            "mcf_shipped",
        )
    return Decision(
        False,
        f"Amazon does not allow cancelling a fulfillment order in status {fulfillment_status}.",
        "mcf_status_not_cancellable",
        {"status": fulfillment_status},
    )


def default_cancel_reason(buyer_requested: bool) -> CancelReason:
    """The cancel reason to preselect: BuyerCanceled when the buyer asked through Amazon."""
    return BUYER_CANCELED if buyer_requested else NEUTRAL_CANCEL_REASON
