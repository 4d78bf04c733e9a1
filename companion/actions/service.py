"""Accepting refunds and cancellations: check against Amazon's data, journal, then queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from companion.actions.amounts import check_expected_total, plan_refund
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
from companion.actions.models import ActionState, CancelIn, RefundIn, new_id
from companion.actions.ports import ApprovalRequest, IdempotencyKeyTaken, ViewSource
from companion.actions.posting import posting_expectation
from companion.actions.record import Action, CancelLine
from companion.amazon.view import OrderView
from companion.errors import BadRequest, Conflict, NotFound, Unprocessable
from companion.marketplaces import marketplace


class ActionService:
    """The entry point of the routes: validates, journals and starts actions exactly once."""

    def __init__(
        self,
        engine: Engine,
        orders: ViewSource,
        account_name: Callable[[str | None], str],
        overlap_window: float,
        agent: str | None = None,
    ) -> None:
        self.engine = engine
        self.ledger = engine.ledger
        self.orders = orders
        self.account_name = account_name
        self.overlap_window = timedelta(seconds=overlap_window)
        # Team mode: every action is this companion's agent's (settings "agent").
        self.agent = agent

    async def get(self, action_id: str) -> Action:
        """One action, or 404 action_not_found."""
        action = await self.ledger.get(action_id)
        if action is None:
            raise NotFound("spdesk has no action with this id.", code="action_not_found")
        return action

    def agent_of(self, body: RefundIn | CancelIn) -> str:
        """Who asks: the companion's agent in a team, else the name the extension sends."""
        agent = self.agent or body.agent.strip()
        if not agent:
            raise BadRequest(
                "Say who you are before refunding or cancelling: enter your name in spdesk's "
                "options, so the audit trail shows who did what.",
                code="agent_required",
            )
        return agent

    async def _replayed(self, key: str, fingerprint: str) -> Action | None:
        found = await self.ledger.idempotent(key)
        if found is None:
            return None
        stored_hash, action_id = found
        if stored_hash != fingerprint:
            raise key_reused()
        return await self.get(action_id)

    async def _once(
        self,
        kind: str,
        body: RefundIn | CancelIn,
        key: str,
        build: Callable[[str], Awaitable[Action]],
    ) -> tuple[Action, bool]:
        """The action this key already made (True), or a new one built under the order's lock."""
        fingerprint = body_hash(kind, body)
        if (done := await self._replayed(key, fingerprint)) is not None:
            return done, True
        account = self.account_name(body.account)
        # In a team the lock holds across every companion, and the action is committed together
        # with it when the block ends; only then may the feed builder start it.
        async with self.ledger.order_lock(account, body.order_id):
            if (done := await self._replayed(key, fingerprint)) is not None:
                return done, True
            action = await self._accept(await build(account), key, fingerprint)
        crash_point("after_accept")
        started = await self.engine.accepted(action)
        self.orders.invalidate(action.order_id)
        return started or await self.get(action.id), False

    async def refund(self, body: RefundIn, key: str) -> tuple[Action, bool]:
        """Accept a refund (or return the one this key already made); True when replayed."""

        agent = self.agent_of(body)

        async def build(account: str) -> Action:
            existing = await self.ledger.for_order(body.order_id)
            self._refuse_during_cancel(existing, "refund")
            view, marked = await self._refund_view(body.order_id, account)
            if marked:  # refunds just marked posted: read their new state
                existing = await self.ledger.for_order(body.order_id)
            action = self._refund_action(body, view, account, agent, existing)
            if not body.confirm_overlap and (
                found := overlapping_refunds(action.refund_lines, existing, self.overlap_window)
            ):
                raise overlap_refusal(found)
            # Last, on the amounts just checked: what the agent confirmed is what is refunded.
            check_expected_total(body, action.total, marketplace(action.marketplace_id))
            return action

        return await self._once("refund", body, key, build)

    @staticmethod
    def _refuse_during_cancel(existing: list[Action], case: str) -> None:
        # Amazon settles the payment of a cancelled order itself: a refund sent alongside a
        # cancellation could give the same money back twice.
        advice = (
            " Wait for its result: a cancelled order needs no refund." if case == "refund" else ""
        )
        pending = [
            a for a in existing if a.kind == "cancel" and a.state in PENDING - {ActionState.UNKNOWN}
        ]
        if pending:
            raise Conflict(
                f"A cancellation of this order is already on its way "
                f"({pending[0].confirmation}).{advice}",
                code="cancel_in_progress",
                params={"case": case, "confirmation": pending[0].confirmation},
                details={"actionId": pending[0].id},
            )

    async def _refund_view(self, order_id: str, account: str) -> tuple[OrderView, int]:
        """A fresh view in which every refund is counted once: by Finances or as in flight.

        Also how many refunds were marked posted meanwhile.
        """
        marked = 0
        for _ in range(3):
            view = await self._view(order_id, account)
            # A refund Finances shows but not yet marked posted would count twice (a "full"
            # refund would then give back too little). Finances is read again after the view, so
            # nothing marked here means the view had no such refund.
            found = await self.engine.posting.check_order(account, order_id)
            marked += found
            if not found:
                break
        return view, marked

    @staticmethod
    def _refund_action(
        body: RefundIn, view: OrderView, account: str, agent: str, existing: list[Action]
    ) -> Action:
        refund = view.actions.refund
        if not refund.allowed:
            raise Unprocessable(
                refund.reason or "This order cannot be refunded now.",
                code="refund_not_available",
                params={"reason": refund.code or "", **refund.params},
            )
        full = refund.full
        if body.mode == "full" and not full.allowed:
            raise Unprocessable(
                full.reason or "A full refund of this order is not possible now.",
                code="full_refund_not_available",
                params={"reason": full.code or "", **full.params},
            )
        market = marketplace(view.marketplace.id)
        plan = plan_refund(body, view.money, market)
        ahead = [
            a.id
            for a in existing
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
            total=market.quantize(plan.total),
            reason=body.reason,
            items=plan.lines,
            note=body.note,
            ticket_url=body.ticket_url,
            agent=agent,
            channel=view.channel,
            posting=posting_expectation(view, plan.lines, ahead),
        )

    async def cancel(self, body: CancelIn, key: str) -> tuple[Action, bool]:
        """Accept a cancellation (or return the one this key already made); True when replayed."""

        agent = self.agent_of(body)

        async def build(account: str) -> Action:
            self._refuse_during_cancel(await self.ledger.for_order(body.order_id), "cancel")
            view = await self._view(body.order_id, account)
            plan = plan_cancel(body, view)
            market = marketplace(view.marketplace.id)
            return Action(
                id=new_id("act"),
                kind="cancel",
                account=account,
                order_id=body.order_id,
                marketplace_id=market.id,
                currency=market.currency,
                state=ActionState.ACCEPTED,
                total=market.quantize(_cancel_total(view, plan.lines)),
                reason=plan.reason,
                items=plan.lines,
                note=body.note,
                ticket_url=body.ticket_url,
                agent=agent,
                channel=plan.channel,
                warnings=plan.warnings,
                # The MCF canceller calls Amazon with this id; items keep the order lines.
                fulfillment_order_id=plan.fulfillment_order_id,
            )

        return await self._once("cancel", body, key, build)

    async def _view(self, order_id: str, account: str) -> OrderView:
        # Always fresh: amounts and states are decided from Amazon's data, never a cache or page.
        return await self.orders.get_view(order_id, account=account, fresh=True)

    async def _accept(self, action: Action, key: str, fingerprint: str) -> Action:
        """Journal the action; a refund over its agent's limit waits for an approver."""
        approval = None
        if action.kind == "refund":
            why = await self.ledger.needs_approval(action.agent, action.currency, action.total)
            if why is not None:
                approval = ApprovalRequest(why, await self.ledger.approval_ttl())
                action = replace(action, state=ActionState.AWAITING_APPROVAL)
        try:
            return await self.ledger.create(
                action, idempotency_key=key, body_hash=fingerprint, approval=approval
            )
        except IdempotencyKeyTaken:
            # The same key raced in for another order (another lock): the first one won.
            raise key_reused() from None


def _cancel_total(view: OrderView, lines: tuple[CancelLine, ...]) -> Decimal:
    codes = {line.order_item_code for line in lines}
    return sum(
        (
            c.charged
            for item in view.items
            if not codes or item.order_item_code in codes
            for c in item.components
        ),
        Decimal(0),
    )
