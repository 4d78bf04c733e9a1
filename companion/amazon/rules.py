"""Which actions an order allows right now, and why not in one sentence an agent understands."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from companion.vocabulary import BUYER_CANCELED, NEUTRAL_CANCEL_REASON, CancelReason

FBA_REASON = (
    "Amazon fulfils this order (FBA): Amazon customer service handles its refunds and it "
    "cannot be cancelled by the seller."
)
MCF_REFUND_REASON = (
    "This is a Multi-Channel Fulfillment order: the buyer paid on your own sales channel, "
    "so refund them there."
)
MCF_CANCELLABLE = frozenset({"RECEIVED", "PLANNING"})


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed or not, and the sentence that explains a refusal."""

    allowed: bool
    reason: str | None = None


ALLOWED = Decision(True)


def refund_decision(channel: str, status: str, refundable: Decimal) -> Decision:
    """Whether spdesk can send a refund for this order now."""
    if channel == "FBA":
        return Decision(False, FBA_REASON)
    if channel == "MCF":
        return Decision(False, MCF_REFUND_REASON)
    if status == "CANCELLED":
        return Decision(
            False,
            "This order is cancelled: the buyer was not charged, so there is nothing to refund.",
        )
    if status in ("PENDING", "UNFULFILLABLE"):
        return Decision(
            False,
            "Amazon has not charged the buyer for this order yet, so there is nothing to refund.",
        )
    if refundable <= 0:
        return Decision(
            False,
            "Everything charged on this order has already been refunded "
            "(or a refund for it is on its way).",
        )
    return ALLOWED


def cancel_decision(channel: str, status: str, shipped_units: int) -> Decision:
    """Whether a seller-fulfilled (FBM) or Amazon-fulfilled (FBA) order can be cancelled now."""
    if channel == "FBA":
        return Decision(False, FBA_REASON)
    if status == "CANCELLED":
        return Decision(False, "This order is already cancelled.")
    if status == "SHIPPED" or (shipped_units and status != "PARTIALLY_SHIPPED"):
        return Decision(
            False,
            "This order has shipped, so it can no longer be cancelled. Issue a refund instead.",
        )
    if status == "PARTIALLY_SHIPPED" or shipped_units:
        return Decision(
            False,
            "Part of this order has already shipped, so it can no longer "
            "be cancelled. Issue a refund instead.",
        )
    if status == "PENDING":
        return Decision(
            False,
            "Amazon is still confirming the buyer's payment (Pending); the "
            "order can be cancelled once it is Unshipped.",
        )
    if status != "UNSHIPPED":
        return Decision(False, f"Amazon does not allow cancelling an order in status {status}.")
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
        )
    if status == "CANCELLED":
        return Decision(False, "This fulfillment order is already cancelled.")
    if status in ("COMPLETE", "COMPLETEPARTIALLED"):
        return Decision(
            False,
            "Amazon has already shipped this fulfillment order, so it can no longer be cancelled.",
        )
    return Decision(
        False,
        f"Amazon does not allow cancelling a fulfillment order in status {fulfillment_status}.",
    )


def default_cancel_reason(buyer_requested: bool) -> CancelReason:
    """The cancel reason to preselect: BuyerCanceled when the buyer asked through Amazon."""
    return BUYER_CANCELED if buyer_requested else NEUTRAL_CANCEL_REASON
