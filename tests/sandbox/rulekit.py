"""In-process feed runs for rule tests: one feed document against a state, its report parsed."""

from __future__ import annotations

from spdesk_sandbox.feedapply import run_feed
from spdesk_sandbox.records import Order
from spdesk_sandbox.report import render_report
from spdesk_sandbox.state import SandboxState
from tests.sandbox.feedkit import ACKNOWLEDGEMENT, ADJUSTMENT, Report, envelope, parse_report

US, JP = "ATVPDKIKX0DER", "A1VC38T7YXB528"


def order(state: SandboxState, label: str) -> Order:
    """The live order behind a seed label."""
    found = state.order(state.seed.order_id(label))
    assert found is not None
    return found


def run(state: SandboxState, feed_type: str, xml: str, marketplace: str = US) -> Report:
    """Process one feed document in-process and read its report as a client would."""
    outcome = run_feed(state, "50000000001", feed_type, xml.encode(), [marketplace])
    report = render_report("50000000001", state.seller_id, outcome.processed, outcome.results)
    return parse_report(report)


def refund(state: SandboxState, *messages: str, marketplace: str = US) -> Report:
    """An Order Adjustment feed of these messages."""
    return run(state, ADJUSTMENT, envelope("OrderAdjustment", list(messages)), marketplace)


def cancel(state: SandboxState, *messages: str) -> Report:
    """An Order Acknowledgement feed of these messages."""
    return run(state, ACKNOWLEDGEMENT, envelope("OrderAcknowledgement", list(messages)))


def summary(processed: int, successful: int, errors: int, warnings: int) -> dict[str, int]:
    """A ProcessingSummary as parse_report gives it."""
    return {
        "MessagesProcessed": processed,
        "MessagesSuccessful": successful,
        "MessagesWithError": errors,
        "MessagesWithWarning": warnings,
    }
