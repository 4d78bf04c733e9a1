"""The demo inbox walked as a support agent would: all eight tickets, real Chromium, real spdesk.

The helpdesk is the demo's own (`spdesk_demo/helpdesk.py`, as `spdesk demo` serves it) on
127.0.0.1 at an ephemeral port, about the sandbox's seeded orders; the agent enables spdesk on it,
opens each ticket, reads the panel and does what the ticket asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page

from spdesk_demo.helpdesk import create_helpdesk_app
from spdesk_demo.tickets import TICKETS
from tests.e2e.browsers import ChromiumSession, enable_site
from tests.e2e.panel import SidePanel, confirm, fill_refund, insert
from tests.e2e.servers import RunningApp, serve
from tests.e2e.stack import Stack
from tests.e2e.ticket import Ticket, show_order

pytestmark = pytest.mark.browser
LABELS = {t.number: t.label for t in TICKETS}
SEND = "form.reply button[type='submit']"


class DemoTicket(Ticket):
    """A ticket of the demo inbox, its order shown in the side panel."""

    def __init__(self, page: Page, number: int, order_id: str) -> None:
        super().__init__(page)
        self.number = number
        self.order_id = order_id
        self.panel: SidePanel | None = None

    @property
    def side(self) -> SidePanel:
        """The side panel showing the ticket's order."""
        assert self.panel is not None
        return self.panel

    def chips(self) -> list[str]:
        """The panel's chips: status, channel, marketplace · currency, MCF status."""
        return list(
            self.side.js("[...document.querySelectorAll('.chips .chip')].map(c => c.textContent)")
        )

    def totals(self) -> dict[str, str]:
        """Order total / Refunded / Refundable as the panel shows them (none for MCF)."""
        return dict(
            self.side.js(
                "Object.fromEntries([...document.querySelectorAll(\"[data-spdesk='totals'] dt\")]"
                ".map(dt => [dt.textContent, dt.nextElementSibling.textContent]))"
            )
        )

    def disabled(self, action: str) -> bool:
        """Whether the panel's Refund or Cancel button is disabled."""
        return not self.side.enabled(f"[data-spdesk='order'] button[data-spdesk='{action}']")

    def why(self, action: str) -> str:
        """The sentence under the buttons that says why `action` is not possible."""
        return self.side.text(f"[data-spdesk='why-{action}']")

    def wait_status(self, status: str) -> None:
        """Wait until the panel shows the order in `status` (it re-reads after an action)."""
        self.side.wait(f"[data-spdesk='order'][data-status='{status}']")

    def reply_box(self) -> str:
        """What the helpdesk's reply textarea holds."""
        return self.page.input_value("#reply")

    def insert_reply_text(self) -> str:
        """Click "Insert reply" in the outcome; returns the helpdesk's reply box afterwards."""
        assert insert(self.side, "reply") == "inserted"
        self.assert_uncovered(SEND)  # the agent can review and send; nothing of spdesk on top
        return self.reply_box()

    def close_outcome(self) -> None:
        """Close the outcome dialog, back to the order view."""
        self.side.click("[role='dialog'] button[data-spdesk='close-result']")
        self.side.wait("[role='dialog']", gone=True)

    def send_reply(self) -> str:
        """Send the reply with the helpdesk's button; returns the thread's last agent message."""
        self.assert_uncovered(SEND)
        self.page.locator(SEND).click()
        self.page.wait_for_load_state()
        return self.page.locator("article.message.agent").last.inner_text()


@pytest.fixture(scope="module")
def desk(stack: Stack, chromium: ChromiumSession) -> Iterator[RunningApp]:
    """The demo helpdesk on 127.0.0.1:0 with spdesk enabled on it, as an agent would do."""
    app = stack.loop.run(serve(create_helpdesk_app(stack.sandbox.seed.order_id)))
    enable_site(chromium, app.url)
    try:
        yield app
    finally:
        stack.loop.run(app.stop())


def open_ticket(stack: Stack, desk: RunningApp, page: Page, number: int) -> DemoTicket:
    """Open ticket `number`; one badge per mention; the agent shows its order in the panel."""
    order_id = stack.order_id(LABELS[number])
    page.goto(f"{desk.url}/tickets/{number}")
    page.bring_to_front()
    ticket = DemoTicket(page, number, order_id)
    ticket.wait_badges(order_id)
    assert set(ticket.badge_ids()) == {order_id}, ticket.badge_ids()
    ticket.panel = show_order(ticket, order_id)
    ticket.shot(f"demo-{number}-page")
    ticket.side.shot(f"demo-{number}-panel")
    return ticket


