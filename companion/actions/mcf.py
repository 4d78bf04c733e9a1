"""Cancelling Multi-Channel Fulfillment orders through cancelFulfillmentOrder."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from companion.actions.models import ActionState
from companion.actions.ports import FeedGateway, GatewayOf, Ledger
from companion.actions.record import Action, AmazonResult
from companion.amazon.outcome import is_refusal
from companion.errors import NotFound, SpdeskError

log = logging.getLogger(__name__)
ATTEMPTS = 5
_GONE = {"CANCELLED"}
_CANCELLABLE = {"NEW", "RECEIVED", "PLANNING"}


def fulfillment_order_id(action: Action) -> str:
    """The sellerFulfillmentOrderId to cancel (the order id when none was recorded)."""
    return action.fulfillment_order_id or action.order_id


class McfCanceller:
    """Runs one MCF cancellation to its end; repeating the call is harmless, so it may retry."""

    def __init__(
        self,
        ledger: Ledger,
        gateway_of: GatewayOf,
        *,
        retry_delay: float,
        on_settled: Callable[[Action], None],
    ) -> None:
        self.ledger = ledger
        self.gateway_of = gateway_of
        self.retry_delay = retry_delay
        self.on_settled = on_settled

    async def run(self, action_id: str) -> None:
        """Ask Amazon to cancel the fulfillment order, then confirm its status."""
        action = await self.ledger.get(action_id)
        if action is None or action.terminal:
            return
        if action.state is ActionState.ACCEPTED:
            action = await self.ledger.transition(action_id, ActionState.SUBMITTED)
        gateway = await self.gateway_of(action.account)
        order_id = fulfillment_order_id(action)
        last: SpdeskError | None = None
        for _ in range(ATTEMPTS):
            try:
                await gateway.cancel_fulfillment_order(order_id)
                await self._end(action_id, ActionState.SUCCEEDED, _cancelled(order_id))
                return
            except NotFound:
                gone = AmazonResult.said(
                    "mcf_unknown",
                    f"Amazon no longer knows fulfillment order {order_id}.",
                    fulfillmentOrderId=order_id,
                )
                await self._end(action_id, ActionState.FAILED, gone)
                return
            except SpdeskError as exc:
                last = exc
                if await self._settled_by_status(gateway, action_id, order_id):
                    return
                if is_refusal(exc):
                    # A 4xx other than 429 refuses the request as it is: never sent again. Only
                    # what the gateway gave up on (throttled, 5xx, no answer) is tried later.
                    break
            await asyncio.sleep(self.retry_delay)
        error = last or SpdeskError()
        not_cancelled = AmazonResult.said(
            "mcf_not_cancelled",
            f"Amazon did not cancel fulfillment order {order_id}"
            f"{f' ({last.message})' if last else ''}. It is not cancelled; try again later.",
            fulfillmentOrderId=order_id,
            error=error.message,
            errorCode=error.code,
        )
        await self._end(action_id, ActionState.FAILED, not_cancelled)

    async def _settled_by_status(self, gateway: FeedGateway, action_id: str, order_id: str) -> bool:
        try:
            order = await gateway.get_fulfillment_order(order_id)
        except SpdeskError:
            return False
        status = (order.status if order else "").upper()
        if status in _GONE:
            await self._end(action_id, ActionState.SUCCEEDED, _cancelled(order_id))
            return True
        if order is not None and status not in _CANCELLABLE:
            too_late = AmazonResult.said(
                "mcf_too_late",
                f"Amazon's warehouse has started on fulfillment order {order_id} (status "
                f"{order.status}); it can no longer be cancelled.",
                fulfillmentOrderId=order_id,
                status=order.status,
            )
            await self._end(action_id, ActionState.FAILED, too_late)
            return True
        return False

    async def _end(self, action_id: str, state: ActionState, said: AmazonResult) -> None:
        action = await self.ledger.get(action_id)
        if action is None or action.terminal:
            return
        settled = await self.ledger.transition(action_id, state, amazon=said)
        self.on_settled(settled)


def _cancelled(order_id: str) -> AmazonResult:
    return AmazonResult.said(
        "mcf_cancelled",
        f"Amazon cancelled fulfillment order {order_id}.",
        fulfillmentOrderId=order_id,
    )
