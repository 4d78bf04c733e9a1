"""Launch Debian's Chromium with an unpacked extension through Playwright, headless."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import BrowserContext, Page, Playwright, Worker

CHROMIUM = Path(os.environ.get("SPDESK_CHROMIUM", "/usr/bin/chromium"))
FIREFOX = Path(os.environ.get("SPDESK_FIREFOX", "/usr/bin/firefox-esr"))
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "e2e"
T = TypeVar("T")

# The fixture helpdesks answer under realistic names, all served from one port on 127.0.0.1.
FIXTURE_HOSTS = (
    "acme.zendesk.test",
    "acme.gorgias.test",
    "acme.freshdesk.test",
    "acme.helpscout.test",
    "mail.google.test",
    "tickets.example.test",
)
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
        stored: dict[str, Any] = self.evaluate("(k) => chrome.storage.local.get(k)", keys)
        return stored

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
        page.evaluate(
            "async (origin) => { const sites = await import('/src/background/sites.js');"
            " await sites.enableSite(origin); }",
            origin,
        )
    finally:
        page.close()


def chromium_args(
    extension_dir: Path, host_map: dict[str, str], public_ports: Iterable[int]
) -> list[str]:
    """Command-line switches for an isolated, quiet Chromium with the extension."""
    public_ports = list(public_ports)
    rules = ", ".join(f"MAP {name} {addr}" for name, addr in host_map.items())
    args = [
        f"--disable-extensions-except={extension_dir}",
        f"--load-extension={extension_dir}",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-features=Translate,MediaRouter,OptimizationHints",
        "--password-store=basic",
        "--use-mock-keychain",
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
def launch_chromium(
    playwright: Playwright,
    extension_dir: Path,
    work_dir: Path,
    *,
    host_map: dict[str, str] | None = None,
    public_ports: Iterable[int] = (),
) -> Iterator[ChromiumSession]:
    """Start Chromium with `extension_dir` loaded; yields once its service worker is up."""
    home = work_dir / "home"
    profile = work_dir / "profile"
    home.mkdir(parents=True, exist_ok=True)
    env: dict[str, str | float | bool] = {
        key: value for key, value in os.environ.items() if key not in {"DISPLAY"}
    }
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache")
    )
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        env=env,
        args=chromium_args(extension_dir, host_map or {}, public_ports),
        viewport={"width": 1280, "height": 900},
        timeout=30_000,
    )
    try:
        worker = (
            context.service_workers[0]
            if context.service_workers
            else context.wait_for_event("serviceworker", timeout=15_000)
        )
        yield ChromiumSession(
            context=context,
            worker=worker,
            extension_id=worker.url.split("/")[2],
            extension_dir=extension_dir,
        )
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


def poll(
    check: Callable[[], T | None],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
    what: str = "condition",
) -> T:
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)  # a polling interval with a deadline, not a synchronisation sleep
