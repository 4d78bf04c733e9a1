"""Chromium: cancelling a buyer's request, Amazon refusing a refund, the companion stopped, LNA.

Everything happens in the browser's side panel, opened by a click on the order's badge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.browsers import ChromiumSession
from tests.e2e.devtools import ContentWorld
from tests.e2e.panel import SidePanel, confirm, fill_refund, insert
from tests.e2e.stack import Stack, extra_companion, refund_elsewhere, stop_companion
from tests.e2e.ticket import Ticket, open_ticket, show_order

pytestmark = pytest.mark.browser

OFFLINE = "spdesk companion is not running on this computer. Start it with 'spdesk serve'."


def open_order(
    stack: Stack,
    chromium: ChromiumSession,
    page: Page,
    host: str,
    name: str,
    order_id: str,
    swap: bool = False,
) -> tuple[Ticket, SidePanel]:
    """Enable spdesk on the host, load the saved page and show `order_id` in the side panel."""
    ticket = open_ticket(stack, chromium, page, host, name, order=order_id if swap else None)
    return ticket, show_order(ticket, order_id)


def test_cancel_of_a_buyer_requested_order(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """BuyerCanceled is preselected, no cancellation-rate warning, the order ends cancelled."""
    order_id = stack.order_id("us-fbm-buyer-cancel-request")
    ticket, panel = open_order(stack, chromium, page, "acme.gorgias.test", "gorgias.html", order_id)
    panel.wait("[data-spdesk='cancel-request']")
    panel.click("[data-spdesk='order'] button[data-spdesk='cancel']")
    panel.wait("[role='dialog']")
    assert panel.js("document.querySelector(\"[data-spdesk='reason']\").value") == "BuyerCanceled"
    assert panel.attr("[data-spdesk='rate-warning']", "hidden") == ""
    assert order_id in panel.text("[role='dialog'] .confirm-order")
    panel.shot("gorgias-cancel-dialog")
    confirm(panel)
    assert panel.wait_state() == "succeeded", panel.text("[role='dialog']")
    panel.shot("gorgias-cancel-succeeded")
    action = stack.actions_of(order_id)[0]
    assert (action["kind"], action["state"], action["reason"]) == (
        "cancel",
        "succeeded",
        "BuyerCanceled",
    )
    assert stack.api("GET", f"/v1/orders/{order_id}?fresh=1").json()["status"] == "CANCELLED"
    before = ticket.fixture_editor()["changes"]
    assert insert(panel, "reply") == "inserted"
    after = ticket.fixture_editor()
    assert after["changes"] > before and action["confirmation"] in after["model"]  # Draft.js-like
    cancellations = stack.sandbox_json("GET", "/cancellations")
    assert [c["orderId"] for c in _listed(cancellations)].count(order_id) == 1
    panel.close()


def _listed(reply: Any) -> list[dict[str, Any]]:
    # The control API answers a list, or an object holding one.
    if isinstance(reply, list):
        return reply
    return next(v for v in reply.values() if isinstance(v, list))


def test_amazon_rejection_shows_amazons_message(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """A refund made elsewhere meanwhile: Amazon refuses ours and the agent reads why."""
    order_id = stack.order_id("de-fbm-shipped")
    _, panel = open_order(stack, chromium, page, "acme.helpscout.test", "helpscout.html", order_id)
    view = stack.api("GET", f"/v1/orders/{order_id}").json()
    item = view["items"][0]
    principal = next(c for c in item["components"] if c["type"] == "Principal")["refundable"]
    fill_refund(panel, {(item["orderItemCode"], "Principal"): principal}, "CustomerReturn")
    # Between the agent's look at the order and the click, someone refunds it in Seller Central
    # (VAT-exclusive, as Amazon's VAT guide asks: Amazon adds the VAT).
    live = stack.sandbox.state.order(order_id)
    assert live is not None
    outside = {
        "orderItemCode": item["orderItemCode"],
        "quantity": 1,
        "components": {"Principal": f"{live.items[0].refundable('Principal'):f}"},
    }
    refund_elsewhere(stack, order_id, "DE", [outside])
    confirm(panel)
    assert panel.wait_state() == "failed", panel.text("[role='dialog']")
    panel.shot("helpscout-refund-rejected")
    action = stack.actions_of(order_id)[0]
    message = action["amazon"]["description"]
    assert action["state"] == "failed" and message
    assert message in panel.text("[role='dialog'] [data-spdesk='amazon-message']")
    adjustments = _listed(stack.sandbox_json("GET", "/adjustments"))
    assert [a["feedId"] for a in adjustments if a["orderId"] == order_id] != [action["feedId"]]
    panel.press("Escape")
    panel.close()


def test_companion_stopped_says_how_to_start_it(
    stack: Stack, chromium: ChromiumSession, page: Page, tmp_path: Path
) -> None:
    """The panel works, the companion stops: the agent is told it is not running and how."""
    saved = chromium.get_storage(["companionUrl", "token", "pairingId"])
    order_id = stack.order_id("us-fba-shipped")
    with extra_companion(stack, tmp_path) as other:
        paired = stack.pair_with(other, chromium.origin)
        chromium.set_storage(
            {"companionUrl": other.url, "token": paired["token"], "pairingId": paired["pairingId"]}
        )
        try:
            _, panel = open_order(
                stack,
                chromium,
                page,
                "acme.freshdesk.test",
                "freshdesk.html",
                order_id,
            )
            stop_companion(stack, other)
            panel.click("#refresh")
            panel.wait("[data-spdesk='error'][data-code='companion_offline']")
            assert OFFLINE in panel.text("[data-spdesk='error']")
            panel.shot("freshdesk-companion-stopped")
            panel.close()
        finally:
            chromium.set_storage(saved)


def content_script_fetch(page: Page, extension_origin: str, url: str) -> str:
    """Run fetch(url) inside spdesk's content-script world of `page`; how it ended."""
    world = ContentWorld(page, extension_origin)
    try:
        return str(
            world.evaluate(
                f"fetch({url!r}).then(r => 'reached ' + r.status, e => 'blocked: ' + e.name)"
            )
        )
    finally:
        world.close()


def test_local_network_access_blocks_content_scripts_not_spdesk(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """From a public helpdesk page, only spdesk's own pages can reach the companion — and do."""
    order_id = stack.order_id("us-fbm-shipped")
    _, panel = open_order(stack, chromium, page, "tickets.example.test", "generic.html", order_id)
    health = f"{stack.companion.url}/v1/health"
    assert content_script_fetch(page, chromium.origin, health).startswith("blocked")
    assert (
        page.evaluate("(url) => fetch(url).then(() => 'reached', () => 'blocked')", health)
        == "blocked"
    )
    assert panel.attr("[data-spdesk='order']", "data-status") == "SHIPPED"
    panel.shot("generic-panel-through-background")
    panel.close()
