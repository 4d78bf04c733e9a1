"""Launch Debian's Chromium with an unpacked extension through Playwright, headless."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import BrowserContext, ElementHandle, Page, Playwright, Worker

CHROMIUM = Path(os.environ.get("SPDESK_CHROMIUM", "/usr/bin/chromium"))
FIREFOX = Path(os.environ.get("SPDESK_FIREFOX", "/usr/bin/firefox-esr"))
REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "extension" / "dist"
ARTIFACTS = REPO / "artifacts" / "e2e"
T = TypeVar("T")

# The fixture helpdesks answer under realistic names, all served from one port on 127.0.0.1.
FIXTURE_HOSTS = ("acme.zendesk.test", "acme.gorgias.test", "acme.freshdesk.test",
                 "acme.helpscout.test", "mail.google.test", "tickets.example.test")
FIXTURE_HOST_PATTERN = "http://*.test/*"


def browsers_available() -> str | None:
    """Say why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (packaging/bootstrap.sh test installs it)"
    return None


def granted_build(dist: Path, work_dir: Path, extra_hosts: Iterable[str] = ()) -> Path:
    """Copy a built extension and add host permissions, the way an agent grants them.

    Chromium cannot click a permission prompt headless. An unpacked extension is granted every
    host in `host_permissions` at install, and `permissions.request` for an origin it already
    holds resolves true without a prompt, so the extension's own "enable on this site" path
    runs unchanged. The `key` is kept, so the extension id stays the pinned one.
    """
    target = work_dir / dist.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(dist, target)
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    hosts = manifest.setdefault("host_permissions", [])
    for host in extra_hosts:
        if host not in hosts:
            hosts.append(host)
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return target


@dataclass
class ChromiumSession:
    """A running Chromium with one extension loaded."""

    context: BrowserContext
    worker: Worker
    extension_id: str
    extension_dir: Path

    @property
    def origin(self) -> str:
        """The Origin the companion sees from the extension's service worker."""
        return f"chrome-extension://{self.extension_id}"

    def url(self, path: str) -> str:
        """URL of a page inside the extension."""
        return f"{self.origin}/{path.lstrip('/')}"

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Run a function expression in the service worker, re-attaching if it was restarted."""
        return self._current_worker().evaluate(expression, arg)

    def set_storage(self, values: dict[str, Any]) -> None:
        """Write keys into the extension's storage.local from the service worker."""
        self.evaluate("(v) => chrome.storage.local.set(v)", values)

    def get_storage(self, keys: list[str] | None = None) -> dict[str, Any]:
        """Read keys (all when None) from storage.local."""
        return self.evaluate("(k) => chrome.storage.local.get(k)", keys)

    def new_page(self) -> Page:
        """Open a fresh tab."""
        return self.context.new_page()

    def _current_worker(self) -> Worker:
        # An MV3 worker may be stopped and restarted by Chromium; follow the live one.
        for worker in self.context.service_workers:
            if worker.url.startswith(self.origin):
                self.worker = worker
                return worker
        return self.worker


def enable_site(session: ChromiumSession, origin: str) -> None:
    """Turn spdesk on for a site through the extension's own enableSite code path.

    The popup's button does the same after its permission request (one test clicks it); here
    an extension page imports the module and calls it, with no prompt to answer.
    """
    page = session.new_page()
    try:
        page.goto(session.url("src/options/options.html"))
        page.evaluate("async (origin) => { const sites = await import('/src/background/sites.js');"
                      " await sites.enableSite(origin); }", origin)
    finally:
        page.close()


def chromium_args(extension_dir: Path, host_map: dict[str, str],
                  public_ports: Iterable[int]) -> list[str]:
    """Command-line switches for an isolated, quiet Chromium with the extension."""
    public_ports = list(public_ports)
    rules = ", ".join(f"MAP {name} {addr}" for name, addr in host_map.items())
    args = [
        f"--disable-extensions-except={extension_dir}",
        f"--load-extension={extension_dir}",
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--no-first-run", "--no-default-browser-check",
        "--disable-features=Translate,MediaRouter,OptimizationHints",
        "--password-store=basic", "--use-mock-keychain",
    ]
    if rules:
        args.append(f"--host-resolver-rules={rules}")
    # Fixture pages stand in for hosted helpdesks, which are public websites: mark their port as
    # public address space so Local Network Access treats them like the real thing.
    overrides = ",".join(f"127.0.0.1:{port}=public" for port in public_ports)
    if overrides:
        args.append(f"--ip-address-space-overrides={overrides}")
    # Hosted helpdesks are HTTPS pages, i.e. secure contexts (crypto.randomUUID, clipboard);
    # the fixture pages are plain HTTP, so they are declared secure the same way.
    secure = ",".join(f"http://{name}:{port}" for name in host_map for port in public_ports)
    if secure:
        args.append(f"--unsafely-treat-insecure-origin-as-secure={secure}")
    return args


