"""Drive spdesk's UI on a helpdesk page in Chromium: badges, the order panel and its dialogs."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import ElementHandle, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.browsers import ARTIFACTS, screenshot
from tests.e2e.devtools import closed_shadow_roots

FINAL_STATES = ("succeeded", "failed", "unknown", "posted")


class Ticket:
    """One helpdesk ticket page with spdesk running on it."""

    def __init__(self, page: Page, adapter: str) -> None:
        self.page = page
        self.adapter = adapter
        self._panel: ElementHandle | None = None

    def wait_ready(self) -> None:
        """Wait until the content script picked its adapter (it marks <html>)."""
        self.page.wait_for_selector(f"html[data-spdesk='{self.adapter}']", state="attached")

    def badge_ids(self, *, visible: bool = True) -> list[str]:
        """Order ids that got a badge the agent can see (or any badge), in page order."""
        return list(
            self.page.locator("spdesk-badge").evaluate_all(
                "(els, visible) => els.filter(e => !visible || e.checkVisibility())"
                ".map(e => e.dataset.spdeskOrder)",
                visible,
            )
        )

    def wait_scanned(self) -> list[str]:
        """Wait for the initial scan to finish (detect.js records a measure); visible badge ids."""
        self.page.wait_for_function(
            "performance.getEntriesByName('spdesk:scan').length > 0", polling=50
        )
        return self.badge_ids()

    def open_panel(self, order_id: str) -> ElementHandle:
        """Click the badge of an order; returns the panel's shadow root once the order shows."""
        badge = closed_shadow_roots(self.page, f"spdesk-badge[data-spdesk-order='{order_id}']")
        assert badge, f"no badge for {order_id}"
        badge[0].wait_for_selector("button").click()
        panel = self.panel()
        panel.wait_for_selector(f"h2 .oid:text-is('{order_id}')")
        return panel

    def panel(self) -> ElementHandle:
        """The panel's (closed) shadow root."""
        if self._panel is None:
            self.page.wait_for_selector("spdesk-panel", state="attached")
            self._panel = closed_shadow_roots(self.page, "spdesk-panel")[0]
        return self._panel

    def wait_order(self) -> ElementHandle:
        """Wait until the panel shows an order view (not loading, not an error)."""
        return self.panel().wait_for_selector("[data-spdesk='order']")

    def open_dialog(self, action: str) -> ElementHandle:
        """Click Refund or Cancel in the panel; returns the dialog."""
        panel = self.panel()
        panel.wait_for_selector(f"[data-spdesk='order'] button[data-spdesk='{action}']").click()
        return panel.wait_for_selector("[role='dialog']")

    def wait_state(
        self, dialog: ElementHandle, states: tuple[str, ...] = FINAL_STATES, timeout: float = 20.0
    ) -> str:
        """Wait until the dialog's live status shows one of `states`; returns it."""
        selector = ", ".join(f"p.status[data-state='{s}']" for s in states)
        try:
            found = dialog.wait_for_selector(selector, timeout=timeout * 1000)
        except PlaywrightTimeoutError:
            raise AssertionError(
                f"no {states} in the dialog; it says: {dialog.inner_text()!r}"
            ) from None
        assert found is not None
        return str(found.get_attribute("data-state"))

    def record_states(self, dialog: ElementHandle) -> None:
        """Start noting every state the dialog's status line shows (read by `states_seen`)."""
        dialog.evaluate("""(dialog) => {
          const seen = window.__spdeskStates = [];
          new MutationObserver((records) => {
            for (const r of records) {
              // oldValue keeps states that changed again before this callback ran.
              if (r.oldValue && seen.at(-1) !== r.oldValue) seen.push(r.oldValue);
              const now = r.target.dataset.state;
              if (now && seen.at(-1) !== now) seen.push(now);
            }
          }).observe(dialog, {subtree: true, attributes: true, attributeOldValue: true,
                              attributeFilter: ["data-state"]});
        }""")

    def states_seen(self) -> list[str]:
        """The states the dialog showed since `record_states`, in order."""
        return list(self.page.evaluate("window.__spdeskStates"))

    def insert_reply(self) -> dict[str, Any]:
        """Click "Insert reply"; returns the helpdesk editor's model after the change.

        The saved pages mirror their editor's model in `window.fixtureEditor` the way the
        helpdesk itself reads it (its own input, paste and mutation handling).
        """
        before = self.page.evaluate("() => ({...window.fixtureEditor})")
        self.click_insert_reply()
        after = dict(self.page.evaluate("() => ({...window.fixtureEditor})"))
        assert after["changes"] > before["changes"], "the helpdesk never noticed the reply"
        return after

    def click_insert_reply(self) -> None:
        """Click "Insert reply" in the outcome dialog; the panel then steps aside to its rail."""
        dialog = self.panel().wait_for_selector("[role='dialog']")
        dialog.wait_for_selector("button[data-spdesk='insert-reply']").click()
        # Minimised, not closed: the rail shows that the reply went in.
        self.panel().wait_for_selector("[data-spdesk='rail'] [data-result='inserted']")
        assert self.panel().query_selector("[role='dialog']") is None

    def assert_uncovered(self, selector: str) -> None:
        """The page's element at `selector` takes a click at its centre: nothing of ours on top."""
        hit = self.page.locator(selector).evaluate("""(el) => {
          el.scrollIntoView({block: "nearest"});
          const box = el.getBoundingClientRect();
          const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return {ok: top === el || el.contains(top), top: top && top.outerHTML.slice(0, 80)};
        }""")
        assert hit["ok"], f"{selector} is covered by {hit['top']}"

    def expand_panel(self) -> ElementHandle:
        """Show the whole panel again from its rail (as the agent does to read the order)."""
        panel = self.panel()
        panel.wait_for_selector("[data-spdesk='rail'] button[data-spdesk='expand']").click()
        return panel.wait_for_selector("aside")

    def collapse_panel(self) -> None:
        """Minimise the panel to its rail with the header's button."""
        self.panel().wait_for_selector("header button[data-spdesk='collapse']").click()
        self.panel().wait_for_selector("[data-spdesk='rail']")

    def shot(self, name: str, element: ElementHandle | None = None) -> None:
        """Screenshot of an element of our UI (or the whole page) into artifacts/e2e/."""
        if element is None:
            screenshot(self.page, name)
            return
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        element.screenshot(path=ARTIFACTS / f"{name}.png")

    def panel_text(self) -> str:
        """All text of the panel, for assertions on messages."""
        return str(self.panel().evaluate("r => r.querySelector('aside').innerText"))
