"""Refund amount rules: computed and checked against Amazon's numbers, never the page's.

The agent asks in the amounts the buyer saw. Where prices include the tax (VAT, GST,
consumption tax) that is each charge with its tax inside, and the feed carries the tax-exclusive
part: Amazon adds the tax of the sale itself (its VAT guide) and ignores tax components. The
tax-exclusive amount is the largest whose tax, at the highest rate the sale's own numbers allow,
keeps the refund within what was asked, so Amazon's rounding can only give back a little less,
never more (docs/amazon.md). In the US and Canada each tax is its own component, each at most
its remaining balance, and never a tax alone (Amazon refunds marketplace-facilitator tax itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from companion.actions.models import RefundIn, RefundItemIn
from companion.actions.record import RefundLine
from companion.amazon.money import TAX_OF, LineMoney, OrderMoney
from companion.errors import BadRequest, Conflict, UnknownOrderItem, Unprocessable
from companion.fields import MoneyText
from companion.marketplaces import Marketplace, written_decimals
from companion.vocabulary import CUSTOMER_RETURN, REFUND_COMPONENTS

ZERO = Decimal(0)
# Where prices include the tax the agent refunds these; their taxes follow.
GROSS = ("Principal", "Shipping", "GiftWrap")
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


@dataclass(frozen=True, slots=True)
class Balance:
    """What is left of one component the agent can refund, and how it goes into the feed."""

    left: Decimal  # what the agent may still ask for it (the tax inside, where it is)
    net_left: Decimal  # the tax-exclusive balance Amazon checks the feed amount against
    ratio: Decimal | None = None  # highest tax rate the sale allows; None: no tax inside


def tax_ratio(gross: Decimal, tax: Decimal, quantum: Decimal) -> Decimal | None:
    """The highest rate consistent with `tax` being the rounded tax inside `gross`."""
    if tax <= 0:
        return None
    half = quantum / 2
    net = gross - tax - half
    return (tax + half) / net if net > 0 else None


def balances(line: LineMoney, include_tax: bool, quantum: Decimal) -> dict[str, Balance]:
    """The components of one line an agent can refund, each with its balance."""
    if not include_tax:
        return {c: Balance(line.left(c), line.left(c)) for c in REFUND_COMPONENTS if c in line.paid}
    found = {}
    for charge in GROSS:
        if charge not in line.paid:
            continue
        tax = TAX_OF[charge]
        paid = line.paid[charge] + line.paid.get(tax, ZERO)
        done = line.refunded.get(charge, ZERO) + line.refunded.get(tax, ZERO)
        left = ZERO if line.cancelled else max(paid - done, ZERO)
        found[charge] = Balance(left, line.left(charge), _sale_ratio(line, charge, quantum))
    return found


def _sale_ratio(line: LineMoney, charge: str, quantum: Decimal) -> Decimal | None:
    """The highest rate the sale's charge allows, read before promotions.

    Amazon computed the tax of the charge once, rounded once; after a promotion the buyer's tax
    is the difference of two rounded taxes, which can understate the rate (or show none at all)
    while Amazon still adds the sale's rate to every refund.
    """
    sale = line.charged or line.paid
    tax = sale.get(TAX_OF[charge], ZERO)
    return tax_ratio(sale.get(charge, ZERO) + tax, tax, quantum)


def tax_exclusive(asked: Decimal, balance: Balance, market: Marketplace) -> Decimal:
    """The amount to send for `asked` so that it plus the tax Amazon adds stays within `asked`."""
    ratio = balance.ratio
    if ratio is None:
        return min(asked, balance.net_left)
    q = market.quantum
    net = (asked / (1 + ratio)).quantize(q, rounding=ROUND_FLOOR)
    while net > 0 and net + (net * ratio).quantize(q, rounding=ROUND_CEILING) > asked:
        net -= q
    return max(min(net, balance.net_left), ZERO)


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
    confirmed would be a surprise. The agent refunds the rest per item instead.
    """
    lines = []
    for code, line in money.lines.items():
        found = balances(line, money.prices_include_tax, market.quantum)
        asked = {k: market.quantize(b.left) for k, b in found.items() if b.left > 0}
        if not asked:
            continue
        refund = _line(code, line, asked, market.quantize(ZERO), money, market)
        if set(refund.components) != set(asked):
            raise Unprocessable(
                f"Item {code}: what is left of it is too small to send once Amazon adds the "
                "tax, so a full refund cannot give back everything. Refund the rest per item.",
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