@contextmanager
def launch_chromium(playwright: Playwright, extension_dir: Path, work_dir: Path, *,
                    host_map: dict[str, str] | None = None,
                    public_ports: Iterable[int] = ()) -> Iterator[ChromiumSession]:
    """Start Chromium with `extension_dir` loaded; yields once its service worker is up."""
    home = work_dir / "home"
    profile = work_dir / "profile"
    home.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in {"DISPLAY"}}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"))
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, env=env,
        args=chromium_args(extension_dir, host_map or {}, public_ports),
        viewport={"width": 1280, "height": 900}, timeout=30_000)
    try:
        worker = (context.service_workers[0] if context.service_workers
                  else context.wait_for_event("serviceworker", timeout=15_000))
        yield ChromiumSession(context=context, worker=worker,
                              extension_id=worker.url.split("/")[2], extension_dir=extension_dir)
    finally:
        context.close()


def screenshot(target: Page, name: str, selector: str | None = None) -> Path:
    """Save a PNG of the page (or of one element) under artifacts/e2e/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if selector:
        target.locator(selector).first.screenshot(path=path)
    else:
        target.screenshot(path=path)
    return path


def closed_shadow_roots(page: Page, host_selector: str) -> list[ElementHandle]:
    """Handles to the closed shadow roots of every element matching `host_selector`.

    The extension's UI lives in closed shadow roots, which page scripts and Playwright's
    selectors cannot enter. The DevTools protocol can: it resolves each root to an object, and
    the returned handles then take ordinary Playwright selectors, clicks and typing.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": 0})
        found = cdp.send("DOM.querySelectorAll", {"nodeId": document["root"]["nodeId"],
                                                  "selector": host_selector})
        roots = []
        for node_id in found["nodeIds"]:
            node = cdp.send("DOM.describeNode", {"nodeId": node_id, "depth": 0, "pierce": True})
            for shadow in node["node"].get("shadowRoots", []):
                remote = cdp.send("DOM.resolveNode", {"backendNodeId": shadow["backendNodeId"]})
                roots.append(remote["object"]["objectId"])
        handles = []
        for object_id in roots:
            cdp.send("Runtime.callFunctionOn", {
                "objectId": object_id,
                "functionDeclaration": "function () { globalThis.__spdeskE2eRoot = this; }"})
            handle = page.evaluate_handle(
                "() => { const r = globalThis.__spdeskE2eRoot; "
                "delete globalThis.__spdeskE2eRoot; return r; }").as_element()
            assert handle is not None
            handles.append(handle)
        return handles
    finally:
        cdp.detach()


def poll(check: Callable[[], T | None], *, timeout: float = 10.0, interval: float = 0.05,
         what: str = "condition") -> T:
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)  # a polling interval with a deadline, not a synchronisation sleep


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
        target = next(t for t in targets if t["url"].endswith(url_suffix))
        attached = self._cdp.send("Target.attachToTarget",
                                  {"targetId": target["targetId"], "flatten": False})
        self._session = attached["sessionId"]
        self._cdp.on("Target.receivedMessageFromTarget", self._received)
        self._page = page

    def _received(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self._replies[message["id"]] = message

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one protocol command to the target and wait for its reply."""
        number = next(self._ids)
        self._cdp.send("Target.sendMessageToTarget", {"sessionId": self._session, "message":
                       json.dumps({"id": number, "method": method, "params": params or {}})})
        # Replies arrive as events on the page session; page.wait_for_timeout pumps them.
        deadline = time.monotonic() + 10
        while number not in self._replies:
            assert time.monotonic() < deadline, f"no reply to {method}"
            self._page.wait_for_timeout(10)
        reply = self._replies.pop(number)
        assert "error" not in reply, reply
        return reply["result"]

    def evaluate(self, expression: str) -> Any:
        """The JSON value of an expression (promises awaited) evaluated in the target."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real (trusted) left click in the middle of the element."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

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
    except StopIteration:
        return None
