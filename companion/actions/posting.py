"""Marking refunds 'posted' once Finances (RefundEventList) shows them.

Finances has no link to our MerchantAdjustmentItemID, so each refund remembers, when accepted, the
level Finances must reach per item component: what the order view counted as refunded then
(posted + spdesk's refunds in flight) plus this refund. A refund ahead of it that later failed
lowers that level by its own amount. Until a refund is posted, the order view counts it as in
flight, so its amount is never offered twice and never counted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from companion.actions.models import ActionState
from companion.actions.ports import ActionQuery, GatewayOf, Ledger
from companion.actions.record import ZERO, Action, PostingCheck, RefundLine
from companion.actions.settle import settled_unknowns
from companion.amazon.models import FinancialEvents
from companion.amazon.view import OrderView
from companion.errors import SpdeskError

log = logging.getLogger(__name__)


def posting_expectation(
    view: OrderView, lines: tuple[RefundLine, ...], ahead: list[str]
) -> PostingCheck:
    """What Finances must show once this refund is posted, per component the feed sends.

    Levels are Amazon's own (tax-exclusive where prices include the tax): what the view counted
    as refunded then (posted + in flight) plus what this refund sends. The tax Amazon adds is
    its own to compute, so it is not waited for.
    """
    lines_now = view.money.lines
    expect = {
        (line.order_item_code, component): amount
        + (
            lines_now[line.order_item_code].refunded.get(component, ZERO)
            if line.order_item_code in lines_now
            else ZERO
        )
        for line in lines
        for component, amount in line.components.items()
    }
    return PostingCheck(expect, tuple(ahead))


def is_posted(action: Action, finances: FinancialEvents, order: dict[str, Action]) -> bool:
    """True when Finances shows at least the level this refund expected.

    `order` holds the order's actions by id (the refunds ahead of this one are among them).
    """
    check = action.posting
    if check is None:
        return False
    failed = [
        a
        for a in (order.get(action_id) for action_id in check.ahead)
        if a is not None and a.state is ActionState.FAILED
    ]
    for (item, component), level in check.expect.items():
        lower = sum(
            (
                line.components.get(component, ZERO)
                for a in failed
                for line in a.refund_lines
                if line.order_item_code == item
            ),
            ZERO,
        )
        if finances.refunded(item, component) < level - lower:
            return False
    return True


# A refund Amazon may have applied: succeeded (posted once Finances reaches its level), or
# unknown (FATAL feed, lost reply: posted once a posting of Finances shows it without a doubt,
# companion.actions.settle).
UNPOSTED = frozenset({ActionState.SUCCEEDED, ActionState.UNKNOWN})


class PostingWatcher:
    """Polls Finances for refunds that may have been applied and marks them posted.

    The mark moves an amount from "in flight" to "shown by Finances", so it is made under the
    order's lock: a refund being accepted reads Finances and the in-flight refunds of its order
    under that lock, and must see each amount exactly once.
    """

    def __init__(
        self,
        ledger: Ledger,
        gateway_of: GatewayOf,
        on_posted: Callable[[Action], None],
    ) -> None:
        self.ledger = ledger
        self.gateway_of = gateway_of
        self.on_posted = on_posted

    async def check_once(self) -> None:
        """One pass over every refund that may have been applied and is not posted yet."""
        unposted = await self.ledger.find(ActionQuery(kind="refund", states=UNPOSTED))
        for account, order_id in sorted({(a.account, a.order_id) for a in unposted}):
            finances = await self._finances(account, order_id)
            if finances is not None:
                async with self.ledger.order_lock(account, order_id):
                    await self._mark(account, order_id, finances)

    async def check_order(self, account: str, order_id: str) -> int:
        """Mark the order's refunds Finances shows as posted; the caller holds the order lock."""
        if not await self._unposted(account, order_id):
            return 0
        finances = await self._finances(account, order_id)
        return 0 if finances is None else await self._mark(account, order_id, finances)

    async def _unposted(self, account: str, order_id: str) -> list[Action]:
        return await self.ledger.find(
            ActionQuery(kind="refund", states=UNPOSTED, account=account, order_id=order_id)
        )

    async def _finances(self, account: str, order_id: str) -> FinancialEvents | None:
        try:
            gateway = await self.gateway_of(account)
            return await gateway.list_financial_events(order_id)
        except SpdeskError as exc:
            log.info("Finances for %s not readable now (%s)", order_id, exc.code)
            return None

    async def _mark(self, account: str, order_id: str, finances: FinancialEvents) -> int:
        # Read again under the lock: a state may have changed while Finances was being read.
        order = {a.id: a for a in await self.ledger.for_order(order_id)}
        posted = [
            a
            for a in order.values()
            if a.kind == "refund"
            and a.account == account
            and a.state is ActionState.SUCCEEDED
            and is_posted(a, finances, order)
        ]
        for action in posted:
            self.on_posted(await self.ledger.transition(action.id, ActionState.POSTED))
        refunds = [a for a in order.values() if a.account == account]
        settled = settled_unknowns(refunds, finances)
        for found in settled:
            stamp = found.posted_at.isoformat(timespec="seconds") if found.posted_at else "?"
            detail = (
                f"Finances shows this refund, posted {stamp} with the same item and amounts: "
                "Amazon applied it."
            )
            moved = await self.ledger.transition(found.action.id, ActionState.POSTED, detail=detail)
            log.info("unknown refund %s settled from Finances", found.action.id)
            self.on_posted(moved)
        return len(posted) + len(settled)
