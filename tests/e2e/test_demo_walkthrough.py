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
from playwright.sync_api import ElementHandle, Page

from spdesk_demo.helpdesk import create_helpdesk_app
from spdesk_demo.tickets import TICKETS
from tests.e2e.browsers import ChromiumSession, enable_site
from tests.e2e.servers import RunningApp, serve
from tests.e2e.stack import Stack
from tests.e2e.ticket import Ticket

pytestmark = pytest.mark.browser
LABELS = {t.number: t.label for t in TICKETS}
SEND = "form.reply button[type='submit']"


class DemoTicket(Ticket):
    """A ticket of the demo inbox, its order's panel open."""

    def __init__(self, page: Page, number: int, order_id: str) -> None:
        super().__init__(page, "generic")
        self.number = number
        self.order_id = order_id

    def chips(self) -> list[str]:
        """The panel's chips: status, channel, marketplace · currency, MCF status."""
        return list(
            self.panel().evaluate(
                "r => [...r.querySelectorAll('.chips .chip')].map(c => c.textContent)"
            )
        )

    def totals(self) -> dict[str, str]:
        """Order total / Refunded / Refundable as the panel shows them (none for MCF)."""
        return dict(
            self.panel().evaluate(
                "r => Object.fromEntries([...r.querySelectorAll(\"[data-spdesk='totals'] dt\")]"
                ".map(dt => [dt.textContent, dt.nextElementSibling.textContent]))"
            )
        )

    def button(self, action: str) -> ElementHandle:
        """The panel's Refund or Cancel button."""
        found = self.panel().wait_for_selector(
            f"[data-spdesk='order'] button[data-spdesk='{action}']"
        )
        assert found is not None
        return found

    def why(self, action: str) -> str:
        """The sentence under the buttons that says why `action` is not possible."""
        return str(self.panel().wait_for_selector(f"[data-spdesk='why-{action}']").inner_text())

    def wait_status(self, status: str) -> None:
        """Wait until the panel shows the order in `status` (it re-reads after an action)."""
        self.panel().wait_for_selector(f"[data-spdesk='order'][data-status='{status}']")

    def reply_box(self) -> str:
        """What the helpdesk's reply textarea holds."""
        return self.page.input_value("#reply")

    def insert_reply_text(self) -> str:
        """Click "Insert reply" in the outcome; returns the helpdesk's reply box afterwards."""
        self.click_insert_reply()
        self.assert_uncovered(SEND)  # the agent can review and send with the panel still open
        return self.reply_box()

    def send_reply(self) -> str:
        """Send the reply with spdesk's panel minimised; returns the thread's last agent message."""
        self.collapse_panel()
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
    """Open ticket `number`; the agent sees one badge per mention and opens the panel."""
    order_id = stack.order_id(LABELS[number])
    page.goto(f"{desk.url}/tickets/{number}")
    ticket = DemoTicket(page, number, order_id)
    ticket.wait_ready()
    found = ticket.wait_scanned()
    assert found and set(found) == {order_id}, found
    ticket.open_panel(order_id)
    ticket.wait_order()
    ticket.shot(f"demo-{number}-panel")
    return ticket


def view(stack: Stack, order_id: str) -> dict[str, Any]:
    """The order as the companion sees it now."""
    reply = stack.api("GET", f"/v1/orders/{order_id}?fresh=1")
    assert reply.status == 200, reply.body
    return dict(reply.json())


def item_code(order: dict[str, Any], sku: str) -> str:
    """The order item code of the line with `sku`."""
    return str(next(i["orderItemCode"] for i in order["items"] if i["sku"] == sku))


def refund_partially(
    ticket: DemoTicket, amounts: dict[tuple[str, str], str], reason: str
) -> ElementHandle:
    """Partial refund through the dialog: `amounts` per (item code, component) as typed."""
    dialog = ticket.open_dialog("refund")
    dialog.wait_for_selector("input[data-spdesk='mode-partial']").check()
    for (code, component), amount in amounts.items():
        dialog.wait_for_selector(f"input[data-item='{code}'][data-component='{component}']").fill(
            amount
        )
    dialog.wait_for_selector("select[data-spdesk='reason']").select_option(reason)
    return dialog


def confirm(ticket: DemoTicket, dialog: ElementHandle, name: str) -> str:
    """Screenshot the filled dialog, click its confirm button, wait for the final state."""
    button = dialog.wait_for_selector("button[data-spdesk='confirm']:not([disabled])")
    label = str(button.inner_text())
    ticket.shot(f"demo-{ticket.number}-{name}", dialog)
    button.click()
    state = ticket.wait_state(dialog)
    ticket.shot(f"demo-{ticket.number}-{name}-done", dialog)
    assert state == "succeeded", dialog.inner_text()
    return label


