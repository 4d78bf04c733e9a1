"""HTTP routes of team mode: who this companion acts for, and refunds waiting for approval.

The approver is this companion's agent (settings "agent"): a companion belongs to one person, and
the panel only decides for them. A companion on its own has no approvals.
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from companion.errors import Conflict
from companion.http.actions import ActionList, ActionOut
from companion.http.validation import parse_json
from companion.keys import ACTIONS, ROUTES
from companion.ledger.approvals import Decision
from companion.ledger.postgres import PostgresLedger

DECIDE_ERRORS = [
    "team_mode_only",
    "not_approver",
    "self_approval",
    "approval_not_found",
    "approval_expired",
    "approval_not_pending",
    "ledger_unavailable",
    "invalid_request",
]


class TeamOut(BaseModel):
    """Whether this companion works alone or in a team, and as whom."""

    mode: Literal["single", "team"]
    agent: str | None
    role: Literal["agent", "approver"] | None


class DecisionIn(BaseModel):
    """POST /v1/actions/{actionId}/approve or /reject body."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


def _team(request: web.Request) -> PostgresLedger:
    ledger = request.app[ACTIONS].ledger
    if not isinstance(ledger, PostgresLedger):
        raise Conflict(
            "Approvals exist only in team mode: this companion works alone.",
            code="team_mode_only",
        )
    return ledger


async def team(request: web.Request) -> web.Response:
    """GET /v1/team."""
    ledger = request.app[ACTIONS].ledger
    if not isinstance(ledger, PostgresLedger):
        return web.json_response({"mode": "single", "agent": None, "role": None})
    role = await ledger.role_of(ledger.agent)
    return web.json_response({"mode": "team", "agent": ledger.agent, "role": role})


async def approvals(request: web.Request) -> web.Response:
    """GET /v1/approvals: refunds waiting for an approver, oldest first (none when alone)."""
    ledger = request.app[ACTIONS].ledger
    pending = await ledger.pending_approvals() if isinstance(ledger, PostgresLedger) else []
    return web.json_response({"actions": [a.to_json() for a in pending]})


async def _decide(request: web.Request, verdict: str) -> web.Response:
    ledger = _team(request)
    body = await parse_json(request, DecisionIn)
    decision = Decision(verdict, ledger.agent, body.note)
    action = await ledger.approvals.decide(request.match_info["actionId"], decision)
    request.app[ACTIONS].orders.invalidate(action.order_id)
    return web.json_response(action.to_json())


async def approve(request: web.Request) -> web.Response:
    """POST /v1/actions/{actionId}/approve."""
    return await _decide(request, "approved")


async def reject(request: web.Request) -> web.Response:
    """POST /v1/actions/{actionId}/reject."""
    return await _decide(request, "rejected")


def setup(app: web.Application) -> None:
    """Register the team routes and describe them in the OpenAPI document."""
    routes, router = app[ROUTES], app.router
    routes.add(
        router, "GET", "/v1/team", team, summary="Single or team mode, and as whom",
        response=TeamOut, errors=["ledger_unavailable"],
    )  # fmt: skip
    routes.add(
        router, "GET", "/v1/approvals", approvals, summary="Refunds waiting for an approver",
        response=ActionList, errors=["ledger_unavailable"],
    )  # fmt: skip
    for path, handler, verb in (("approve", approve, "Approve"), ("reject", reject, "Reject")):
        routes.add(
            router,
            "POST",
            f"/v1/actions/{{actionId}}/{path}",
            handler,
            summary=f"{verb} a refund waiting for approval (as this companion's agent)",
            request=DecisionIn,
            response=ActionOut,
            errors=DECIDE_ERRORS,
        )
