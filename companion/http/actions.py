"""HTTP routes of refunds, cancellations and action status."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from companion.actions.guards import IDEMPOTENCY_KEY_PATTERN, idempotency_key
from companion.actions.models import ActionState, CancelIn, RefundIn
from companion.actions.record import Action
from companion.codes import ApprovalCode, HistoryCode, OutcomeCode, WarningCode
from companion.errors import Param
from companion.http.orders import ORDER_LOOKUP_ERRORS
from companion.http.validation import parse_json
from companion.keys import ACTIONS, ROUTES
from companion.vocabulary import ORDER_ID_SCHEMA, check_order_id

REFUND_ERRORS = [
    *ORDER_LOOKUP_ERRORS,
    "idempotency_key_missing",
    "idempotency_key_invalid",
    "idempotency_key_reused",
    "invalid_request",
    "invalid_amount",
    "refund_exceeds_refundable",
    "refund_not_positive",
    "amount_precision",
    "unknown_order_item",
    "restocking_fee_not_allowed",
    "refund_not_available",
    "overlap_needs_confirmation",
    "currency_mismatch",
    "quantity_exceeds_ordered",
    "restocking_fee_exceeds_principal",
    "cancel_in_progress",
    "refund_total_changed",
    "agent_required",
    "order_busy",
    "ledger_unavailable",
    "journal_behind",
]
CANCEL_ERRORS = [
    *ORDER_LOOKUP_ERRORS,
    "idempotency_key_missing",
    "idempotency_key_invalid",
    "idempotency_key_reused",
    "invalid_request",
    "cancel_after_shipment",
    "cancel_not_available_fba",
    "mcf_cancel_too_late",
    "cancel_not_available",
    "already_cancelled",
    "cancel_in_progress",
    "cancel_reason_required",
    "unknown_order_item",
    "duplicate_order_item",
    "partial_quantity_cancel_not_supported",
    "mcf_partial_cancel_not_supported",
    "agent_required",
    "order_busy",
    "ledger_unavailable",
    "journal_behind",
]


KEY_SCHEMA = {"Idempotency-Key": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}}


class AmazonOut(BaseModel):
    """What Amazon answered, or spdesk's explanation: its sentence, code and params."""

    resultCode: str | None
    messageCode: str | None
    description: str | None
    code: OutcomeCode | None
    params: dict[str, Param]


class WarningOut(BaseModel):
    """A warning about the action: code, English sentence, params."""

    code: WarningCode
    message: str
    params: dict[str, Param]


class HistoryOut(BaseModel):
    """One state the action went through; a resolution by a person carries its sentence."""

    state: str
    at: str
    detail: str | None = None
    code: HistoryCode | None = None
    params: dict[str, Param] | None = None


class ApprovalOut(BaseModel):
    """Team mode: the approval a refund over its agent's limit waits for, or got."""

    state: Literal["pending", "approved", "rejected", "expired"]
    why: str
    whyCode: ApprovalCode | None
    whyParams: dict[str, Param]
    requestedBy: str
    requestedAt: str
    expiresAt: str
    decidedBy: str | None
    decidedAt: str | None
    note: str


class ActionOut(BaseModel):
    """The action object (see docs/protocol.md); documented here for the OpenAPI description."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: str
    orderId: str
    state: ActionState
    agent: str
    approval: ApprovalOut | None = None
    total: str
    currency: str
    confirmation: str
    amazon: AmazonOut
    warnings: list[WarningOut]
    history: list[HistoryOut]


class ActionList(BaseModel):
    """Every action of one order, newest first."""

    actions: list[ActionOut]


def _accepted(action: Action, replayed: bool) -> web.Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return web.json_response(action.to_json(), status=202, headers=headers)


async def create_refund(request: web.Request) -> web.Response:
    """POST /v1/refunds."""
    key = idempotency_key(request.headers.getall("Idempotency-Key", []))
    body = await parse_json(request, RefundIn)
    action, replayed = await request.app[ACTIONS].service.refund(body, key)
    return _accepted(action, replayed)


async def create_cancellation(request: web.Request) -> web.Response:
    """POST /v1/cancellations."""
    key = idempotency_key(request.headers.getall("Idempotency-Key", []))
    body = await parse_json(request, CancelIn)
    action, replayed = await request.app[ACTIONS].service.cancel(body, key)
    return _accepted(action, replayed)


async def get_action(request: web.Request) -> web.Response:
    """GET /v1/actions/{actionId}."""
    action = await request.app[ACTIONS].service.get(request.match_info["actionId"])
    return web.json_response(action.to_json())


async def order_actions(request: web.Request) -> web.Response:
    """GET /v1/orders/{orderId}/actions, newest first."""
    order_id = request.match_info["orderId"]
    check_order_id(order_id)
    actions = await request.app[ACTIONS].ledger.for_order(order_id)
    return web.json_response({"actions": [a.to_json() for a in actions]})


def setup(app: web.Application) -> None:
    """Register the routes and describe them in the OpenAPI document."""
    routes, router = app[ROUTES], app.router
    routes.add(
        router,
        "POST",
        "/v1/refunds",
        create_refund,
        summary="Refund an order (full/partial)",
        request=RefundIn,
        response=ActionOut,
        status=202,
        errors=REFUND_ERRORS,
        headers=["Idempotency-Key"],
        schemas=KEY_SCHEMA,
    )
    routes.add(
        router,
        "POST",
        "/v1/cancellations",
        create_cancellation,
        summary="Cancel an order or some of its items",
        request=CancelIn,
        response=ActionOut,
        status=202,
        errors=CANCEL_ERRORS,
        headers=["Idempotency-Key"],
        schemas=KEY_SCHEMA,
    )
    routes.add(
        router,
        "GET",
        "/v1/actions/{actionId}",
        get_action,
        summary="One action",
        response=ActionOut,
        errors=["action_not_found", "ledger_unavailable"],
    )
    routes.add(
        router,
        "GET",
        "/v1/orders/{orderId}/actions",
        order_actions,
        summary="The actions of one order, newest first",
        response=ActionList,
        errors=["invalid_order_id", "ledger_unavailable"],
        schemas={"orderId": ORDER_ID_SCHEMA},
    )
