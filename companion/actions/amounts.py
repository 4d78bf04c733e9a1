"""Refund amount rules: computed and checked against Amazon's numbers, never the page's.

The agent asks in the amounts the buyer saw. Where prices include the tax (VAT, GST,
consumption tax) that is each charge with its tax inside, and the feed carries the tax-exclusive
part (companion/amazon/refundable.py works it out, for the order view too). In the US and
Canada each tax is its own component, each at most its remaining balance, and never a tax alone
(Amazon refunds marketplace-facilitator tax itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from companion.actions.models import RefundIn, RefundItemIn
from companion.actions.record import RefundLine
from companion.amazon.money import TAX_OF, LineMoney, OrderMoney
from companion.amazon.refundable import GROSS, balances, full_asks, tax_exclusive
from companion.amazon.rules import too_small_reason
from companion.errors import BadRequest, Conflict, UnknownOrderItem, Unprocessable
from companion.fields import MoneyText
from companion.marketplaces import Marketplace, written_decimals
from companion.vocabulary import CUSTOMER_RETURN, REFUND_COMPONENTS

ZERO = Decimal(0)
# The taxes of the charges (GROSS): where prices include the tax, never refunded on their own.
TAXES = frozenset(TAX_OF[k] for k in GROSS)
TAX_NAMES = {"vat": "VAT", "gst": "GST", "consumption_tax": "consumption tax", "tax": "tax"}


@dataclass(frozen=True, slots=True)
class RefundPlan:
    """A checked refund: lines, total and the currency they are in."""

    currency: str
    lines: tuple[RefundLine, ...]

    @property
    def total(self) -> Decimal:
        """Net total refunded to the buyer (at most: Amazon's tax rounding may give less)."""
        return sum((line.net for line in self.lines), Decimal(0))


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


def plan_refund(request: RefundIn, money: OrderMoney, market: Marketplace) -> RefundPlan:
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
        lines = _full_lines(money, market)
    else:
        if not request.items:
            raise BadRequest(
                "A partial refund needs at least one item.",
                params={"case": "partial_without_items"},
            )
        lines = _partial_lines(request, money, market)
    plan = RefundPlan(market.currency, tuple(lines))
    if plan.total <= 0:
        if request.mode == "full":
            message, case = "There is nothing left to refund on this order.", "nothing_left"
        else:
            message, case = "The refund must give the buyer money back.", "no_money_back"
        raise Unprocessable(message, code="refund_not_positive", params={"case": case})
    _check_order_cap(plan, money, market)
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


def _full_lines(money: OrderMoney, market: Marketplace) -> list[RefundLine]:
    """Every component with money left, each in full, or a refusal naming the first that cannot.

    A remainder too small to send once the tax is taken out (a minor unit or so, often what
    Amazon's rounding left over) is never dropped: a "full" refund that gave back less than it
    confirmed would be a surprise. The agent refunds the rest per item instead. The order view
    says so up front (companion/amazon/refundable.py); this is the check at submit.
    """
    lines = []
    for code, line in money.lines.items():
        asked = full_asks(line, money.prices_include_tax, market)
        if not asked:
            continue
        refund = _line(code, line, asked, market.quantize(ZERO), money, market)
        if set(refund.components) != set(asked):
            raise Unprocessable(
                too_small_reason(code),
                code="refund_not_positive",
                params={"case": "full_too_small", "orderItemCode": code},
                details={"orderItemCode": code},
            )
        lines.append(refund)
    return lines


def _partial_lines(request: RefundIn, money: OrderMoney, market: Marketplace) -> list[RefundLine]:
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
        if code not in money.lines:
            raise UnknownOrderItem(code)
        lines.append(_item_line(item, money, request, market))
    return lines


def _item_line(
    item: RefundItemIn, money: OrderMoney, request: RefundIn, market: Marketplace
) -> RefundLine:
    code = item.order_item_code
    line = money.lines[code]
    if item.quantity > line.quantity:
        raise Unprocessable(
            f"Item {code} was ordered {line.quantity} time(s), not {item.quantity}.",
            code="quantity_exceeds_ordered",
            params={"orderItemCode": code, "ordered": line.quantity, "asked": item.quantity},
            details={"orderItemCode": code},
        )
    asked = _component_amounts(item, line, money.prices_include_tax, market)
    fee = _restocking_fee(item, request, market)
    refund = _line(code, line, asked, fee, money, market, quantity=item.quantity)
    if refund.net <= 0:
        too_small = asked and not refund.components
        raise Unprocessable(
            f"Item {code}: the amount is too small to send once Amazon adds the tax."
            if too_small
            else f"Item {code}: the refund must be more than the restocking fee.",
            code="refund_not_positive",
            params={"case": "too_small" if too_small else "fee_too_high", "orderItemCode": code},
            details={"orderItemCode": code},
        )
    if fee > asked.get("Principal", ZERO):
        # The fee is kept from the item's price: it cannot take back tax or shipping.
        raise Unprocessable(
            f"Item {code}: the restocking fee ({market.format(fee)} {market.currency}) cannot "
            "be more than the item price refunded.",
            code="restocking_fee_exceeds_principal",
            params={"orderItemCode": code, "fee": market.format(fee), "currency": market.currency},
            details={"orderItemCode": code},
        )
    return refund


def _line(
    code: str,
    line: LineMoney,
    asked: Mapping[str, Decimal],
    fee: Decimal,
    money: OrderMoney,
    market: Marketplace,
    quantity: int | None = None,
) -> RefundLine:
    """The feed line for amounts the agent asked: tax-exclusive where the tax is inside."""
    _check_line_cap(code, line, sum(asked.values(), ZERO), market)
    if not money.prices_include_tax:
        return RefundLine(code, quantity or line.quantity, dict(asked), fee)
    found = balances(line, True, market.quantum)
    sent: dict[str, Decimal] = {}
    added: dict[str, Decimal] = {}
    for kind, amount in asked.items():
        net = tax_exclusive(amount, found[kind], market)
        if net > 0:
            sent[kind] = net
            if amount > net:
                added[TAX_OF[kind]] = amount - net
    return RefundLine(code, quantity or line.quantity, sent, fee, added)


def _check_line_cap(code: str, line: LineMoney, asked: Decimal, market: Marketplace) -> None:
    if asked > line.total_left:
        raise _exceeds_paid("item", code, line.total_left, asked, market)


def _check_order_cap(plan: RefundPlan, money: OrderMoney, market: Marketplace) -> None:
    if money.cap is not None and plan.total > money.cap:
        raise _exceeds_paid("order", "", money.cap, plan.total, market)


def _exceeds_paid(
    case: str, code: str, left: Decimal, asked: Decimal, market: Marketplace
) -> Unprocessable:
    where = f"item {code}" if code else "this order"
    return Unprocessable(
        f"At most {market.format(left)} {market.currency} can still be refunded on {where} "
        f"(what the buyer paid, less earlier refunds); {market.format(asked)} {market.currency} "
        "was asked.",
        code="refund_exceeds_paid",
        params={
            "case": case,
            "orderItemCode": code,
            "refundable": market.format(left),
            "asked": market.format(asked),
            "currency": market.currency,
        },
        details={"orderItemCode": code} if code else {},
    )


def _component_amounts(
    item: RefundItemIn, line: LineMoney, include_tax: bool, market: Marketplace
) -> dict[str, Decimal]:
    """The amounts asked per component, each at most what is left of it (zeros left out)."""
    code = item.order_item_code
    found = balances(line, include_tax, market.quantum)
    amounts: dict[str, Decimal] = {}
    for component in REFUND_COMPONENTS:
        if component not in item.components:
            continue
        if include_tax and component in TAXES:
            raise _tax_inside(component, market)
        asked = parse_money(item.components[component], market, field=f"{code} {component}")
        left = found[component].left if component in found else ZERO
        if asked > left:
            raise _exceeds_component(code, component, left, asked, market)
        if asked > 0:
            amounts[component] = asked
    if amounts and not include_tax and set(amounts) <= TAXES:
        raise Unprocessable(
            f"Item {code}: Amazon refunds tax on its own where it collects it; refund the item "
            "price or shipping together with their tax, not the tax alone.",
            code="tax_only_refund",
            params={"orderItemCode": code},
            details={"orderItemCode": code},
        )
    return amounts


def _tax_inside(component: str, market: Marketplace) -> Unprocessable:
    name = TAX_NAMES.get(market.tax_label, "tax")
    return Unprocessable(
        f"Prices in this marketplace include {name}: enter the amount to give back, "
        f"{name} included, under the item price, shipping or gift wrap. Amazon works out "
        f"the {name} itself.",
        code="tax_included",
        params={"component": component, "taxLabel": market.tax_label},
        details={"component": component},
    )


def _exceeds_component(
    code: str, component: str, left: Decimal, asked: Decimal, market: Marketplace
) -> Unprocessable:
    return Unprocessable(
        f"{component} can be refunded up to {market.format(left)} {market.currency}; "
        f"{market.format(asked)} {market.currency} was asked.",
        code="refund_exceeds_refundable",
        params={
            "component": component,
            "refundable": market.format(left),
            "asked": market.format(asked),
            "currency": market.currency,
        },
        details={"orderItemCode": code, "component": component, "refundable": market.format(left)},
    )


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
