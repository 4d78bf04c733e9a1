"""Chromium: cancelling a buyer's request, Amazon refusing a refund, the companion stopped, LNA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.browsers import ChromiumSession, enable_site, poll
from tests.e2e.stack import Stack, extra_companion, refund_elsewhere, stop_companion
from tests.e2e.ticket import Ticket

pytestmark = pytest.mark.browser

OFFLINE = "spdesk companion is not running on this computer. Start it with 'spdesk serve'."


def open_ticket(
    stack: Stack,
    chromium: ChromiumSession,
    page: Page,
    host: str,
    name: str,
    adapter: str,
    order_id: str,
    swap: bool = False,
) -> Ticket:
    """Enable spdesk on the host, load the saved page and open the panel of `order_id`."""
    enable_site(chromium, stack.site_origin(host))
    page.goto(stack.page_url(host, name) + (f"?order={order_id}" if swap else ""))
    ticket = Ticket(page, adapter)
    ticket.wait_ready()
    assert order_id in ticket.wait_scanned()
    ticket.open_panel(order_id)
    return ticket


def test_cancel_of_a_buyer_requested_order(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """BuyerCanceled is preselected, no cancellation-rate warning, the order ends cancelled."""
    order_id = stack.order_id("us-fbm-buyer-cancel-request")
    ticket = open_ticket(
        stack, chromium, page, "acme.gorgias.test", "gorgias.html", "gorgias", order_id
    )
    order = ticket.wait_order()
    assert order.wait_for_selector("[data-spdesk='cancel-request']").is_visible()
    dialog = ticket.open_dialog("cancel")
    reason = dialog.wait_for_selector("select[data-spdesk='reason']")
    assert reason.evaluate("el => el.value") == "BuyerCanceled"
    assert dialog.wait_for_selector("[data-spdesk='rate-warning']", state="attached").is_hidden()
    ticket.shot("gorgias-cancel-dialog", dialog)
    dialog.wait_for_selector("button[data-spdesk='confirm']:not([disabled])").click()
    assert ticket.wait_state(dialog) == "succeeded", dialog.inner_text()
    ticket.shot("gorgias-cancel-succeeded", dialog)
    action = stack.actions_of(order_id)[0]
    assert (action["kind"], action["state"], action["reason"]) == (
        "cancel",
        "succeeded",
        "BuyerCanceled",
    )
    assert stack.api("GET", f"/v1/orders/{order_id}?fresh=1").json()["status"] == "CANCELLED"
    assert action["confirmation"] in ticket.insert_reply()["model"]  # Draft.js-like composer
    cancellations = stack.sandbox_json("GET", "/cancellations")
    assert [c["orderId"] for c in _listed(cancellations)].count(order_id) == 1


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
    ticket = open_ticket(
        stack, chromium, page, "acme.helpscout.test", "helpscout.html", "helpscout", order_id
    )
    ticket.wait_order()
    view = stack.api("GET", f"/v1/orders/{order_id}").json()
    item = view["items"][0]
    principal = next(c for c in item["components"] if c["type"] == "Principal")["refundable"]
    dialog = ticket.open_dialog("refund")
    dialog.wait_for_selector("input[data-spdesk='mode-partial']").check()
    dialog.wait_for_selector(
        f"input[data-item='{item['orderItemCode']}'][data-component='Principal']"
    ).fill(principal)
    dialog.wait_for_selector("select[data-spdesk='reason']").select_option("CustomerReturn")
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
    dialog.wait_for_selector("button[data-spdesk='confirm']:not([disabled])").click()
    assert ticket.wait_state(dialog) == "failed", dialog.inner_text()
    ticket.shot("helpscout-refund-rejected", dialog)
    action = stack.actions_of(order_id)[0]
    message = action["amazon"]["description"]
    assert action["state"] == "failed" and message
    assert message in dialog.inner_text()
    adjustments = _listed(stack.sandbox_json("GET", "/adjustments"))
    assert [a["feedId"] for a in adjustments if a["orderId"] == order_id] != [action["feedId"]]


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
            ticket = open_ticket(
                stack,
                chromium,
                page,
                "acme.freshdesk.test",
                "freshdesk.html",
                "freshdesk",
                order_id,
            )
            ticket.wait_order()
            stop_companion(stack, other)
            ticket.panel().wait_for_selector("button[aria-label]:text-is('↻')").click()
            error = ticket.panel().wait_for_selector("[data-spdesk='error']")
            assert error.get_attribute("data-code") == "companion_offline"
            assert OFFLINE in (error.inner_text() or "")
            ticket.shot("freshdesk-companion-stopped", ticket.panel().wait_for_selector("aside"))
        finally:
            chromium.set_storage(saved)


def content_script_fetch(page: Page, extension_origin: str, url: str) -> str:
    """Run fetch(url) inside spdesk's content-script world of `page`; how it ended."""
    cdp = page.context.new_cdp_session(page)
    contexts: list[dict[str, Any]] = []
    cdp.on("Runtime.executionContextCreated", lambda event: contexts.append(event["context"]))
    cdp.send("Runtime.enable")
    try:
        context = poll(
            lambda: next((c for c in contexts if c["origin"] == extension_origin), None),
            what="spdesk's content-script world",
        )
        result = cdp.send(
            "Runtime.evaluate",
            {
                "expression": f"fetch({url!r}).then(r => 'reached ' + r.status, "
                "e => 'blocked: ' + e.name)",
                "contextId": context["id"],
                "awaitPromise": True,
                "returnByValue": True,
            },
        )
        return str(result["result"]["value"])
    finally:
        cdp.detach()


def test_local_network_access_blocks_content_scripts_not_spdesk(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """From a public helpdesk page, only the background can reach the companion — and does."""
    order_id = stack.order_id("us-fbm-shipped")
    ticket = open_ticket(
        stack, chromium, page, "tickets.example.test", "generic.html", "generic", order_id
    )
    health = f"{stack.companion.url}/v1/health"
    assert content_script_fetch(page, chromium.origin, health).startswith("blocked")
    assert (
        page.evaluate("(url) => fetch(url).then(() => 'reached', () => 'blocked')", health)
        == "blocked"
    )
    order = ticket.wait_order()
    assert order.get_attribute("data-status") == "SHIPPED"
    ticket.shot("generic-panel-through-background", ticket.panel().wait_for_selector("aside"))