def test_damaged_headphones_partial_refund(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4711: refund the headphones (not the case) → succeeded → reply in the helpdesk."""
    ticket = open_ticket(stack, desk, page, 4711)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "US · USD"]
    assert ticket.totals() == {
        "Order total": "$112.57",
        "Refunded": "$0.00",
        "Refundable": "$112.57",
    }
    assert ticket.button("cancel").is_disabled() and "refund" in ticket.why("cancel")
    order = view(stack, ticket.order_id)
    headphones = item_code(order, "HDP-WL-ANC-GRY")
    dialog = refund_partially(
        ticket,
        {(headphones, "Principal"): "89.00", (headphones, "Tax"): "7.34"},
        "GeneralAdjustment",
    )
    assert confirm(ticket, dialog, "refund") == "Refund $96.34 (USD)"
    assert dialog.inner_text().count("Refund of $96.34 accepted by Amazon") == 1
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
    ticket.shot("demo-4711-reply")
    ticket.expand_panel()
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
    request = ticket.panel().wait_for_selector("[data-spdesk='cancel-request']").inner_text()
    assert "The buyer asked to cancel this order" in request and "mistake" in request
    dialog = ticket.open_dialog("cancel")
    assert (
        dialog.wait_for_selector("select[data-spdesk='reason']").evaluate("el => el.value")
        == "BuyerCanceled"
    )
    assert dialog.wait_for_selector("[data-spdesk='rate-warning']", state="attached").is_hidden()
    assert confirm(ticket, dialog, "cancel") == "Cancel the whole order"
    ticket.wait_status("CANCELLED")
    assert view(stack, ticket.order_id)["status"] == "CANCELLED"
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["kind"], action["reason"], action["warnings"]) == ("cancel", "BuyerCanceled", [])
    reply = ticket.insert_reply_text()
    assert "(at your request)" in reply and "LED Desk Lamp" in reply, reply
    assert "Amazon will confirm the cancellation by email." in reply
    ticket.expand_panel()
    assert ticket.chips()[0] == "Cancelled"
    assert ticket.button("cancel").is_disabled()
    assert ticket.totals() == {"Order total": "$56.81", "Refunded": "$0.00"}
    # The request is answered: no yellow call to act on it any more.
    assert ticket.panel().query_selector("[data-spdesk='cancel-request']") is None
    ticket.shot("demo-4712-after", ticket.panel().wait_for_selector("aside"))


def test_shipped_order_cannot_be_cancelled(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4713: the parcel is out for delivery → no cancel, the panel says to refund instead."""
    ticket = open_ticket(stack, desk, page, 4713)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "UK · GBP"]
    assert ticket.totals()["Refundable"] == "£27.97"  # 23.98 + 3.99, VAT inside
    assert ticket.button("cancel").is_disabled()
    assert not ticket.button("refund").is_disabled()
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
    dialog = refund_partially(ticket, {(teapot, "Principal"): "800.50"}, "GeneralAdjustment")
    error = dialog.wait_for_selector(".field-error:not([hidden])").inner_text()
    assert error == "This currency has no decimals: enter whole amounts.", error
    assert dialog.wait_for_selector("button[data-spdesk='confirm']").is_disabled()
    dialog.wait_for_selector(f"input[data-item='{teapot}'][data-component='Principal']").fill("800")
    assert confirm(ticket, dialog, "refund") == "Refund ¥800 (JPY)"
    assert "Refund of ¥800 accepted by Amazon" in dialog.inner_text()
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["state"], action["currency"], action["total"]) == ("succeeded", "JPY", "800")
    # 800 yen with the tax inside: 727 is sent, Amazon adds the consumption tax (73).
    assert action["items"][0]["components"] == {"Principal": "727"}
    reply = ticket.insert_reply_text()
    assert "￥800" in reply and "返金" in reply and "." not in reply.split("\n")[0], reply
    ticket.expand_panel()
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
    assert ticket.button("refund").is_disabled() and ticket.button("cancel").is_disabled()
    assert "Amazon customer service handles its refunds" in ticket.why("refund")
    # One reason for both buttons, said once.
    assert ticket.panel().query_selector("[data-spdesk='why-cancel']") is None
    assert ticket.button("cancel").get_attribute("aria-describedby") == "why-refund"


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
    assert ticket.button("refund").is_disabled() and "own sales channel" in ticket.why("refund")
    # The buyer paid in the web shop: no Amazon amounts ($0.00) to mislead the agent.
    assert ticket.totals() == {}
    line = ticket.panel().wait_for_selector("ul.items li").inner_text()
    assert line.startswith("FBA-BTL-INS-32\n") and "Refundable" not in line, line
    dialog = ticket.open_dialog("cancel")
    dialog.wait_for_selector("select[data-spdesk='reason']").select_option("BuyerCanceled")
    assert dialog.wait_for_selector("[data-spdesk='rate-warning']", state="attached").is_hidden()
    confirm(ticket, dialog, "cancel")
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["kind"], action["state"], action["feedId"]) == ("cancel", "succeeded", None)
    assert view(stack, ticket.order_id)["fulfillmentOrder"]["status"] == "CANCELLED"
    reply = ticket.insert_reply_text()
    assert "- FBA-BTL-INS-32 × 2\nThey will not be shipped." in reply, reply
    assert "Amazon will confirm" not in reply  # Amazon does not write to a web-shop buyer
    ticket.expand_panel()
    assert ticket.chips()[0] == "Cancelled"


