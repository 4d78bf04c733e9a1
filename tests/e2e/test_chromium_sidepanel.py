"""Chromium: the side panel follows the ticket, the page cannot move money, the helpdesk is free.

The side panel is the browser's own (chrome.sidePanel), opened by the agent's click on a badge or
by the toolbar popup's button, and driven over the DevTools protocol like a person would use it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.browsers import ChromiumSession, poll
from tests.e2e.devtools import open_action_popup
from tests.e2e.panel import SidePanel, confirm, fill_refund, insert, panel_url_target_count
from tests.e2e.stack import Stack
from tests.e2e.ticket import open_ticket, show_order

pytestmark = pytest.mark.browser
HOST = "tickets.example.test"  # an unknown helpdesk: the generic adapter
ORDERS = {
    1: "113-4820571-0038214",
    2: "203-6620948-3315790",
    3: "114-7395082-5521640",
    4: "305-9913402-7760318",
}
NOTICE = "[data-spdesk='notice']"


def test_a_scripted_page_cannot_open_or_drive_the_panel_nor_move_money(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """Hostile CSS hides what extensions add, a transparent decoy takes every click, a script
    clicks and messages whatever spdesk adds: the badge stays visible, nothing opens, nothing
    is refunded; the agent's own panel is out of the page's reach."""
    order_id = stack.order_id("us-fbm-shipped")
    ticket = open_ticket(stack, chromium, page, HOST, "hostile.html")
    badge = poll(lambda: next(iter(ticket.badges(order_id)), None), what="the badge")
    poll(lambda: page.evaluate("window.fixtureHostile.attempts") > 0, what="the page's attacks")
    # `!important` in the badge's own shadow root beats the page's `!important`.
    assert badge.evaluate("b => getComputedStyle(b).opacity") == "1"
    assert badge.evaluate("b => b.checkVisibility()")
    # The agent clicks all over the page and presses Enter: every click lands on the decoy.
    size = page.viewport_size or {"width": 1280, "height": 900}
    points = [(x, y) for x in range(40, size["width"], 160) for y in range(40, size["height"], 120)]
    for x, y in points:
        page.mouse.click(x, y)
    page.keyboard.press("Enter")
    assert page.evaluate("window.fixtureHostile.clicks") == len(points)
    assert panel_url_target_count(page) == 0, "nothing the page did opened spdesk's panel"
    # The agent opens the panel from the toolbar; the page keeps attacking meanwhile.
    popup = open_action_popup(chromium, page)
    try:
        popup.click("#open-panel")
    finally:
        popup.close()
    panel = SidePanel(page)
    panel.order_shown(order_id)
    fill_refund(panel, {}, "CustomerReturn")
    for x, y in points[:10]:
        page.mouse.click(x, y)
    page.keyboard.press("Enter")
    assert panel.has("[role='dialog'] button[data-spdesk='confirm']"), "still waiting for the agent"
    assert panel.attr("[role='dialog'] [data-spdesk='status']", "data-state") is None
    assert stack.actions_of(order_id) == [], "no money moved"
    ticket.shot("hostile-page")
    panel.press("Escape")
    panel.close()


def test_the_panel_follows_pjax_pushstate_popstate_and_hash_and_drops_an_unsent_dialog(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """Ticket to ticket without a page load: the panel shows each ticket's order; a refund
    dialog opened for one ticket is closed, unsent, when the agent moves to another."""
    ticket = open_ticket(stack, chromium, page, HOST, "navigation.html?ticket=1")
    panel = show_order(ticket, ORDERS[1])
    fill_refund(panel, {}, "CustomerReturn")
    page.click("#to-2")  # pjax: the ticket's HTML is swapped in, then pushState
    panel.order_shown(ORDERS[2])
    panel.wait("[role='dialog']", gone=True)
    assert "nothing was sent" in panel.text(NOTICE)
    fill_refund(panel, {}, "CustomerReturn")
    page.click("#to-3")  # a router: pushState first, the view a frame later
    panel.order_shown(ORDERS[3])
    panel.wait("[role='dialog']", gone=True)
    page.go_back()  # popstate
    panel.order_shown(ORDERS[2])
    page.click("#to-4")  # a hash link
    panel.order_shown(ORDERS[4])
    # The ticket's order disappears from the page: the panel says so instead of showing it.
    page.evaluate("document.querySelector('article').remove()")
    panel.wait("[data-spdesk='empty'][data-why='noOrderOnTicket']")
    assert [stack.actions_of(o) for o in ORDERS.values()] == [[], [], [], []]
    panel.close()


def test_the_panel_follows_the_active_tab(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """Two tickets in two tabs and a tab without spdesk: the panel shows what is in front."""
    ticket = open_ticket(stack, chromium, page, HOST, "navigation.html?ticket=3")
    panel = show_order(ticket, ORDERS[3])
    other = chromium.new_page()
    try:
        open_ticket(stack, chromium, other, "acme.zendesk.test", "zendesk.html", order=ORDERS[1])
        panel.order_shown(ORDERS[1])
        blank = chromium.new_page()
        blank.bring_to_front()
        panel.wait("[data-spdesk='empty'][data-why='noSpdeskHere']")
        blank.close()
        page.bring_to_front()
        panel.order_shown(ORDERS[3])
    finally:
        other.close()
    panel.close()


def test_a_hidden_reply_box_is_opened_and_the_reply_checked_never_a_false_success(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """The helpdesk keeps its editor in a class-hidden box and empties it when it opens it:
    spdesk opens it with the helpdesk's own Reply button, inserts, and checks the text stayed.
    Without a button it knows, it says the box is closed and changes nothing."""
    order_id = stack.order_id("us-fbm-shipped")
    ticket = open_ticket(stack, chromium, page, HOST, "hidden-editor.html", order=order_id)
    panel = show_order(ticket, order_id)
    fill_refund(panel, {}, "CustomerReturn")
    confirm(panel)
    assert panel.wait_state() == "succeeded", panel.text("[role='dialog']")
    action = stack.actions_of(order_id)[0]
    result = "[role='dialog'] [data-spdesk='insert-result']"
    assert insert(panel, "reply") == "inserted"
    assert "spdesk opened the reply box" in panel.text(result)
    editor = ticket.fixture_editor()
    assert editor["opened"] == 1 and action["confirmation"] in editor["model"]
    assert action["confirmation"] in page.input_value("#reply"), "still there after the reset"
    ticket.assert_uncovered("[data-fixture-send]")
    assert insert(panel, "note") == "inserted"
    assert "internal note" in panel.text(result)
    assert action["confirmation"] in page.input_value("#note")
    assert "spdesk: refund" not in page.input_value("#reply"), "the note never goes to the buyer"
    # A helpdesk whose Reply button spdesk does not know: the box stays closed, nothing is
    # inserted, and the panel says so.
    page.evaluate(
        "() => { document.querySelector('.toolbar').remove();"
        " document.getElementById('reply-box').classList.add('collapsed'); }"
    )
    before = page.input_value("#reply")
    assert insert(panel, "reply") == "editor_hidden"
    assert "reply box is closed" in panel.text(result)
    assert page.input_value("#reply") == before
    panel.close()


def test_a_list_re_rendered_twice_keeps_live_badges_and_no_dead_copies(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """The helpdesk copies its list (badges included) into a new one, twice 25 ms apart."""
    ticket = open_ticket(stack, chromium, page, HOST, "rerender.html")
    ticket.wait_badges(ORDERS[1])
    ticket.wait_badges(ORDERS[3])
    tag = ticket.badges(ORDERS[1])[0].evaluate("b => b.localName")
    page.click("#refresh")
    poll(lambda: page.evaluate("window.fixtureRerender.done") == 1, what="both re-renders")

    def live_badges() -> bool:
        kinds = page.evaluate(
            """(tag) => [...document.getElementsByTagName(tag)].map((el) => {
                 try { el.attachShadow({mode: "open"}); return "dead copy"; }
                 catch { return "live"; } })""",
            tag,
        )
        return bool(kinds == ["live", "live"])

    poll(live_badges, what="one live badge per order and no dead copy")
    assert sorted(ticket.badge_ids()) == sorted([ORDERS[1], ORDERS[3]])


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_nothing_of_spdesk_covers_the_helpdesk(
    stack: Stack, chromium: ChromiumSession, page: Page, size: tuple[int, int]
) -> None:
    """With the side panel open and a refund dialog in it, the reply box, Send and the ticket's
    sidebar take the agent's clicks: spdesk puts nothing over the page but its inline badges."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    order_id = stack.order_id("us-fbm-unshipped-multi")
    ticket = open_ticket(stack, chromium, page, "acme.zendesk.test", "zendesk.html")
    panel = show_order(ticket, order_id, 2)
    fill_refund(panel, {}, "CustomerReturn")
    for selector in (
        "[data-fixture-send]",
        ".ProseMirror",
        "aside[data-test-id='ticket-properties'] #requester",
    ):
        ticket.assert_uncovered(selector)
    ticket.shot(f"zendesk-{size[0]}x{size[1]}-with-panel")
    panel.press("Escape")
    panel.close()
