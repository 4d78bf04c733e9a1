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
from decimal import Decimal
from typing import Any

from companion.actions.journal import Journal
from companion.actions.models import Action, ActionState
from companion.actions.ports import GatewayOf
from companion.errors import SpdeskError

log = logging.getLogger(__name__)


def posting_expectation(view: dict[str, Any], items: list[dict[str, Any]],
                        ahead: list[str]) -> dict[str, Any]:
    """What Finances must show once this refund is posted ("item|component" -> amount)."""
    refunded = {(i["orderItemCode"], c["type"]): Decimal(str(c["refunded"]))
                for i in view.get("items", []) for c in i.get("components", [])}
    expect = {}
    for item in items:
        for component, amount in item["components"].items():
            key = (item["orderItemCode"], component)
            expect[f"{key[0]}|{component}"] = str(refunded.get(key, Decimal(0)) + Decimal(amount))
    return {"expect": expect, "ahead": ahead}


def is_posted(action: Action, finances: Any, journal: Journal) -> bool:
    """True when Finances shows at least the level this refund expected."""
    check = action.extra.get("posting")
    if not check:
        return False
    failed = [a for a in map(journal.get, check.get("ahead", []))
              if a is not None and a.state is ActionState.FAILED]
    for key, level in check["expect"].items():
        item, component = key.split("|", 1)
        lower = sum((Decimal(i["components"].get(component, "0")) for a in failed
                     for i in a.items if i["orderItemCode"] == item), Decimal(0))
        if finances.refunded(item, component) < Decimal(level) - lower:
            return False
    return True


class PostingWatcher:
    """Polls Finances for succeeded refunds and marks them posted."""

    def __init__(self, journal: Journal, gateway_of: GatewayOf,
                 interval: float, on_posted: Callable[[Action], None]) -> None:
        self.journal = journal
        self.gateway_of = gateway_of
        self.interval = interval
        self.on_posted = on_posted

    async def run(self) -> None:
        """Check every interval until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            await self.check_once()

    async def check_once(self) -> None:
        """One pass over every succeeded, not yet posted refund."""
        waiting = self.journal.query("kind='refund' AND state='succeeded'")
        orders = {(a.account, a.order_id) for a in waiting}
        for account, order_id in sorted(orders):
            try:
                gateway = await self.gateway_of(account)
                finances = await gateway.list_financial_events(order_id)
            except SpdeskError as exc:
                log.info("Finances for %s not readable now (%s)", order_id, exc.code)
                continue
            for action in waiting:
                if (action.account, action.order_id) == (account, order_id) and is_posted(
                        action, finances, self.journal):
                    self.on_posted(self.journal.transition(action.id, ActionState.POSTED))