def view(stack: Stack, order_id: str) -> dict[str, Any]:
    """The order as the companion sees it now."""
    reply = stack.api("GET", f"/v1/orders/{order_id}?fresh=1")
    assert reply.status == 200, reply.body
    return dict(reply.json())


def item_code(order: dict[str, Any], sku: str) -> str:
    """The order item code of the line with `sku`."""
    return str(next(i["orderItemCode"] for i in order["items"] if i["sku"] == sku))


def refund_partially(ticket: DemoTicket, amounts: dict[tuple[str, str], str], reason: str) -> None:
    """Partial refund through the dialog: `amounts` per (item code, component) as typed."""
    fill_refund(ticket.side, amounts, reason)


def confirm_and_wait(ticket: DemoTicket, name: str) -> str:
    """Screenshot the filled dialog, click its confirm button, wait for the final state."""
    ticket.side.shot(f"demo-{ticket.number}-{name}")
    label = confirm(ticket.side)
    state = ticket.side.wait_state()
    ticket.side.shot(f"demo-{ticket.number}-{name}-done")
    assert state == "succeeded", ticket.side.text("[role='dialog']")
    return label


def test_damaged_headphones_partial_refund(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4711: refund the headphones (not the case) → succeeded → reply and internal note."""
    ticket = open_ticket(stack, desk, page, 4711)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "US · USD"]
    assert ticket.totals() == {
        "Order total": "$112.57",
        "Refunded": "$0.00",
        "Refundable": "$112.57",
    }
    assert ticket.disabled("cancel") and "refund" in ticket.why("cancel")
    order = view(stack, ticket.order_id)
    headphones = item_code(order, "HDP-WL-ANC-GRY")
    refund_partially(
        ticket,
        {(headphones, "Principal"): "89.00", (headphones, "Tax"): "7.34"},
        "GeneralAdjustment",
    )
    assert confirm_and_wait(ticket, "refund") == "Refund $96.34 (USD)"
    assert ticket.side.text("[role='dialog']").count("Refund of $96.34 accepted by Amazon") == 1
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["state"], action["total"], action["items"][0]["orderItemCode"]) == (
        "succeeded",
        "96.34",
        headphones,
    )
    reply = ticket.insert_reply_text()
    assert reply.startswith(
        f"We have issued a refund of $96.34 for your order {ticket.order_id}"
    ), reply
    assert action["confirmation"] in reply
    # The note for colleagues: spdesk opens the helpdesk's hidden note box with its own button.
    assert insert(ticket.side, "note") == "inserted"
    note = page.input_value("#note")
    assert note.startswith(f"spdesk: refund of $96.34 for order {ticket.order_id}"), note
    assert "By: Anna" in note and action["confirmation"] in note
    ticket.shot("demo-4711-reply")
    ticket.close_outcome()
    assert ticket.totals() == {
        "Order total": "$112.57",
        "Refunded": "$96.34",
        "Refundable": "$16.23",
    }
    assert action["confirmation"] in ticket.send_reply()


def test_buyer_requested_cancel(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4712: the buyer asked on Amazon → BuyerCanceled, no rate warning → order cancelled."""
    ticket = open_ticket(stack, desk, page, 4712)
    assert ticket.chips() == ["Unshipped", "Fulfilled by you (FBM)", "US · USD"]
    request = ticket.side.text("[data-spdesk='cancel-request']")
    assert "The buyer asked to cancel this order" in request and "mistake" in request
    ticket.side.click("[data-spdesk='order'] button[data-spdesk='cancel']")
    ticket.side.wait("[role='dialog']")
    assert ticket.side.js("document.querySelector(\"[data-spdesk='reason']\").value") == (
        "BuyerCanceled"
    )
    assert ticket.side.attr("[data-spdesk='rate-warning']", "hidden") == ""
    assert confirm_and_wait(ticket, "cancel") == "Cancel the whole order"
    ticket.wait_status("CANCELLED")
    assert view(stack, ticket.order_id)["status"] == "CANCELLED"
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["kind"], action["reason"], action["warnings"]) == ("cancel", "BuyerCanceled", [])
    reply = ticket.insert_reply_text()
    assert "(at your request)" in reply and "LED Desk Lamp" in reply, reply
    assert "Amazon will confirm the cancellation by email." in reply
    ticket.close_outcome()
    assert ticket.chips()[0] == "Cancelled"
    assert ticket.disabled("cancel")
    assert ticket.totals() == {"Order total": "$56.81", "Refunded": "$0.00"}
    # The request is answered: no yellow call to act on it any more.
    assert not ticket.side.has("[data-spdesk='cancel-request']")
    ticket.side.shot("demo-4712-after")


