"""The sandbox's own control API under /_sandbox/: reset, inspect, faults, clock, usage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from spdesk_sandbox.auth import expire_tokens
from spdesk_sandbox.faults import FaultError
from spdesk_sandbox.params import iso
from spdesk_sandbox.records import Adjustment, Cancellation, Order
from spdesk_sandbox.state import STATE
from spdesk_sandbox.strict import REQUEST_CHECKER

PREFIX = "/_sandbox"


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def _json_object(request: web.Request) -> dict[str, Any] | web.Response:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        return _problem(400, "invalid_json", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        return _problem(400, "invalid_json", "The request body must be a JSON object.")
    return body


def _decimals(values: dict[str, Decimal]) -> dict[str, str]:
    return {k: f"{v:f}" for k, v in values.items()}


def order_summary(order: Order) -> dict[str, Any]:
    """A compact view of an order for tests and the demo."""
    return {
        "orderId": order.order_id,
        "label": order.label,
        "marketplace": order.marketplace.code,
        "channel": str(order.channel),
        "status": str(order.status),
        "items": [
            {
                "orderItemCode": i.item_code,
                "sku": i.sku,
                "quantityOrdered": i.qty_ordered,
                "quantityShipped": i.qty_shipped,
                "quantityCancelled": i.qty_cancelled,
                "charged": _decimals(i.charged),
                "discounts": _decimals(i.discounts),
                "paid": f"{i.paid_total():f}",
                "refunded": _decimals(i.refunded),
                "buyerRequestedCancel": i.buyer_cancel_request is not None,
            }
            for i in order.items
        ],
    }


def adjustment_json(adj: Adjustment) -> dict[str, Any]:
    """An applied refund as the control API lists it."""
    return {
        "adjustmentId": adj.adjustment_id,
        "orderId": adj.order_id,
        "orderItemCode": adj.item_code,
        "currency": adj.currency,
        "components": _decimals(adj.components),
        "total": f"{adj.total():f}",
        "reason": adj.reason,
        "appliedAt": iso(adj.applied_at),
        "postedAt": iso(adj.posted_at),
        "feedId": adj.feed_id,
        "messageId": adj.message_id,
        "merchantAdjustmentItemId": adj.merchant_adjustment_item_id,
        "quantityCancelled": adj.quantity_cancelled,
    }


def cancellation_json(cancel: Cancellation) -> dict[str, Any]:
    """An applied cancellation as the control API lists it."""
    return {
        "orderId": cancel.order_id,
        "orderItemCodes": cancel.item_codes,
        "reason": cancel.reason,
        "at": iso(cancel.at),
        "source": cancel.source,
        "feedId": cancel.feed_id,
        "messageId": cancel.message_id,
        "countsAgainstCancelRate": cancel.counts_against_cancel_rate,
    }


async def reset(request: web.Request) -> web.Response:
    """POST /_sandbox/reset: back to the seed."""
    state = request.app[STATE]
    async with state.lock:
        state.reset()
    return web.json_response({"reset": True, "orders": len(state.orders)})


async def list_orders(request: web.Request) -> web.Response:
    """GET /_sandbox/orders: seed labels -> ids, and every order's summary."""
    state = request.app[STATE]
    return web.json_response(
        {
            "labels": state.seed.labels,
            "orders": [order_summary(o) for o in state.orders.values()],
            "fulfillmentOrders": [
                {
                    "sellerFulfillmentOrderId": f.seller_fulfillment_order_id,
                    "label": f.label,
                    "status": str(f.status),
                }
                for f in state.fulfillment_orders.values()
            ],
        }
    )


async def list_adjustments(request: web.Request) -> web.Response:
    """GET /_sandbox/adjustments[?orderId=]: applied refunds, oldest first."""
    state = request.app[STATE]
    order_id = request.query.get("orderId")
    found = [a for a in state.adjustments if order_id in (None, a.order_id)]
    return web.json_response({"adjustments": [adjustment_json(a) for a in found]})


