"""Drive a helpdesk ticket page with spdesk on it: its badges, and what the content script saw."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ElementHandle, Page

from tests.e2e.browsers import ARTIFACTS, enable_site, poll, screenshot
from tests.e2e.panel import SidePanel

# spdesk's badges carry no attribute and a tag name that changes with every page load (nothing a
# site could look for); a badge is the element right after the text that ends with an order id.
BADGES = """(orderId) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const next = node.nextSibling;
    const id = (node.data.match(/\\d{3}-\\d{7}-\\d{7}$/) || [])[0];
    if (id && (!orderId || id === orderId) && next && next.nodeType === 1
        && next.localName.includes("-") && !next.childNodes.length) found.push(next);
  }
  return found;
}"""


class Ticket:
    """One helpdesk ticket page with spdesk running on it."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def badges(self, order_id: str | None = None, *, visible: bool = True) -> list[ElementHandle]:
        """spdesk's badges (of one order id), in page order; only those the agent can see."""
        handle = self.page.evaluate_handle(BADGES, order_id)
        found = [p.as_element() for p in handle.get_properties().values()]
        elements = [e for e in found if e is not None]
        return [e for e in elements if not visible or e.evaluate("e => e.checkVisibility()")]

    def badge_ids(self) -> list[str]:
        """Order ids that got a badge the agent can see, in page order."""
        return [str(b.evaluate("b => b.previousSibling.data.slice(-19)")) for b in self.badges()]

    def wait_badges(self, order_id: str, count: int = 1) -> list[str]:
        """Wait until `order_id` has `count` visible badges; the visible badge ids then."""
        poll(
            lambda: len(self.badges(order_id)) >= count,
            what=f"{count} badge(s) for {order_id}; page has {self.badge_ids()}",
        )
        return self.badge_ids()

    def click_badge(self, order_id: str) -> None:
        """A real click on the (first) badge of an order, as the agent does."""
        badge = poll(
            lambda: next(iter(self.badges(order_id)), None), what=f"a badge for {order_id}"
        )
        badge.scroll_into_view_if_needed()
        badge.click()

    def fixture_editor(self) -> dict[str, Any]:
        """The saved page's editor model, as the helpdesk itself reads it."""
        return dict(self.page.evaluate("() => ({...window.fixtureEditor})"))

    def assert_uncovered(self, selector: str) -> None:
        """The page's element at `selector` takes a click at its centre: nothing of ours on top."""
        hit = self.page.locator(selector).evaluate("""(el) => {
          el.scrollIntoView({block: "nearest"});
          const box = el.getBoundingClientRect();
          const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return {ok: top === el || el.contains(top), top: top && top.outerHTML.slice(0, 80)};
        }""")
        assert hit["ok"], f"{selector} is covered by {hit['top']}"

    def shot(self, name: str) -> None:
        """Screenshot of the page into artifacts/e2e/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot(self.page, name)


def open_ticket(
    stack: Any, chromium: Any, page: Page, host: str, name: str, *, order: str | None = None
) -> Ticket:
    """Enable spdesk on the host and load a saved page (about `order`, when given), in front."""
    enable_site(chromium, stack.site_origin(host))
    page.goto(stack.page_url(host, name) + (f"?order={order}" if order else ""))
    page.bring_to_front()  # the side panel follows the active tab
    return Ticket(page)


def show_order(ticket: Ticket, order_id: str, badges: int = 1) -> SidePanel:
    """Click the order's badge as the agent does; the side panel it opens, showing the order."""
    ticket.wait_badges(order_id, badges)
    ticket.click_badge(order_id)
    panel = SidePanel(ticket.page)
    panel.order_shown(order_id)
    return panel
