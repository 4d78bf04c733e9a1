"""Reach what Playwright cannot: closed shadow roots and the toolbar popup, over DevTools."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from playwright.sync_api import ElementHandle, Page

from tests.e2e.browsers import ChromiumSession, poll


def closed_shadow_roots(page: Page, host_selector: str) -> list[ElementHandle]:
    """Handles to the closed shadow roots of every element matching `host_selector`.

    The extension's UI lives in closed shadow roots, which page scripts and Playwright's
    selectors cannot enter. The DevTools protocol can: it resolves each root to an object, and
    the returned handles then take ordinary Playwright selectors, clicks and typing.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": 0})
        found = cdp.send(
            "DOM.querySelectorAll",
            {"nodeId": document["root"]["nodeId"], "selector": host_selector},
        )
        roots = []
        for node_id in found["nodeIds"]:
            node = cdp.send("DOM.describeNode", {"nodeId": node_id, "depth": 0, "pierce": True})
            for shadow in node["node"].get("shadowRoots", []):
                remote = cdp.send("DOM.resolveNode", {"backendNodeId": shadow["backendNodeId"]})
                roots.append(remote["object"]["objectId"])
        handles = []
        for object_id in roots:
            cdp.send(
                "Runtime.callFunctionOn",
                {
                    "objectId": object_id,
                    "functionDeclaration": "function () { globalThis.__spdeskE2eRoot = this; }",
                },
            )
            handle = page.evaluate_handle(
                "() => { const r = globalThis.__spdeskE2eRoot; "
                "delete globalThis.__spdeskE2eRoot; return r; }"
            ).as_element()
            assert handle is not None
            handles.append(handle)
        return handles
    finally:
        cdp.detach()


class TargetClosed(Exception):
    """The target (a popup, a page) went away while a command waited for its answer."""


class TargetSession:
    """The DevTools protocol on a target Playwright does not expose (the action popup).

    Chromium opens the toolbar popup outside the tab strip, so it is no Playwright Page. A
    session relayed through a page's CDP session evaluates in it and sends it real mouse input.
    """

    def __init__(self, page: Page, url_suffix: str) -> None:
        self._cdp = page.context.new_cdp_session(page)
        self._replies: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        targets = self._cdp.send("Target.getTargets")["targetInfos"]
        target = next((t for t in targets if t["url"].endswith(url_suffix)), None)
        if target is None:
            self._cdp.detach()
            raise LookupError(f"no target at {url_suffix}")
        attached = self._cdp.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
        )
        self._session = attached["sessionId"]
        self._gone = False
        self._cdp.on("Target.receivedMessageFromTarget", self._received)
        self._cdp.on("Target.detachedFromTarget", self._detached)
        self._page = page

    def _received(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self._replies[message["id"]] = message

    def _detached(self, event: dict[str, Any]) -> None:
        if event.get("sessionId") == self._session:
            self._gone = True

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one protocol command to the target and wait for its reply."""
        number = next(self._ids)
        self._cdp.send(
            "Target.sendMessageToTarget",
            {
                "sessionId": self._session,
                "message": json.dumps({"id": number, "method": method, "params": params or {}}),
            },
        )
        # Replies arrive as events on the page session; page.wait_for_timeout pumps them.
        deadline = time.monotonic() + 10
        while number not in self._replies:
            if self._gone:
                raise TargetClosed(f"the target closed before it answered {method}")
            assert time.monotonic() < deadline, f"no reply to {method}"
            self._page.wait_for_timeout(10)
        reply = self._replies.pop(number)
        assert "error" not in reply, reply
        result: dict[str, Any] = reply["result"]
        return result

    def evaluate(self, expression: str) -> Any:
        """The JSON value of an expression (promises awaited) evaluated in the target."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real (trusted) left click in the middle of the element."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        event = {"x": box[0], "y": box[1], "button": "left", "clickCount": 1}
        self.send("Input.dispatchMouseEvent", {"type": "mousePressed", **event})
        try:
            self.send("Input.dispatchMouseEvent", {"type": "mouseReleased", **event})
        except TargetClosed:
            pass  # the click closed its page (a popup's button that opens something else)

    def text(self, selector: str = "body") -> str:
        """innerText of the first element matching `selector`."""
        found = self.evaluate(f"document.querySelector({json.dumps(selector)})?.innerText")
        return str(found or "")

    def close(self) -> None:
        """Detach from the target."""
        self._cdp.detach()


def open_action_popup(session: ChromiumSession, page: Page) -> TargetSession:
    """Open the toolbar popup for `page` (as a click on the toolbar icon would)."""
    page.bring_to_front()
    assert session.evaluate("() => chrome.action.openPopup().then(() => true)") is True
    manifest = json.loads((session.extension_dir / "manifest.json").read_text())
    popup_url = manifest["action"]["default_popup"]
    return poll(lambda: _attach(page, popup_url), what="the action popup")


def _attach(page: Page, url_suffix: str) -> TargetSession | None:
    try:
        return TargetSession(page, url_suffix)
    except LookupError:
        return None


class ContentWorld:
    """spdesk's content-script world in a tab (an isolated world the page cannot see).

    The DevTools protocol lists each world of a frame as an execution context; the extension's
    has the extension's origin. Tests and benchmarks read what the content script keeps there for
    its own console (`globalThis.spdeskContent`: the scan's figures, its badges).
    """

    def __init__(self, page: Page, extension_origin: str) -> None:
        self._cdp = page.context.new_cdp_session(page)
        contexts: list[dict[str, Any]] = []
        self._cdp.on("Runtime.executionContextCreated", lambda e: contexts.append(e["context"]))
        self._cdp.send("Runtime.enable")
        self._context = poll(
            lambda: next((c for c in contexts if c["origin"] == extension_origin), None),
            what="spdesk's content-script world",
        )

    def evaluate(self, expression: str) -> Any:
        """The JSON value of an expression evaluated in the content-script world."""
        result = self._cdp.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "contextId": self._context["id"],
                "awaitPromise": True,
                "returnByValue": True,
            },
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def close(self) -> None:
        """Detach."""
        self._cdp.detach()