async def list_cancellations(request: web.Request) -> web.Response:
    """GET /_sandbox/cancellations[?orderId=]: applied cancellations, oldest first."""
    state = request.app[STATE]
    order_id = request.query.get("orderId")
    found = [c for c in state.cancellations if order_id in (None, c.order_id)]
    return web.json_response({"cancellations": [cancellation_json(c) for c in found]})


async def get_faults(request: web.Request) -> web.Response:
    """GET /_sandbox/faults: the active faults."""
    return web.json_response({"faults": request.app[STATE].faults.to_json()})


async def add_fault(request: web.Request) -> web.Response:
    """POST /_sandbox/faults {"operation", "kind", "count", "delaySeconds"}."""
    body = await _json_object(request)
    if isinstance(body, web.Response):
        return body
    unknown = set(body) - {"operation", "kind", "count", "delaySeconds"}
    if unknown:
        return _problem(400, "unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    if "kind" not in body:
        return _problem(400, "missing_kind", "a fault needs a 'kind'")
    state = request.app[STATE]
    try:
        fault = state.faults.add(
            str(body["kind"]), body.get("operation"), body.get("count", 1), body.get("delaySeconds")
        )
    except FaultError as exc:
        return _problem(400, "invalid_fault", str(exc))
    return web.json_response({"fault": fault.to_json()}, status=201)


async def clear_faults(request: web.Request) -> web.Response:
    """DELETE /_sandbox/faults: remove every fault."""
    request.app[STATE].faults.clear()
    return web.json_response({"faults": []})


async def advance_clock(request: web.Request) -> web.Response:
    """POST /_sandbox/clock/advance {"seconds": 120}: jump virtual time forward."""
    body = await _json_object(request)
    if isinstance(body, web.Response):
        return body
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        return _problem(400, "invalid_seconds", "'seconds' must be a number >= 0")
    now = request.app[STATE].clock.advance(float(seconds))
    return web.json_response({"now": iso(now)})


async def get_clock(request: web.Request) -> web.Response:
    """GET /_sandbox/clock: the virtual time and speed."""
    clock = request.app[STATE].clock
    return web.json_response({"now": iso(clock.now()), "speed": clock.speed})


async def get_usage(request: web.Request) -> web.Response:
    """GET /_sandbox/usage: per-operation request and 429 counts."""
    throttle = request.app[STATE].throttle
    usage = throttle.snapshot()
    totals = {
        "requests": sum(int(u["requests"]) for u in usage.values()),
        "throttled": sum(int(u["throttled"]) for u in usage.values()),
    }
    return web.json_response(
        {"operations": usage, "total": totals, "rateScale": throttle.rate_scale}
    )


async def list_refusals(request: web.Request) -> web.Response:
    """GET /_sandbox/refusals: requests strict mode refused as breaking Amazon's model."""
    checker = request.app.get(REQUEST_CHECKER)
    refusals = [r.to_json() for r in checker.refusals] if checker else []
    return web.json_response({"strict": checker is not None, "refusals": refusals})


async def expire_all_tokens(request: web.Request) -> web.Response:
    """POST /_sandbox/tokens/expire: every issued access token expires now."""
    return web.json_response({"expired": expire_tokens(request.app[STATE])})


def setup(app: web.Application) -> None:
    """Register the control routes."""
    routes = [
        ("POST", "reset", reset),
        ("GET", "orders", list_orders),
        ("GET", "adjustments", list_adjustments),
        ("GET", "cancellations", list_cancellations),
        ("GET", "faults", get_faults),
        ("POST", "faults", add_fault),
        ("DELETE", "faults", clear_faults),
        ("GET", "clock", get_clock),
        ("POST", "clock/advance", advance_clock),
        ("GET", "usage", get_usage),
        ("POST", "tokens/expire", expire_all_tokens),
        ("GET", "refusals", list_refusals),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, f"{PREFIX}/{path}", handler)
