"""Marking refunds 'posted' once Finances (RefundEventList) shows them.

Finances has no link to our MerchantAdjustmentItemID, so each refund remembers, when accepted, the
level Finances must reach per item component: what the order view counted as refunded then
(posted + spdesk's refunds in flight) plus this refund. A refund ahead of it that later failed
lowers that level by its own amount. Until a refund is posted, the order view counts it as in
flight, so its amount is never offered twice and never counted twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from companion.actions.guards import OrderLocks
from companion.actions.journal import Journal
from companion.actions.models import ActionState
from companion.actions.ports import GatewayOf
from companion.actions.record import ZERO, Action, PostingCheck, RefundLine
from companion.actions.settle import settled_unknowns
from companion.amazon.models import FinancialEvents
from companion.amazon.view import OrderView
from companion.errors import SpdeskError

log = logging.getLogger(__name__)


def posting_expectation(
    view: OrderView, lines: tuple[RefundLine, ...], ahead: list[str]
) -> PostingCheck:
    """What Finances must show once this refund is posted, per item component."""
    refunded = {
        (item.order_item_code, c.type): c.refunded for item in view.items for c in item.components
    }
    expect = {
        (line.order_item_code, component): refunded.get((line.order_item_code, component), ZERO)
        + amount
        for line in lines
        for component, amount in line.components.items()
    }
    return PostingCheck(expect, tuple(ahead))


def is_posted(action: Action, finances: FinancialEvents, journal: Journal) -> bool:
    """True when Finances shows at least the level this refund expected."""
    check = action.posting
    if check is None:
        return False
    failed = [
        a for a in map(journal.get, check.ahead) if a is not None and a.state is ActionState.FAILED
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
UNPOSTED = "kind='refund' AND state IN ('succeeded','unknown')"


class PostingWatcher:
    """Polls Finances for refunds that may have been applied and marks them posted.

    The mark moves an amount from "in flight" to "shown by Finances", so it is made under the
    order's lock: a refund being accepted reads Finances and the in-flight refunds of its order
    under that lock, and must see each amount exactly once.
    """

    def __init__(
        self,
        journal: Journal,
        gateway_of: GatewayOf,
        interval: float,
        on_posted: Callable[[Action], None],
        locks: OrderLocks,
    ) -> None:
        self.journal = journal
        self.gateway_of = gateway_of
        self.interval = interval
        self.on_posted = on_posted
        self.locks = locks

    async def run(self) -> None:
        """Check every interval until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            await self.check_once()

    async def check_once(self) -> None:
        """One pass over every refund that may have been applied and is not posted yet."""
        orders = {(a.account, a.order_id) for a in self.journal.query(UNPOSTED)}
        for account, order_id in sorted(orders):
            finances = await self._finances(account, order_id)
            if finances is not None:
                async with self.locks.hold(account, order_id):
                    self._mark(account, order_id, finances)

    async def check_order(self, account: str, order_id: str) -> int:
        """Mark the order's refunds Finances shows as posted; the caller holds the order lock."""
        if not self._unposted(account, order_id):
            return 0
        finances = await self._finances(account, order_id)
        return 0 if finances is None else self._mark(account, order_id, finances)

    def _unposted(self, account: str, order_id: str) -> list[Action]:
        return self.journal.query(UNPOSTED + " AND account=? AND order_id=?", (account, order_id))

    async def _finances(self, account: str, order_id: str) -> FinancialEvents | None:
        try:
            gateway = await self.gateway_of(account)
            return await gateway.list_financial_events(order_id)
        except SpdeskError as exc:
            log.info("Finances for %s not readable now (%s)", order_id, exc.code)
            return None

    def _mark(self, account: str, order_id: str, finances: FinancialEvents) -> int:
        # Read again under the lock: a state may have changed while Finances was being read.
        posted = [
            a
            for a in self._unposted(account, order_id)
            if a.state is ActionState.SUCCEEDED and is_posted(a, finances, self.journal)
        ]
        for action in posted:
            self.on_posted(self.journal.transition(action.id, ActionState.POSTED))
        refunds = [a for a in self.journal.for_order(order_id) if a.account == account]
        settled = settled_unknowns(refunds, finances)
        for found in settled:
            stamp = found.posted_at.isoformat(timespec="seconds") if found.posted_at else "?"
            detail = (
                f"Finances shows this refund, posted {stamp} with the same item and amounts: "
                "Amazon applied it."
            )
            moved = self.journal.transition(found.action.id, ActionState.POSTED, detail=detail)
            log.info("unknown refund %s settled from Finances", found.action.id)
            self.on_posted(moved)
        return len(posted) + len(settled)
