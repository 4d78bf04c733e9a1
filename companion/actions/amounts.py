"""Refund amount rules: computed and checked against Amazon's numbers, never the page's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from companion.actions.models import RefundIn, RefundItemIn
from companion.actions.record import RefundLine
from companion.amazon.view import OrderView
from companion.errors import BadRequest, Conflict, UnknownOrderItem, Unprocessable
from companion.fields import MoneyText
from companion.marketplaces import Marketplace, written_decimals
from companion.vocabulary import CUSTOMER_RETURN, REFUND_COMPONENTS


@dataclass(frozen=True, slots=True)
class RefundPlan:
    """A checked refund: lines, total and the currency they are in."""

    currency: str
    lines: tuple[RefundLine, ...]

    @property
    def total(self) -> Decimal:
        """Net total refunded to the buyer."""
        return sum((line.net for line in self.lines), Decimal(0))


def refundable_of(view: OrderView) -> dict[str, dict[str, Decimal]]:
    """orderItemCode -> component -> remaining refundable amount, from the order view."""
    return {
        item.order_item_code: {
            c.type: c.refundable for c in item.components if c.type in REFUND_COMPONENTS
        }
        for item in view.items
    }


def quantities_of(view: OrderView) -> dict[str, int]:
    """orderItemCode -> quantity ordered."""
    return {item.order_item_code: item.quantity_ordered or 1 for item in view.items}


def parse_money(text: MoneyText, market: Marketplace, *, field: str) -> Decimal:
    """An amount with at most the marketplace's decimals written out, or a clear refusal.

    The text is already plain money (``MoneyText``, checked where the request was read). The
    decimals are counted as written: "1.00" is refused for JPY and "1.000" anywhere, even though
    they are worth a whole number, so what the agent typed is what Amazon gets.
    """
    if written_decimals(text) > market.decimals:
        raise Unprocessable(
            f"{market.currency} amounts have {market.decimals} decimals; '{text}' has more.",
            code="amount_precision",
            params={"currency": market.currency, "decimals": market.decimals, "text": text},
            details={"field": field, "decimals": market.decimals},
        )
    return market.quantize(Decimal(text))


def plan_refund(
    request: RefundIn,
    refundable: dict[str, dict[str, Decimal]],
    quantities: dict[str, int],
    market: Marketplace,
) -> RefundPlan:
    """Check a refund request against what is still refundable; return the lines to send."""
    if request.currency is not None and request.currency != market.currency:
        raise Unprocessable(
            f"This order was paid in {market.currency}, not {request.currency}.",
            code="currency_mismatch",
            params={"currency": market.currency, "asked": request.currency},
            details={"currency": market.currency},
        )
    if request.mode == "full":
        if request.items:
            raise BadRequest(
                "A full refund takes no items; use mode 'partial' to choose items.",
                params={"case": "full_with_items"},
            )
        lines = _full_lines(refundable, quantities, market)
    else:
        if not request.items:
            raise BadRequest(
                "A partial refund needs at least one item.",
                params={"case": "partial_without_items"},
            )
        lines = _partial_lines(request, refundable, quantities, market)
    plan = RefundPlan(market.currency, tuple(lines))
    if plan.total <= 0:
        if request.mode == "full":
            message, case = "There is nothing left to refund on this order.", "nothing_left"
        else:
            message, case = "The refund must give the buyer money back.", "no_money_back"
        raise Unprocessable(message, code="refund_not_positive", params={"case": case})
    return plan


def check_expected_total(request: RefundIn, total: Decimal, market: Marketplace) -> None:
    """Refuse when the total the agent confirmed is not the total that would be refunded."""
    if request.expected_total is None:
        return
    expected = parse_money(request.expected_total, market, field="expectedTotal")
    if expected == total:
        return
    before, now = market.format(expected), market.format(total)
    raise Conflict(
        f"The amount to refund changed from {before} {market.currency} to {now} "
        f"{market.currency} since the dialog was opened. Check the order and confirm the new "
        "amount.",
        code="refund_total_changed",
        params={"expected": before, "actual": now, "currency": market.currency},
        details={"expected": before, "actual": now, "currency": market.currency},
    )


def _full_lines(
    refundable: dict[str, dict[str, Decimal]], quantities: dict[str, int], market: Marketplace
) -> list[RefundLine]:
    lines = []
    for code, comps in refundable.items():
        positive = {k: market.quantize(v) for k, v in comps.items() if v > 0}
        if positive:
            no_fee = market.quantize(Decimal(0))
            lines.append(RefundLine(code, quantities.get(code, 1), positive, no_fee))
    return lines


def _partial_lines(
    request: RefundIn,
    refundable: dict[str, dict[str, Decimal]],
    quantities: dict[str, int],
    market: Marketplace,
) -> list[RefundLine]:
    seen: set[str] = set()
    lines = []
    for item in request.items or []:
        code = item.order_item_code
        if code in seen:
            raise BadRequest(
                f"Item {code} appears twice; put all its amounts in one entry.",
                params={"case": "duplicate_item", "orderItemCode": code},
                details={"orderItemCode": code},
            )
        seen.add(code)
        if code not in refundable:
            raise UnknownOrderItem(code)
        lines.append(_item_line(item, refundable[code], quantities.get(code, 1), request, market))
    return lines


def _item_line(
    item: RefundItemIn,
    refundable: dict[str, Decimal],
    ordered: int,
    request: RefundIn,
    market: Marketplace,
) -> RefundLine:
    code = item.order_item_code
    if item.quantity > ordered:
        raise Unprocessable(
            f"Item {code} was ordered {ordered} time(s), not {item.quantity}.",
            code="quantity_exceeds_ordered",
            params={"orderItemCode": code, "ordered": ordered, "asked": item.quantity},
            details={"orderItemCode": code},
        )
    amounts = _component_amounts(item, refundable, market)
    fee = _restocking_fee(item, request, market)
    line = RefundLine(code, item.quantity, amounts, fee)
    if line.net <= 0:
        raise Unprocessable(
            f"Item {code}: the refund must be more than the restocking fee.",
            code="refund_not_positive",
            params={"case": "fee_too_high", "orderItemCode": code},
            details={"orderItemCode": code},
        )
    if fee > amounts.get("Principal", Decimal(0)):
        # The fee is kept from the item's price: it cannot take back tax or shipping.
        raise Unprocessable(
            f"Item {code}: the restocking fee ({market.format(fee)} {market.currency}) cannot "
            "be more than the item price refunded.",
            code="restocking_fee_exceeds_principal",
            params={"orderItemCode": code, "fee": market.format(fee), "currency": market.currency},
            details={"orderItemCode": code},
        )
    return line


def _component_amounts(
    item: RefundItemIn, refundable: dict[str, Decimal], market: Marketplace
) -> dict[str, Decimal]:
    """The amounts asked per component, each at most what is left of it (zeros left out)."""
    code = item.order_item_code
    amounts: dict[str, Decimal] = {}
    for component in REFUND_COMPONENTS:
        if component not in item.components:
            continue
        asked = parse_money(item.components[component], market, field=f"{code} {component}")
        left = refundable.get(component, Decimal(0))
        if asked > left:
            raise Unprocessable(
                f"{component} can be refunded up to {market.format(left)} {market.currency}; "
                f"{market.format(asked)} {market.currency} was asked.",
                code="refund_exceeds_refundable",
                params={
                    "component": component,
                    "refundable": market.format(left),
                    "asked": market.format(asked),
                    "currency": market.currency,
                },
                details={
                    "orderItemCode": code,
                    "component": component,
                    "refundable": market.format(left),
                },
            )
        if asked > 0:
            amounts[component] = asked
    return amounts


def _restocking_fee(item: RefundItemIn, request: RefundIn, market: Marketplace) -> Decimal:
    """The fee kept from the buyer (0 when none); only a customer return may keep one."""
    if item.restocking_fee is None:
        return market.quantize(Decimal(0))
    fee = parse_money(item.restocking_fee, market, field=f"{item.order_item_code} restocking fee")
    if fee > 0 and request.reason != CUSTOMER_RETURN:
        raise Unprocessable(
            "A restocking fee is only allowed for a customer return.",
            code="restocking_fee_not_allowed",
            details={"orderItemCode": item.order_item_code},
        )
    return fee
