"""Drive spdesk's side panel in Chromium: the real one beside the tab, over the DevTools protocol.

Chromium shows an extension's side panel in a WebContents of its own, outside the tab strip, so it
is no Playwright page. Like the toolbar popup it is a DevTools target: a session relayed through a
tab's CDP session evaluates in it and sends it trusted mouse and keyboard input. The panel is
opened the way an agent opens it (a click on a badge in the ticket), so what is tested is what the
agent uses: the panel that follows the active tab.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from playwright.sync_api import Page

from tests.e2e.browsers import ARTIFACTS, poll
from tests.e2e.devtools import TargetSession

PANEL_PATH = "src/sidepanel/sidepanel.html"
FINAL_STATES = ("succeeded", "failed", "unknown", "posted")


class SidePanel:
    """The side panel of the window a tab belongs to."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.session = poll(lambda: _attach(page), what="the spdesk side panel")

    def js(self, expression: str) -> Any:
        """The JSON value of an expression evaluated in the panel (promises awaited)."""
        return self.session.evaluate(expression)

    def has(self, selector: str) -> bool:
        """True when an element matches `selector`, shown or not."""
        return bool(self.js(f"!!document.querySelector({json.dumps(selector)})"))

    def wait(self, selector: str, *, timeout: float = 15.0, gone: bool = False) -> None:
        """Wait until an element matches `selector` (or, with `gone`, none does)."""
        poll(
            lambda: self.has(selector) != gone,
            timeout=timeout,
            what=f"{'no ' if gone else ''}{selector} in the side panel; it says {self.text()!r}",
        )

    def text(self, selector: str = "body") -> str:
        """innerText of the first element matching `selector` ("" when there is none)."""
        return str(self.js(f"document.querySelector({json.dumps(selector)})?.innerText ?? ''"))

    def attr(self, selector: str, name: str) -> str | None:
        """An attribute of the first element matching `selector`."""
        found = self.js(
            f"document.querySelector({json.dumps(selector)})?.getAttribute({json.dumps(name)})"
        )
        return None if found is None else str(found)

    def enabled(self, selector: str) -> bool:
        """True when the element exists and is not disabled."""
        found = f"document.querySelector({json.dumps(selector)})"
        return bool(self.js(f"(e => !!e && !e.disabled)({found})"))

    def click(self, selector: str) -> None:
        """A real (trusted) click in the middle of the element, after scrolling it into view."""
        self.wait(selector)
        found = f"document.querySelector({json.dumps(selector)})"
        self.js(f"{found}.scrollIntoView({{block: 'center'}})")
        self.session.click(selector)

    def focus(self, selector: str) -> None:
        """Give an element focus (as Tab would)."""
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")

    def fill(self, selector: str, text: str) -> None:
        """Replace a field's text by typing (trusted input events)."""
        self.click(selector)
        self.js(f"document.querySelector({json.dumps(selector)}).select()")
        self.session.send("Input.insertText", {"text": text})

    def select(self, selector: str, value: str) -> None:
        """Choose an option of a <select> as the agent would (its change event)."""
        self.focus(selector)
        self.js(
            f"(s => {{ s.value = {json.dumps(value)}; "
            "s.dispatchEvent(new Event('change', {bubbles: true})); })"
            f"(document.querySelector({json.dumps(selector)}))"
        )

    def press(self, key: str) -> None:
        """A real key press (Escape, Tab, Enter) on whatever has focus."""
        codes = {"Escape": 27, "Tab": 9, "Enter": 13}
        text = {"Enter": "\r"}.get(key)
        for kind in ("keyDown", "keyUp"):
            event = {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": codes[key]}
            if text and kind == "keyDown":
                event["text"] = text  # what makes Enter activate the focused button
            self.session.send("Input.dispatchKeyEvent", event)

    def order_shown(self, order_id: str, timeout: float = 15.0) -> None:
        """Wait until the panel shows the order view of `order_id`."""
        self.wait(f"[data-spdesk='order'][data-order='{order_id}']", timeout=timeout)

    def wait_state(self, states: tuple[str, ...] = FINAL_STATES, timeout: float = 20.0) -> str:
        """Wait until the open dialog's live status shows one of `states`; returns it."""
        selector = ", ".join(f"[role='dialog'] p.status[data-state='{s}']" for s in states)
        self.wait(selector, timeout=timeout)
        return str(self.js(f"document.querySelector({json.dumps(selector)}).dataset.state"))

    def shot(self, name: str) -> None:
        """Screenshot of the panel into artifacts/e2e/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        data = self.session.send("Page.captureScreenshot", {"format": "png"})["data"]
        (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(data))

    def close(self) -> None:
        """Detach from the panel (it stays open in the browser)."""
        self.session.close()


def _attach(page: Page) -> TargetSession | None:
    try:
        return TargetSession(page, PANEL_PATH)
    except LookupError:
        return None


def panel_url_target_count(page: Page) -> int:
    """How many side panels are open in the browser (one per window that shows one)."""
    cdp = page.context.new_cdp_session(page)
    try:
        targets = cdp.send("Target.getTargets")["targetInfos"]
        return sum(1 for t in targets if t["url"].endswith(PANEL_PATH))
    finally:
        cdp.detach()


def settle_ms(page: Page, ms: int) -> None:
    """Let the browser run for `ms` (a measured pause for what must *not* happen, not a sync)."""
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        page.wait_for_timeout(10)


STATES_RECORDER = """(() => {
  const seen = window.__spdeskStates = [];
  new MutationObserver((records) => {
    for (const r of records) {
      // oldValue keeps states that changed again before this callback ran.
      if (r.oldValue && seen.at(-1) !== r.oldValue) seen.push(r.oldValue);
      const now = r.target.dataset.state;
      if (now && seen.at(-1) !== now) seen.push(now);
    }
  }).observe(document.getElementById("dialogs"), {subtree: true, attributes: true,
    attributeOldValue: true, attributeFilter: ["data-state"]});
  return true;
})()"""


def record_states(panel: SidePanel) -> None:
    """Start noting every state the dialog's status line shows (read by `states_seen`)."""
    panel.js(STATES_RECORDER)


def states_seen(panel: SidePanel) -> list[str]:
    """The states the dialog showed since `record_states`, in order."""
    return list(panel.js("window.__spdeskStates"))


def fill_refund(panel: SidePanel, amounts: dict[tuple[str, str], str], reason: str) -> None:
    """Open the refund dialog and fill a partial refund: `amounts` per (item code, component)."""
    panel.click("[data-spdesk='order'] button[data-spdesk='refund']")
    panel.wait("[role='dialog']")
    if amounts:
        panel.click("input[data-spdesk='mode-partial']")
        for (code, component), amount in amounts.items():
            panel.fill(f"input[data-item='{code}'][data-component='{component}']", amount)
    panel.select("[role='dialog'] select[data-spdesk='reason']", reason)


def confirm(panel: SidePanel) -> str:
    """Click the dialog's confirm button once it is enabled; returns what it said."""
    button = "[role='dialog'] button[data-spdesk='confirm']"
    poll(
        lambda: panel.enabled(button),
        what=f"an enabled confirm button: {panel.text('[role=dialog]')!r}",
    )
    label = panel.text(f"{button} .confirm-main")
    panel.click(button)
    return label


def insert(panel: SidePanel, kind: str, scope: str = "[role='dialog']") -> str:
    """Click "Insert reply" or "Insert internal note"; the content script's answer (its code)."""
    result = f"{scope} [data-spdesk='insert-result']"
    panel.click(f"{scope} button[data-spdesk='insert-{kind}']")
    # The click shows "Putting the text into the helpdesk…" at once; then the truthful outcome.
    poll(
        lambda: (text := panel.text(result)) and not text.startswith("Putting"),
        what=f"the outcome of inserting the {kind}",
    )
    return str(panel.attr(result, "data-result"))