def test_shipped_order_cannot_be_cancelled(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4713: the parcel is out for delivery → no cancel, the panel says to refund instead."""
    ticket = open_ticket(stack, desk, page, 4713)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "UK · GBP"]
    assert ticket.totals()["Refundable"] == "£27.97"  # 23.98 + 3.99, VAT inside
    assert ticket.disabled("cancel")
    assert not ticket.disabled("refund")
    assert ticket.why("cancel") == (
        "This order has shipped, so it can no longer be cancelled. Issue a refund instead."
    )


def test_jpy_refund_in_whole_yen(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4714: JPY has no decimals: the panel, the dialog, Amazon and the reply say whole yen."""
    ticket = open_ticket(stack, desk, page, 4714)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "JP · JPY"]
    # 4980 + 600 yen, the consumption tax inside both.
    assert ticket.totals() == {"Order total": "¥5,580", "Refunded": "¥0", "Refundable": "¥5,580"}
    order = view(stack, ticket.order_id)
    teapot = order["items"][0]["orderItemCode"]
    refund_partially(ticket, {(teapot, "Principal"): "800.50"}, "GeneralAdjustment")
    error = ticket.side.text("[role='dialog'] .field-error:not([hidden])")
    assert error == "This currency has no decimals: enter whole amounts.", error
    assert not ticket.side.enabled("[role='dialog'] button[data-spdesk='confirm']")
    ticket.side.fill(f"input[data-item='{teapot}'][data-component='Principal']", "800")
    assert confirm_and_wait(ticket, "refund") == "Refund ¥800 (JPY)"
    assert "Refund of ¥800 accepted by Amazon" in ticket.side.text("[role='dialog']")
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["state"], action["currency"], action["total"]) == ("succeeded", "JPY", "800")
    # 800 yen with the tax inside: 727 is sent, Amazon adds the consumption tax (73).
    assert action["items"][0]["components"] == {"Principal": "727"}
    reply = ticket.insert_reply_text()
    assert "￥800" in reply and "返金" in reply and "." not in reply.split("\n")[0], reply
    ticket.close_outcome()
    assert ticket.totals() == {
        "Order total": "¥5,580",
        "Refunded": "¥800",
        "Refundable": "¥4,780",
    }


