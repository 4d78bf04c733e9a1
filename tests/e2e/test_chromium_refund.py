"""Chromium: order id detected → badge → side panel → partial refund → succeeded → reply."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.browsers import ChromiumSession
from tests.e2e.panel import (
    SidePanel,
    confirm,
    fill_refund,
    insert,
    panel_url_target_count,
    record_states,
    states_seen,
)
from tests.e2e.stack import Stack
from tests.e2e.ticket import open_ticket, show_order

pytestmark = pytest.mark.browser
LIFECYCLE = ["accepted", "queued", "submitted", "processing", "succeeded"]


def principal_of_one_unit(view: dict[str, Any]) -> tuple[str, str]:
    """The first item's code and the price of one unit of it, as the agent would refund it."""
    item = view["items"][0]
    principal = next(c for c in item["components"] if c["type"] == "Principal")
    unit = Decimal(principal["charged"]) / item["quantityOrdered"]
    return item["orderItemCode"], f"{unit:.{view['marketplace']['decimals']}f}"


def refund_one_unit(stack: Stack, panel: SidePanel, order_id: str, name: str) -> dict[str, Any]:
    """Partial refund of one unit's price through the side panel; returns the finished action."""
    view = stack.api("GET", f"/v1/orders/{order_id}").json()
    item_code, amount = principal_of_one_unit(view)
    currency = view["marketplace"]["currency"]
    fill_refund(panel, {(item_code, "Principal"): amount}, "GeneralAdjustment")
    fee = f"input[data-item='{item_code}'][data-component='RestockingFee']"
    assert panel.js(f"document.querySelector(\"{fee}\").closest('.field').hidden") is True
    panel.select("[role='dialog'] select[data-spdesk='reason']", "CustomerReturn")
    assert panel.js(f"document.querySelector(\"{fee}\").closest('.field').hidden") is False
    # Every confirmation names the order it moves money for.
    assert order_id in panel.text("[role='dialog'] button[data-spdesk='confirm'] .confirm-order")
    panel.shot(f"{name}-refund-dialog")
    record_states(panel)
    label = confirm(panel)
    assert amount in label and currency in label, label
    assert panel.wait_state() == "succeeded", panel.text("[role='dialog']")
    states = states_seen(panel)
    # Live: the agent watched it move through Amazon's stages, in order, not just the end.
    assert states == sorted(states, key=LIFECYCLE.index) and states[-1] == "succeeded", states
    assert {"submitted", "processing"} & set(states), states
    panel.shot(f"{name}-refund-succeeded")
    action = stack.actions_of(order_id)[0]
    assert (action["kind"], action["state"], action["total"]) == ("refund", "succeeded", amount)
    assert action["items"][0]["components"] == {"Principal": amount}
    assert action["agent"] == "Anna" and action["ticketUrl"] == panel.page.url
    return action


# (host, saved page, seeded order, whether the page is served about that order, badges)
TICKETS = [
    ("acme.zendesk.test", "zendesk.html", "us-fbm-unshipped-multi", False, 2),
    ("acme.gorgias.test", "gorgias.html", "us-fbm-shipped", True, 2),
]


@pytest.mark.parametrize(
    ("host", "page_name", "label", "swap", "badges"), TICKETS, ids=["zendesk", "gorgias"]
)
def test_partial_refund_then_reply(
    stack: Stack,
    chromium: ChromiumSession,
    page: Page,
    host: str,
    page_name: str,
    label: str,
    swap: bool,
    badges: int,
) -> None:
    """The agent refunds one unit from the ticket and puts the confirmation into the reply."""
    order_id = stack.order_id(label)
    ticket = open_ticket(stack, chromium, page, host, page_name, order=order_id if swap else None)
    if page_name == "zendesk.html":  # the module's first test: no side panel yet
        assert panel_url_target_count(page) == 0
    panel = show_order(ticket, order_id, badges)
    assert panel_url_target_count(page) == 1, "the badge click opened the browser's side panel"
    name = page_name.removesuffix(".html")
    panel.shot(f"{name}-panel")
    ticket.shot(f"{name}-page-with-panel")
    action = refund_one_unit(stack, panel, order_id, name)
    before = ticket.fixture_editor()
    assert insert(panel, "reply") == "inserted"
    after = ticket.fixture_editor()
    assert after["changes"] > before["changes"], "the helpdesk never noticed the reply"
    assert action["confirmation"] in after["model"] and action["total"] in after["model"]
    ticket.shot(f"{name}-reply-inserted")
    # Nothing of spdesk is on the page but its badges: the agent reviews and sends.
    ticket.assert_uncovered("[data-fixture-send]")
    assert page.locator("[data-fixture-send]").is_enabled()
    # The order's history in the panel: the refund with its whole timeline.
    panel.click("[role='dialog'] button[data-spdesk='close-result']")
    entry = f"[data-spdesk='history'] li[data-action='{action['id']}'][data-state='succeeded']"
    panel.wait(entry)
    panel.click(f"{entry} summary")
    timeline = panel.js(f'document.querySelector("{entry} details[open] ol").children.length')
    assert timeline == len(action["history"])
    panel.close()


def test_refund_dialog_from_the_keyboard(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """Enter opens, focus starts inside, Tab stays inside, Escape closes and gives focus back;
    every field is labelled and no keystroke reaches the helpdesk."""
    order_id = stack.order_id("us-fbm-partially-shipped")
    ticket = open_ticket(stack, chromium, page, "acme.zendesk.test", "zendesk.html", order=order_id)
    page.evaluate(
        "() => { window.__helpdeskKeys = 0; document.addEventListener('keydown', "
        "() => { window.__helpdeskKeys += 1; }); }"
    )
    panel = show_order(ticket, order_id, 2)
    focused = "document.activeElement?.dataset.spdesk ?? null"
    panel.focus("[data-spdesk='order'] button[data-spdesk='refund']")
    panel.press("Enter")
    panel.wait("[role='dialog'][aria-modal='true']")
    assert panel.js(focused) == "reason"
    title = panel.js(
        "(d => document.getElementById(d.getAttribute('aria-labelledby')).textContent)"
        "(document.querySelector(\"[role='dialog']\"))"
    )
    assert order_id in title
    unlabelled = panel.js("""[...document.querySelectorAll(
        "[role='dialog'] input, [role='dialog'] select, [role='dialog'] textarea")]
        .filter(el => !el.closest("[hidden]") && !el.labels?.length
                      && !el.getAttribute("aria-label")).map(el => el.outerHTML)""")
    assert unlabelled == []
    inside = "document.querySelector(\"[role='dialog']\").contains(document.activeElement)"
    for _ in range(25):
        panel.press("Tab")
        assert panel.js(inside)
    panel.press("Escape")
    panel.wait("[role='dialog']", gone=True)
    assert panel.js(focused) == "refund"
    assert page.evaluate("window.__helpdeskKeys") == 0
    panel.close()
