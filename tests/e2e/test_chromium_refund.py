"""Chromium: order id detected → panel → partial refund → succeeded → reply in the helpdesk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.browsers import ChromiumSession, enable_site
from tests.e2e.stack import Stack
from tests.e2e.ticket import Ticket

pytestmark = pytest.mark.browser
LIFECYCLE = ["accepted", "queued", "submitted", "processing", "succeeded"]


def principal_of_one_unit(view: dict[str, Any]) -> tuple[str, str]:
    """The first item's code and the price of one unit of it, as the agent would refund it."""
    item = view["items"][0]
    principal = next(c for c in item["components"] if c["type"] == "Principal")
    unit = Decimal(principal["charged"]) / item["quantityOrdered"]
    return item["orderItemCode"], f"{unit:.{view['marketplace']['decimals']}f}"


def refund_one_unit(stack: Stack, ticket: Ticket, order_id: str, name: str) -> dict[str, Any]:
    """Partial refund of one unit's price through the dialog; returns the finished action."""
    view = stack.api("GET", f"/v1/orders/{order_id}").json()
    item_code, amount = principal_of_one_unit(view)
    currency = view["marketplace"]["currency"]
    dialog = ticket.open_dialog("refund")
    assert dialog.wait_for_selector("input[data-spdesk='mode-full']").is_checked()
    dialog.wait_for_selector("input[data-spdesk='mode-partial']").check()
    dialog.wait_for_selector(f"input[data-item='{item_code}'][data-component='Principal']").fill(
        amount
    )
    reason = dialog.wait_for_selector("select[data-spdesk='reason']")
    fee = f"input[data-item='{item_code}'][data-component='RestockingFee']"
    reason.select_option("GeneralAdjustment")
    dialog.wait_for_selector(fee, state="hidden")  # a restocking fee only goes with a return
    reason.select_option("CustomerReturn")
    dialog.wait_for_selector(fee, state="visible")
    confirm = dialog.wait_for_selector("button[data-spdesk='confirm']:not([disabled])")
    label = confirm.text_content() or ""
    assert amount in label and currency in label, label
    ticket.shot(f"{name}-refund-dialog", dialog)
    ticket.record_states(dialog)
    confirm.click()
    assert ticket.wait_state(dialog) == "succeeded", ticket.panel_text()
    states = ticket.states_seen()
    # Live: the agent watched it move through Amazon's stages, in order, not just the end.
    assert states == sorted(states, key=LIFECYCLE.index) and states[-1] == "succeeded", states
    assert {"submitted", "processing"} & set(states), states
    ticket.shot(f"{name}-refund-succeeded", dialog)
    action = stack.actions_of(order_id)[0]
    assert (action["kind"], action["state"], action["total"]) == ("refund", "succeeded", amount)
    assert action["items"][0]["components"] == {"Principal": amount}
    after = stack.api("GET", f"/v1/orders/{order_id}").json()
    assert Decimal(after["totals"]["refundable"]) == (
        Decimal(view["totals"]["refundable"]) - Decimal(amount)
    )
    return action


# (host, saved page, adapter, seeded order, whether the page is served about that order, badges)
TICKETS = [
    ("acme.zendesk.test", "zendesk.html", "zendesk", "us-fbm-unshipped-multi", False, 2),
    ("acme.gorgias.test", "gorgias.html", "gorgias", "us-fbm-shipped", True, 2),
]


@pytest.mark.parametrize(
    ("host", "page_name", "adapter", "label", "swap", "badges"),
    TICKETS,
    ids=[t[2] for t in TICKETS],
)
def test_partial_refund_then_reply(
    stack: Stack,
    chromium: ChromiumSession,
    page: Page,
    host: str,
    page_name: str,
    adapter: str,
    label: str,
    swap: bool,
    badges: int,
) -> None:
    """The agent refunds one unit from the ticket and puts the confirmation into the reply."""
    enable_site(chromium, stack.site_origin(host))
    order_id = stack.order_id(label)
    page.goto(stack.page_url(host, page_name) + (f"?order={order_id}" if swap else ""))
    ticket = Ticket(page, adapter)
    ticket.wait_ready()
    found = ticket.wait_scanned()
    assert found.count(order_id) == badges, found
    ticket.open_panel(order_id)
    ticket.wait_order()
    ticket.shot(f"{adapter}-panel", ticket.panel().wait_for_selector("aside"))
    action = refund_one_unit(stack, ticket, order_id, adapter)
    model = ticket.insert_reply()
    assert action["confirmation"] in model["model"]
    assert action["total"] in model["model"]
    ticket.shot(f"{adapter}-reply-inserted")
    # The panel stepped aside: the agent reviews the reply and can press the helpdesk's Send.
    ticket.assert_uncovered("[data-fixture-send]")
    assert page.locator("[data-fixture-send]").is_enabled()
    # The order's history, one click away on the rail: the refund with its whole timeline.
    ticket.expand_panel()
    entry = ticket.panel().wait_for_selector(
        f"[data-spdesk='history'] li[data-action='{action['id']}'][data-state='succeeded']"
    )
    entry.wait_for_selector("summary").click()
    timeline = entry.wait_for_selector("details[open] ol").inner_text()
    assert len(timeline.splitlines()) == len(action["history"]) and action["confirmation"] in (
        entry.inner_text()
    )


def test_refund_dialog_from_the_keyboard(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """Enter opens, focus starts inside, Tab stays inside, Escape closes and gives focus back;
    every field is labelled and no keystroke reaches the helpdesk's shortcuts."""
    host = "acme.zendesk.test"
    enable_site(chromium, stack.site_origin(host))
    order_id = stack.order_id("us-fbm-partially-shipped")
    page.goto(stack.page_url(host, f"zendesk.html?order={order_id}"))
    page.evaluate(
        "() => { window.__helpdeskKeys = 0; document.addEventListener('keydown', "
        "() => { window.__helpdeskKeys += 1; }); }"
    )
    ticket = Ticket(page, "zendesk")
    ticket.wait_ready()
    ticket.wait_scanned()
    panel = ticket.open_panel(order_id)
    ticket.wait_order()
    focused = "r => r.activeElement?.dataset.spdesk ?? null"
    panel.wait_for_selector("button[data-spdesk='refund']").focus()
    page.keyboard.press("Enter")
    dialog = panel.wait_for_selector("[role='dialog'][aria-modal='true']")
    assert panel.evaluate(focused) == "reason"
    title = dialog.evaluate(
        "d => d.getRootNode().getElementById(d.getAttribute('aria-labelledby'))?.textContent"
    )
    assert order_id in title
    unlabelled = dialog.evaluate("""d => [...d.querySelectorAll("input, select, textarea")]
        .filter(el => !el.closest("[hidden]") && !el.labels?.length
                && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
        .map(el => el.outerHTML)""")
    assert unlabelled == []
    inside = "r => r.querySelector(\"[role='dialog']\").contains(r.activeElement)"
    for _ in range(25):
        page.keyboard.press("Tab")
        assert panel.evaluate(inside)
    page.keyboard.press("Shift+Tab")
    assert panel.evaluate(inside)
    page.keyboard.type("12")  # into whichever field has focus: our keys, not the helpdesk's
    page.keyboard.press("Escape")
    panel.wait_for_selector("[role='dialog']", state="detached")
    assert panel.evaluate(focused) == "refund"
    assert page.evaluate("window.__helpdeskKeys") == 0
