"""Accepting refunds and cancellations: check against Amazon's data, journal, then queue."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from companion.actions.amounts import (
    check_expected_total,
    plan_refund,
    quantities_of,
    refundable_of,
)
from companion.actions.checks import plan_cancel
from companion.actions.crashpoints import crash_point
from companion.actions.engine import Engine
from companion.actions.guards import (
    PENDING,
    body_hash,
    key_reused,
    overlap_refusal,
    overlapping_refunds,
)
from companion.actions.models import Action, ActionState, CancelIn, RefundIn, new_id
from companion.actions.ports import ViewSource
from companion.actions.posting import posting_expectation
from companion.errors import Conflict, NotFound, Unprocessable
from companion.marketplaces import marketplace


class ActionService:
    """The entry point of the routes: validates, journals and starts actions exactly once."""

    def __init__(
        self,
        engine: Engine,
        orders: ViewSource,
        account_name: Callable[[str | None], str],
        overlap_window: float,
    ) -> None:
        self.engine = engine
        self.journal = engine.journal
        self.orders = orders
        self.account_name = account_name
        self.overlap_window = timedelta(seconds=overlap_window)

    def get(self, action_id: str) -> Action:
        """One action, or 404 action_not_found."""
        action = self.journal.get(action_id)
        if action is None:
            raise NotFound("spdesk has no action with this id.", code="action_not_found")
        return action

    def _replayed(self, key: str, fingerprint: str) -> Action | None:
        found = self.journal.idempotent(key)
        if found is None:
            return None
        stored_hash, action_id = found
        if stored_hash != fingerprint:
            raise key_reused()
        return self.get(action_id)

    async def _once(
        self,
        kind: str,
        body: RefundIn | CancelIn,
        key: str,
        build: Callable[[str], Awaitable[Action]],
    ) -> tuple[Action, bool]:
        """The action this key already made (True), or a new one built under the order's lock."""
        fingerprint = body_hash(kind, body)
        if (done := self._replayed(key, fingerprint)) is not None:
            return done, True
        account = self.account_name(body.account)
        async with self.engine.locks.hold(account, body.order_id):
            if (done := self._replayed(key, fingerprint)) is not None:
                return done, True
            return self._accept(await build(account), key, fingerprint), False

    async def refund(self, body: RefundIn, key: str) -> tuple[Action, bool]:
        """Accept a refund (or return the one this key already made); True when replayed."""

        async def build(account: str) -> Action:
            # Amazon settles the payment of a cancelled order itself: a refund sent alongside a
            # cancellation could give the same money back twice.
            self._refuse_during_cancel(
                body.order_id, " Wait for its result: a cancelled order needs no refund."
            )
            view = await self._refund_view(body.order_id, account)
            action = self._refund_action(body, view, account)
            if not body.confirm_overlap and (
                found := overlapping_refunds(
                    action.items, self.journal.for_order(body.order_id), self.overlap_window
                )
            ):
                raise overlap_refusal(found)
            # Last, on the amounts just checked: what the agent confirmed is what is refunded.
            check_expected_total(body, Decimal(action.total), marketplace(action.marketplace_id))
            return action

        return await self._once("refund", body, key, build)

    def _refuse_during_cancel(self, order_id: str, advice: str = "") -> None:
        pending = [
            a
            for a in self.journal.for_order(order_id)
            if a.kind == "cancel" and a.state in PENDING - {ActionState.UNKNOWN}
        ]
        if pending:
            raise Conflict(
                f"A cancellation of this order is already on its way "
                f"({pending[0].confirmation}).{advice}",
                code="cancel_in_progress",
                details={"actionId": pending[0].id},
            )

    async def _refund_view(self, order_id: str, account: str) -> dict[str, Any]:
        """A fresh view in which every refund is counted once: by Finances or as in flight."""
        for _ in range(3):
            view = await self._view(order_id, account)
            # A refund Finances shows but not yet marked posted would count twice (a "full"
            # refund would then give back too little). Finances is read again after the view, so
            # nothing marked here means the view had no such refund.
            if not await self.engine.posting.check_order(account, order_id):
                break
        return view

    def _refund_action(self, body: RefundIn, view: dict[str, Any], account: str) -> Action:
        refund = (view.get("actions") or {}).get("refund") or {}
        if refund.get("allowed") is False:
            raise Unprocessable(
                refund.get("reason") or "This order cannot be refunded now.",
                code="refund_not_available",
            )
        market = marketplace(view["marketplace"]["id"])
        plan = plan_refund(body, refundable_of(view), quantities_of(view), market)
        items = plan.to_items(market)
        ahead = [
            a.id
            for a in self.journal.for_order(body.order_id)
            if a.kind == "refund" and (a.state in PENDING or a.state is ActionState.SUCCEEDED)
        ]
        return Action(
            id=new_id("act"),
            kind="refund",
            account=account,
            order_id=body.order_id,
            marketplace_id=market.id,
            currency=market.currency,
            state=ActionState.ACCEPTED,
            total=market.format(plan.total),
            reason=body.reason,
            items=items,
            note=body.note,
            ticket_url=body.ticket_url,
            agent=body.agent,
            channel=str(view.get("channel") or "FBM"),
            extra={"posting": posting_expectation(view, items, ahead)},
        )

    async def cancel(self, body: CancelIn, key: str) -> tuple[Action, bool]:
        """Accept a cancellation (or return the one this key already made); True when replayed."""

        async def build(account: str) -> Action:
            self._refuse_during_cancel(body.order_id)
            view = await self._view(body.order_id, account)
            plan = plan_cancel(body, view)
            market = marketplace(view["marketplace"]["id"])
            return Action(
                id=new_id("act"),
                kind="cancel",
                account=account,
                order_id=body.order_id,
                marketplace_id=market.id,
                currency=market.currency,
                state=ActionState.ACCEPTED,
                total=market.format(_cancel_total(view, plan.items)),
                reason=plan.reason,
                items=plan.items,
                note=body.note,
                ticket_url=body.ticket_url,
                agent=body.agent,
                channel=plan.channel,
                warnings=plan.warnings,
                extra=_fulfillment_extra(plan.fulfillment_order_id),
            )

        return await self._once("cancel", body, key, build)

    async def _view(self, order_id: str, account: str) -> dict[str, Any]:
        # Always fresh: amounts and states are decided from Amazon's data, never a cache or page.
        view = await self.orders.get_view(order_id, account=account, fresh=True)
        return view.model_dump(mode="json", by_alias=True) if isinstance(view, BaseModel) else view

    def _accept(self, action: Action, key: str, fingerprint: str) -> Action:
        try:
            action = self.journal.create(action, idempotency_key=key, body_hash=fingerprint)
        except sqlite3.IntegrityError:
            # The same key raced in for another order (another lock): the first one won.
            raise key_reused() from None
        crash_point("after_accept")
        self.engine.start(action)
        self.orders.invalidate(action.order_id)
        return self.journal.get(action.id) or action


def _fulfillment_extra(fulfillment_order_id: str | None) -> dict[str, Any]:
    # The MCF canceller calls Amazon with this id; items keep the order lines as for FBM.
    return {"sellerFulfillmentOrderId": fulfillment_order_id} if fulfillment_order_id else {}


def _cancel_total(view: dict[str, Any], items: list[dict[str, Any]]) -> Decimal:
    codes = {i["orderItemCode"] for i in items}
    total = Decimal(0)
    for item in view.get("items", []):
        if not codes or item["orderItemCode"] in codes:
            total += sum(
                (Decimal(str(c["charged"])) for c in item.get("components", [])), Decimal(0)
            )
    return total