def test_fba_order_is_amazons(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4715: Amazon fulfils it: neither action, one sentence pointing to Amazon's service."""
    ticket = open_ticket(stack, desk, page, 4715)
    assert ticket.chips() == ["Shipped", "Fulfilled by Amazon (FBA)", "US · USD"]
    # What was paid, but no "Refundable" next to a Refund the seller cannot use.
    assert ticket.totals() == {"Order total": "$27.01", "Refunded": "$0.00"}
    assert ticket.disabled("refund") and ticket.disabled("cancel")
    assert "Amazon customer service handles its refunds" in ticket.why("refund")
    # One reason for both buttons, said once.
    assert not ticket.side.has("[data-spdesk='why-cancel']")
    assert ticket.side.attr("button[data-spdesk='cancel']", "aria-describedby") == "why-refund"


def test_mcf_web_shop_order_cancel(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4716: a web-shop order Amazon fulfils → cancelled through Fulfillment Outbound."""
    ticket = open_ticket(stack, desk, page, 4716)
    assert ticket.chips() == [
        "Unshipped",
        "Multi-Channel Fulfillment",
        "US · USD",
        "Fulfillment order: RECEIVED",
    ]
    assert "via email" in page.inner_text(".ticket-head .meta")
    assert ticket.disabled("refund") and "own sales channel" in ticket.why("refund")
    # The buyer paid in the web shop: no Amazon amounts ($0.00) to mislead the agent.
    assert ticket.totals() == {}
    line = ticket.side.text("ul.items li")
    assert line.startswith("FBA-BTL-INS-32\n") and "Refundable" not in line, line
    ticket.side.click("[data-spdesk='order'] button[data-spdesk='cancel']")
    ticket.side.select("[role='dialog'] select[data-spdesk='reason']", "BuyerCanceled")
    assert ticket.side.attr("[data-spdesk='rate-warning']", "hidden") == ""
    confirm_and_wait(ticket, "cancel")
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["kind"], action["state"], action["feedId"]) == ("cancel", "succeeded", None)
    assert view(stack, ticket.order_id)["fulfillmentOrder"]["status"] == "CANCELLED"
    reply = ticket.insert_reply_text()
    assert "- FBA-BTL-INS-32 × 2\nThey will not be shipped, and we will refund" in reply, reply
    assert "Amazon will confirm" not in reply  # Amazon does not write to a web-shop buyer
    ticket.close_outcome()
    assert ticket.chips()[0] == "Cancelled"


def test_cancel_one_line_only(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4717: take the yoga strap off: only that line is cancelled, the rest still ships."""
    ticket = open_ticket(stack, desk, page, 4717)
    order = view(stack, ticket.order_id)
    strap = item_code(order, "YG-STRAP-8FT")
    ticket.side.click("[data-spdesk='order'] button[data-spdesk='cancel']")
    for item in order["items"]:
        if item["orderItemCode"] != strap:
            ticket.side.click(f"input[type='checkbox'][data-item='{item['orderItemCode']}']")
    ticket.side.select("[role='dialog'] select[data-spdesk='reason']", "BuyerCanceled")
    # The buyer asked in the helpdesk, not on Amazon: this one does count against the rate.
    assert ticket.side.attr("[data-spdesk='rate-warning']", "hidden") is None
    label = confirm_and_wait(ticket, "cancel")
    assert label.startswith("Cancel Cotton Yoga Strap 8 ft with D-Ring Buckle × 3 ($"), label
    after = view(stack, ticket.order_id)
    cancelled = {i["sku"]: i["quantityCancelled"] for i in after["items"]}
    assert cancelled == {"YG-MAT-6MM-TEAL": 0, "YG-BLK-CORK-2PK": 0, "YG-STRAP-8FT": 3}
    assert after["status"] == "UNSHIPPED" and after["actions"]["cancel"]["allowed"]
    reply = ticket.insert_reply_text()
    assert "Cotton Yoga Strap 8 ft with D-Ring Buckle × 3" in reply and "Yoga Mat" not in reply
    ticket.close_outcome()
    assert "3 cancelled" in ticket.side.text(f"li[data-item='{strap}']")
    ticket.side.shot("demo-4717-after")


def test_german_partial_refund_reply_in_german(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4718: a missing knife: part of the price back, the reply in German with EUR as in DE."""
    ticket = open_ticket(stack, desk, page, 4718)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "DE · EUR"]
    assert ticket.totals()["Refundable"] == "€69.80"  # 64.90 + 4.90, VAT inside
    order = view(stack, ticket.order_id)
    block = order["items"][0]["orderItemCode"]
    # A German agent types a decimal comma.
    refund_partially(ticket, {(block, "Principal"): "15,90"}, "GeneralAdjustment")
    assert confirm_and_wait(ticket, "refund") == "Refund €15.90 (EUR)"
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["state"], action["currency"], action["total"]) == ("succeeded", "EUR", "15.90")
    reply = ticket.insert_reply_text()
    assert reply.startswith(
        f"Wir haben für Ihre Bestellung {ticket.order_id} eine Erstattung "
        "über 15,90\u00a0€ veranlasst (Bestellanpassung)."
    ), reply
    assert f"Referenz: {action['confirmation']}" in reply
    ticket.shot("demo-4718-reply")
    ticket.close_outcome()
    refunded = Decimal(view(stack, ticket.order_id)["totals"]["refunded"])
    assert refunded == Decimal("15.90")
    assert ticket.totals()["Refunded"] == "€15.90"


def test_tickets_open_without_a_page_load_and_the_panel_follows(
    stack: Stack, desk: RunningApp, page: Page
) -> None:
    """The inbox opens tickets with pjax; the panel follows, back and forward included."""
    ticket = open_ticket(stack, desk, page, 4713)
    next_order = stack.order_id(LABELS[4715])
    page.click("a.ticket-link[href='/tickets/4715']")
    ticket.side.order_shown(next_order)
    assert page.url.endswith("/tickets/4715")
    page.go_back()
    ticket.side.order_shown(ticket.order_id)
