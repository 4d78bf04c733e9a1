"""Cancellation rules from the order view: what may be cancelled, how, and with which warnings."""

from __future__ import annotations

from dataclasses import dataclass

from companion.actions.models import CancelIn
from companion.actions.record import CancelLine, Notice
from companion.amazon.view import OrderView
from companion.errors import UnknownOrderItem, Unprocessable
from companion.vocabulary import BUYER_CANCELED, NEUTRAL_CANCEL_REASON, CancelReason

# Fulfillment Outbound cancels only these (DOMAIN.md §1); New is not yet taken in by Amazon.
MCF_CANCELLABLE = frozenset({"RECEIVED", "PLANNING"})
MCF_DONE = frozenset({"CANCELLED"})
RATE_WARNING = Notice(
    "counts_against_cancel_rate",
    "The buyer did not request this cancellation through Amazon, so it counts "
    "against your Cancellation Rate (keep it under 2.5 %).",
)


@dataclass(frozen=True, slots=True)
class CancelPlan:
    """A checked cancellation: how it goes to Amazon and what it covers."""

    channel: str  # FBM (acknowledgement feed) or MCF (cancelFulfillmentOrder)
    reason: CancelReason
    lines: tuple[CancelLine, ...]
    warnings: tuple[Notice, ...] = ()
    fulfillment_order_id: str | None = None


def plan_cancel(request: CancelIn, view: OrderView) -> CancelPlan:
    """Check a cancellation against the order view; refuse with a code an agent understands."""
    if view.channel == "FBA":
        raise Unprocessable(
            "Amazon fulfils this order (FBA): only Amazon can cancel it. Ask the buyer to use "
            "'Request cancellation' in Your Orders, or refund it after the return.",
            code="cancel_not_available_fba",
        )
    if view.channel == "MCF":
        return _plan_mcf(request, view)
    return _plan_fbm(request, view)


def _plan_mcf(request: CancelIn, view: OrderView) -> CancelPlan:
    order = view.fulfillment_order
    raw_status = order.status if order else ""
    status = raw_status.upper()
    if status in MCF_DONE:
        raise Unprocessable(
            "This fulfillment order is already cancelled.",
            code="already_cancelled",
            params={"case": "fulfillment_order"},
        )
    if status == "NEW":
        raise Unprocessable(
            "Amazon has not taken this fulfillment order in yet (status New), so it cannot be "
            "cancelled right now. Try again in a few minutes.",
            code="cancel_not_available",
            params={"case": "not_taken_in", "status": raw_status},
            details={"status": raw_status},
        )
    if status not in MCF_CANCELLABLE:
        raise Unprocessable(
            f"Amazon's warehouse has started on this order (status {raw_status}), so it "
            "can no longer be cancelled. Refund it in your sales channel once it is returned.",
            code="mcf_cancel_too_late",
            params={"status": raw_status},
            details={"status": raw_status},
        )
    lines = tuple(CancelLine(code, left) for code, left in _open_items(view).items() if left > 0)
    if request.items and not _covers(request, lines):
        raise Unprocessable(
            "Multi-Channel orders are cancelled as a whole; leave out the items "
            "or list every line with all its units.",
            code="mcf_partial_cancel_not_supported",
        )
    return CancelPlan(
        "MCF",
        request.reason or NEUTRAL_CANCEL_REASON,
        lines,
        fulfillment_order_id=order.seller_fulfillment_order_id if order else view.order_id,
    )


def _covers(request: CancelIn, lines: tuple[CancelLine, ...]) -> bool:
    """True when the listed items are exactly every open line, each whole (or unquantified)."""
    asked = request.items or []
    wanted = {line.order_item_code: line.quantity for line in lines}
    codes = [item.order_item_code for item in asked]
    if len(set(codes)) != len(codes) or set(codes) != set(wanted):
        return False
    return all(item.quantity in (None, wanted[item.order_item_code]) for item in asked)


def _open_items(view: OrderView) -> dict[str, int]:
    """orderItemCode -> units neither shipped nor cancelled."""
    return {
        i.order_item_code: i.quantity_ordered - i.quantity_shipped - i.quantity_cancelled
        for i in view.items
    }


def _plan_fbm(request: CancelIn, view: OrderView) -> CancelPlan:
    if view.status == "CANCELLED":
        raise Unprocessable(
            "This order is already cancelled.", code="already_cancelled", params={"case": "order"}
        )
    shipped = any(i.quantity_shipped > 0 for i in view.items)
    if view.status in ("SHIPPED", "PARTIALLY_SHIPPED") or shipped:
        raise Unprocessable(
            "Part of this order has already shipped, so it cannot be cancelled. Refund the "
            "buyer instead (after the return, if the item comes back).",
            code="cancel_after_shipment",
        )
    allowed = view.actions.cancel
    if not allowed.allowed:
        raise Unprocessable(
            allowed.reason or "This order cannot be cancelled now.",
            code="cancel_not_available",
            params={"case": "view", "reason": allowed.code or "", **allowed.params},
        )
    lines = _chosen_lines(request, _open_items(view))
    reason = request.reason or allowed.default_reason or _buyer_default(view)
    warnings = (RATE_WARNING,) if _counts_against_rate(view, reason) else ()
    return CancelPlan("FBM", reason, lines, warnings)


def _chosen_lines(request: CancelIn, open_items: dict[str, int]) -> tuple[CancelLine, ...]:
    if not request.items:
        lines = tuple(CancelLine(code, left) for code, left in open_items.items() if left > 0)
        if not lines:
            raise Unprocessable(
                "Every item of this order is already cancelled.",
                code="already_cancelled",
                params={"case": "every_item"},
            )
        return lines
    chosen = tuple(
        _whole_line(item.order_item_code, item.quantity, open_items) for item in request.items
    )
    if len({c.order_item_code for c in chosen}) != len(chosen):
        raise Unprocessable(
            "An item appears twice in the cancellation.", code="duplicate_order_item"
        )
    return chosen


def _whole_line(code: str, quantity: int | None, open_items: dict[str, int]) -> CancelLine:
    """The whole open line of an item the agent chose, or why it cannot be cancelled."""
    if code not in open_items:
        raise UnknownOrderItem(code)
    left = open_items[code]
    if left <= 0:
        raise Unprocessable(
            f"Item {code} is already cancelled.",
            code="already_cancelled",
            params={"case": "item", "orderItemCode": code},
            details={"orderItemCode": code},
        )
    if quantity is not None and quantity != left:
        # The acknowledgement feed cancels whole lines; part of a line is a refund.
        raise Unprocessable(
            f"Amazon cancels an item line as a whole ({left} unit(s) of {code}). To give "
            "money back for some units, refund them instead.",
            code="partial_quantity_cancel_not_supported",
            params={"orderItemCode": code, "units": left},
            details={"orderItemCode": code},
        )
    return CancelLine(code, left)


def _buyer_requested(view: OrderView) -> bool:
    return view.buyer_cancellation_request.requested


def _buyer_default(view: OrderView) -> CancelReason:
    if _buyer_requested(view):
        return BUYER_CANCELED
    raise Unprocessable(
        "Choose a cancellation reason: the buyer did not request this cancellation through Amazon.",
        code="cancel_reason_required",
    )


def _counts_against_rate(view: OrderView, reason: str) -> bool:
    # Only a cancellation the buyer asked for through Amazon, sent as BuyerCanceled, is free.
    return not (reason == BUYER_CANCELED and _buyer_requested(view))