def test_cancel_one_line_only(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4717: take the yoga strap off: only that line is cancelled, the rest still ships."""
    ticket = open_ticket(stack, desk, page, 4717)
    order = view(stack, ticket.order_id)
    strap = item_code(order, "YG-STRAP-8FT")
    dialog = ticket.open_dialog("cancel")
    for item in order["items"]:
        if item["orderItemCode"] != strap:
            dialog.wait_for_selector(
                f"input[type='checkbox'][data-item='{item['orderItemCode']}']"
            ).uncheck()
    dialog.wait_for_selector("select[data-spdesk='reason']").select_option("BuyerCanceled")
    # The buyer asked in the helpdesk, not on Amazon: this one does count against the rate.
    assert dialog.wait_for_selector("[data-spdesk='rate-warning']").is_visible()
    assert confirm(ticket, dialog, "cancel") == "Cancel 3 unit(s)"
    after = view(stack, ticket.order_id)
    cancelled = {i["sku"]: i["quantityCancelled"] for i in after["items"]}
    assert cancelled == {"YG-MAT-6MM-TEAL": 0, "YG-BLK-CORK-2PK": 0, "YG-STRAP-8FT": 3}
    assert after["status"] == "UNSHIPPED" and after["actions"]["cancel"]["allowed"]
    reply = ticket.insert_reply_text()
    assert "Cotton Yoga Strap 8 ft with D-Ring Buckle × 3" in reply and "Yoga Mat" not in reply
    ticket.expand_panel()
    strap_row = ticket.panel().wait_for_selector(f"li[data-item='{strap}']").inner_text()
    assert "3 cancelled" in strap_row, strap_row
    ticket.shot("demo-4717-after", ticket.panel().wait_for_selector("aside"))


def test_german_partial_refund_reply_in_german(stack: Stack, desk: RunningApp, page: Page) -> None:
    """#4718: a missing knife: part of the price back, the reply in German with EUR as in DE."""
    ticket = open_ticket(stack, desk, page, 4718)
    assert ticket.chips() == ["Shipped", "Fulfilled by you (FBM)", "DE · EUR"]
    assert ticket.totals()["Refundable"] == "€69.80"  # 64.90 + 4.90, VAT inside
    order = view(stack, ticket.order_id)
    block = order["items"][0]["orderItemCode"]
    # A German agent types a decimal comma.
    dialog = refund_partially(ticket, {(block, "Principal"): "15,90"}, "GeneralAdjustment")
    assert confirm(ticket, dialog, "refund") == "Refund €15.90 (EUR)"
    action = stack.actions_of(ticket.order_id)[0]
    assert (action["state"], action["currency"], action["total"]) == ("succeeded", "EUR", "15.90")
    reply = ticket.insert_reply_text()
    assert reply.startswith(
        f"Wir haben für Ihre Bestellung {ticket.order_id} eine Erstattung "
        "über 15,90\u00a0€ veranlasst (Bestellanpassung)."
    ), reply
    assert f"Referenz: {action['confirmation']}" in reply
    ticket.shot("demo-4718-reply")
    ticket.expand_panel()
    refunded = Decimal(view(stack, ticket.order_id)["totals"]["refunded"])
    assert refunded == Decimal("15.90")
    assert ticket.totals()["Refunded"] == "€15.90"
