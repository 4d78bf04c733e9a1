"""Which `unknown` refunds Finances shows as applied, without a doubt.

An `unknown` refund (FATAL feed, lost reply) may or may not have reached the buyer. Finances lists
refunds one by one: each item of a refund event with its amounts and the date it was posted. A
refund of spdesk is *shown* by such a posting when the posting is for the same item, has exactly
the same amount of every component, and was posted after the refund was accepted.

The refunds spdesk knows were applied (succeeded, posted) take their postings first, oldest first.
An `unknown` refund is then settled only when each of its item lines is shown by exactly one
remaining posting that no other `unknown` refund could also be. Two identical refunds of which
Amazon applied one, or a refund made in Seller Central that looks like ours, stay `unknown`: only a
person can tell them apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.actions.models import ActionState
from companion.actions.record import Action, RefundLine
from companion.amazon.models import FinancialEvents, RefundPosting
from companion.vocabulary import REFUND_COMPONENTS

# Amazon's clock and this computer's may differ: a posting this much older still counts.
CLOCK_SLACK = timedelta(minutes=10)
APPLIED = (ActionState.SUCCEEDED, ActionState.POSTED)


@dataclass(frozen=True, slots=True)
class Settled:
    """An `unknown` refund Finances shows without a doubt, and the postings that show it."""

    action: Action
    postings: tuple[RefundPosting, ...]

    @property
    def posted_at(self) -> datetime | None:
        """When the last of its postings was posted."""
        stamps = [p.posted_at for p in self.postings if p.posted_at is not None]
        return max(stamps) if stamps else None


def _accepted_at(action: Action) -> datetime:
    return datetime.fromisoformat(action.created_at.replace("Z", "+00:00"))


def shows(posting: RefundPosting, line: RefundLine, accepted_at: datetime) -> bool:
    """True when the posting is this line's refund: same item, same amounts, posted after."""
    if posting.order_item_id != line.order_item_code or posting.posted_at is None:
        return False
    if posting.posted_at < accepted_at - CLOCK_SLACK:
        return False
    asked = {c: a for c, a in line.components.items() if a}
    given = {c: a for c, a in posting.amounts.items() if c in REFUND_COMPONENTS and a}
    return asked == given


def _candidates(action: Action, postings: Iterable[RefundPosting]) -> list[list[RefundPosting]]:
    """For each item line of the refund, the postings that could be it."""
    accepted_at = _accepted_at(action)
    return [[p for p in postings if shows(p, line, accepted_at)] for line in action.refund_lines]


def _take_known(refunds: list[Action], postings: list[RefundPosting]) -> list[RefundPosting]:
    """The postings left once every refund known to be applied took its own, oldest first."""
    left = sorted(postings, key=lambda p: (p.posted_at is None, p.posted_at))
    for action in sorted(refunds, key=lambda a: a.created_at):
        if action.state not in APPLIED:
            continue
        for options in _candidates(action, left):
            if options:
                left.remove(options[0])
    return left


def settled_unknowns(refunds: list[Action], finances: FinancialEvents) -> list[Settled]:
    """The `unknown` refunds of one order that Finances shows as applied, without a doubt."""
    refunds = [a for a in refunds if a.kind == "refund"]
    left = _take_known(refunds, list(finances.refund_postings))
    unknown = [a for a in refunds if a.state is ActionState.UNKNOWN]
    options = {a.id: _candidates(a, left) for a in unknown}
    found = []
    for action in unknown:
        lines = options[action.id]
        if not lines or any(len(choices) != 1 for choices in lines):
            continue
        mine = [choices[0] for choices in lines]
        shared = any(
            any(p is posting for p in choices)
            for other in unknown
            if other.id != action.id
            for choices in options[other.id]
            for posting in mine
        )
        if not shared and len({id(p) for p in mine}) == len(mine):
            found.append(Settled(action, tuple(mine)))
    return found
