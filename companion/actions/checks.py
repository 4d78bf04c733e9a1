"""Cancellation rules from the order view: what may be cancelled, how, and with which warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from companion.actions.models import CancelIn
from companion.errors import Unprocessable

# Fulfillment Outbound cancels only these (DOMAIN.md §1); New is not yet taken in by Amazon.
MCF_CANCELLABLE = frozenset({"RECEIVED", "PLANNING"})
MCF_DONE = frozenset({"CANCELLED"})
RATE_WARNING = {
    "code": "counts_against_cancel_rate",
    "message": (
        "The buyer did not request this cancellation through Amazon, so it counts "
        "against your Cancellation Rate (keep it under 2.5 %)."
    ),
}


@dataclass
class CancelPlan:
    """A checked cancellation: how it goes to Amazon and what it covers."""

    channel: str  # FBM (acknowledgement feed) or MCF (cancelFulfillmentOrder)
    reason: str
    items: list[dict[str, Any]]
    warnings: list[dict[str, str]] = field(default_factory=list)
    fulfillment_order_id: str | None = None


def plan_cancel(request: CancelIn, view: dict[str, Any]) -> CancelPlan:
    """Check a cancellation against the order view; refuse with a code an agent understands."""
    channel = view.get("channel")
    if channel == "FBA":
        raise Unprocessable(
            "Amazon fulfils this order (FBA): only Amazon can cancel it. Ask the buyer to use "
            "'Request cancellation' in Your Orders, or refund it after the return.",
            code="cancel_not_available_fba",
        )
    if channel == "MCF":
        return _plan_mcf(request, view)
    return _plan_fbm(request, view)


def _plan_mcf(request: CancelIn, view: dict[str, Any]) -> CancelPlan:
    order = view.get("fulfillmentOrder") or {}
    status = str(order.get("status", "")).upper()
    if status in MCF_DONE:
        raise Unprocessable(
            "This fulfillment order is already cancelled.", code="already_cancelled"
        )
    if status == "NEW":
        raise Unprocessable(
            "Amazon has not taken this fulfillment order in yet (status New), so it cannot be "
            "cancelled right now. Try again in a few minutes.",
            code="cancel_not_available",
            details={"status": order.get("status")},
        )
    if status not in MCF_CANCELLABLE:
        raise Unprocessable(
            f"Amazon's warehouse has started on this order (status {order.get('status')}), so it "
            "can no longer be cancelled. Refund it in your sales channel once it is returned.",
            code="mcf_cancel_too_late",
            details={"status": order.get("status")},
        )
    lines = _mcf_lines(view)
    if request.items and not _covers(request, lines):
        raise Unprocessable(
            "Multi-Channel orders are cancelled as a whole; leave out the items "
            "or list every line with all its units.",
            code="mcf_partial_cancel_not_supported",
        )
    return CancelPlan(
        "MCF",
        request.reason or "GeneralAdjustment",
        lines,
        fulfillment_order_id=order.get("sellerFulfillmentOrderId") or view["orderId"],
    )


def _mcf_lines(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Every line of the fulfillment order with its units still open (it goes as a whole)."""
    return [
        {"orderItemCode": code, "quantity": left}
        for code, left in _open_items(view).items()
        if left > 0
    ]


def _covers(request: CancelIn, lines: list[dict[str, Any]]) -> bool:
    """True when the listed items are exactly every open line, each whole (or unquantified)."""
    asked = request.items or []
    wanted = {line["orderItemCode"]: line["quantity"] for line in lines}
    codes = [item.order_item_code for item in asked]
    if len(set(codes)) != len(codes) or set(codes) != set(wanted):
        return False
    return all(item.quantity in (None, wanted[item.order_item_code]) for item in asked)


def _open_items(view: dict[str, Any]) -> dict[str, int]:
    """orderItemCode -> units neither shipped nor cancelled."""
    return {
        i["orderItemCode"]: int(i.get("quantityOrdered", 0))
        - int(i.get("quantityShipped", 0))
        - int(i.get("quantityCancelled", 0))
        for i in view.get("items", [])
    }


def _plan_fbm(request: CancelIn, view: dict[str, Any]) -> CancelPlan:
    status = view.get("status")
    if status == "CANCELLED":
        raise Unprocessable("This order is already cancelled.", code="already_cancelled")
    shipped = any(int(i.get("quantityShipped", 0)) > 0 for i in view.get("items", []))
    if status in ("SHIPPED", "PARTIALLY_SHIPPED") or shipped:
        raise Unprocessable(
            "Part of this order has already shipped, so it cannot be cancelled. Refund the "
            "buyer instead (after the return, if the item comes back).",
            code="cancel_after_shipment",
        )
    allowed = (view.get("actions") or {}).get("cancel") or {}
    if allowed.get("allowed") is False:
        raise Unprocessable(
            allowed.get("reason") or "This order cannot be cancelled now.",
            code="cancel_not_available",
        )
    items = _chosen_items(request, _open_items(view))
    reason = request.reason or allowed.get("defaultReason") or _buyer_default(view)
    plan = CancelPlan("FBM", reason, items)
    if _counts_against_rate(view, reason):
        plan.warnings.append(dict(RATE_WARNING))
    return plan


def _chosen_items(request: CancelIn, open_items: dict[str, int]) -> list[dict[str, Any]]:
    if not request.items:
        items = [
            {"orderItemCode": code, "quantity": left}
            for code, left in open_items.items()
            if left > 0
        ]
        if not items:
            raise Unprocessable(
                "Every item of this order is already cancelled.", code="already_cancelled"
            )
        return items
    chosen = []
    for item in request.items:
        code = item.order_item_code
        if code not in open_items:
            raise Unprocessable(
                f"This order has no item {code}.",
                code="unknown_order_item",
                details={"orderItemCode": code},
            )
        left = open_items[code]
        if left <= 0:
            raise Unprocessable(
                f"Item {code} is already cancelled.",
                code="already_cancelled",
                details={"orderItemCode": code},
            )
        if item.quantity is not None and item.quantity != left:
            # The acknowledgement feed cancels whole lines; part of a line is a refund.
            raise Unprocessable(
                f"Amazon cancels an item line as a whole ({left} unit(s) of {code}). To give "
                "money back for some units, refund them instead.",
                code="partial_quantity_cancel_not_supported",
                details={"orderItemCode": code},
            )
        chosen.append({"orderItemCode": code, "quantity": left})
    if len({c["orderItemCode"] for c in chosen}) != len(chosen):
        raise Unprocessable(
            "An item appears twice in the cancellation.", code="duplicate_order_item"
        )
    return chosen


def _buyer_requested(view: dict[str, Any]) -> bool:
    return bool((view.get("buyerCancellationRequest") or {}).get("requested"))


def _buyer_default(view: dict[str, Any]) -> str:
    if _buyer_requested(view):
        return "BuyerCanceled"
    raise Unprocessable(
        "Choose a cancellation reason: the buyer did not request this cancellation through Amazon.",
        code="cancel_reason_required",
    )


def _counts_against_rate(view: dict[str, Any], reason: str) -> bool:
    # Only a cancellation the buyer asked for through Amazon, sent as BuyerCanceled, is free.
    return not (reason == "BuyerCanceled" and _buyer_requested(view))
