"""Firefox (firefox-esr over WebDriver BiDi): the badge, pairing, and the order panel at work.

Firefox does not let a click in a page open the extension's sidebar (sidebarAction.open needs a
click on the browser's or the extension's own UI): the badge says how to open it instead. BiDi
cannot reach the sidebar itself, so the driver opens the same page as a tab pinned to the ticket's
tab (`sidepanel.html?tabId=N`), which follows that tab's ticket as the sidebar follows the active
tab. One Firefox run covers every item; each test below checks one of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsers import ARTIFACTS, FIREFOX, FIXTURE_HOST_PATTERN, FIXTURE_HOSTS, REPO
from tests.e2e.stack import Stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DRIVER = REPO / "tests" / "e2e" / "firefox"
GECKO_ID = "spdesk@spdesk.dev"
# Pinned so the add-on's Origin (moz-extension://UUID) is known before it is installed.
UUID = "5d0f2c3e-8a1b-4c6d-9e7f-0a1b2c3d4e5f"
NAVIGATION = ["113-4820571-0038214", "203-6620948-3315790", "114-7395082-5521640"]


def firefox_build(dist: Path, work: Path) -> Path:
    """The Firefox package with spdesk already on for the fixture hosts.

    WebDriver BiDi cannot open the toolbar popup or navigate to moz-extension:// pages, so the
    popup's "enable on this site" cannot be clicked here. The test build declares the same
    content script statically for the fixture hosts instead (Chromium covers the popup).
    """
    target = work / "firefox"
    shutil.copytree(dist, target)
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest.setdefault("host_permissions", []).append(FIXTURE_HOST_PATTERN)
    manifest["content_scripts"] = [
        {
            "matches": [FIXTURE_HOST_PATTERN],
            "js": ["src/content/main.js"],
            "run_at": "document_idle",
        }
    ]
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return target


def run_driver(config: dict[str, Any]) -> dict[str, Any]:
    """Run the puppeteer-core script; it prints one JSON object describing what it saw."""
    try:
        done = subprocess.run(
            ["node", str(DRIVER / "sidebar.mjs"), json.dumps(config)],
            cwd=DRIVER,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
            env={**os.environ, "HOME": config["home"]},
        )
    except subprocess.TimeoutExpired as stuck:
        raise AssertionError(f"the Firefox driver did not finish: {stuck.stderr!r}") from None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"driver said nothing (exit {done.returncode}): {done.stderr[-2000:]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "firefox-driver.json").write_text(lines[-1])  # the whole story, for a failure
    return dict(json.loads(lines[-1]))


def scenario(stack: Stack, extension_dist: Path, work: Path) -> dict[str, Any]:
    """What the driver does, with the orders and pages of this stack."""
    order_id = stack.order_id("uk-fbm-shipped")
    view = stack.api("GET", f"/v1/orders/{order_id}").json()
    item = view["items"][0]
    principal = next(c for c in item["components"] if c["type"] == "Principal")
    home = work / "home"
    home.mkdir()
    page = stack.page_url
    hidden = stack.order_id("us-fbm-shipped")
    hostile = stack.order_id("us-fbm-shipped-partly-refunded")
    return {
        "firefox": str(FIREFOX),
        "geckoId": GECKO_ID,
        "uuid": UUID,
        "home": str(home),
        "extensionDir": str(firefox_build(extension_dist / "firefox", work)),
        "hosts": list(FIXTURE_HOSTS),
        "companionUrl": stack.companion.url,
        "pairingCode": stack.new_pairing_code(),
        "agentName": "Anna",
        "artifacts": str(ARTIFACTS),
        "refund": {
            "host": "acme.zendesk.test",
            "url": page("acme.zendesk.test", f"zendesk.html?order={order_id}"),
            "orderId": order_id,
            "itemCode": item["orderItemCode"],
            "amount": f"{Decimal(principal['charged']) / item['quantityOrdered'] / 2:.2f}",
        },
        "navigation": {
            "url": page("acme.zendesk.test", "navigation.html?ticket=1"),
            "orders": [*NAVIGATION[:2], NAVIGATION[2], "305-9913402-7760318"],
        },
        "hidden": {
            "url": page("acme.zendesk.test", f"hidden-editor.html?order={hidden}"),
            "orderId": hidden,
        },
        "hostile": {
            "url": page("acme.zendesk.test", f"hostile.html?order={hostile}"),
            "orderId": hostile,
        },
        "sizes": {"url": page("acme.zendesk.test", "zendesk.html")},
    }


@pytest.fixture(scope="module")
def firefox_run(
    stack: Stack, extension_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """One Firefox session through every item: (its config, what it saw)."""
    if not FIREFOX.exists():
        pytest.skip(f"{FIREFOX} is missing (packaging/bootstrap.sh test installs it)")
    if not (DRIVER / "node_modules" / "puppeteer-core").is_dir():
        pytest.skip("puppeteer-core is missing: packaging/bootstrap.sh test installs it")
    config = scenario(stack, extension_dist, tmp_path_factory.mktemp("firefox"))
    seen = run_driver(config)
    assert seen["ok"], f"see artifacts/e2e/firefox-driver.json: {seen.get('error')}"
    yield config, seen


def test_a_badge_click_says_how_to_open_the_sidebar(
    firefox_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Firefox refuses sidebarAction.open from a page's click: the badge names the shortcut."""
    _, seen = firefox_run
    assert "Alt+Shift+S" in seen["hint"] and "toolbar button" in seen["hint"], seen["hint"]
    assert any(s["name"] == "options opened by the install" for s in seen["steps"])


def test_partial_refund_and_reply_from_the_panel(
    firefox_run: tuple[dict[str, Any], dict[str, Any]], stack: Stack
) -> None:
    """The badge's order in the panel → partial refund → succeeded → reply in the helpdesk."""
    config, seen = firefox_run
    order = config["refund"]
    assert order["orderId"] in seen["confirmOrder"], "the confirmation names the order"
    assert order["amount"] in seen["confirmLabel"] and "GBP" in seen["confirmLabel"]
    assert seen["finalState"] == "succeeded", seen["statusText"]
    action = next(a for a in stack.actions_of(order["orderId"]) if a["kind"] == "refund")
    assert (action["state"], action["total"], action["currency"]) == (
        "succeeded",
        order["amount"],
        "GBP",
    )
    assert action["ticketUrl"] == order["url"] and action["agent"] == "Anna"
    assert seen["namesAsked"] == 1, "the first action asked for the agent's name, only that one"
    assert seen["replyResult"] == "inserted"
    assert seen["editorAfter"]["changes"] > seen["editorBefore"]["changes"]
    assert action["confirmation"] in seen["editorAfter"]["model"], seen["editorAfter"]["model"]
    assert seen["sendUncovered"], "something covers the helpdesk's Send button"


def test_the_panel_follows_pjax_pushstate_popstate_and_hash(
    firefox_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """A ticket swapped without a page load: the panel follows and drops the unsent dialog."""
    _, seen = firefox_run
    assert seen["navigation"]["followed"]
    assert seen["navigation"]["dialogAfterPjax"] is False
    assert "nothing was sent" in seen["navigation"]["notice"]


def test_a_hidden_reply_box_is_opened_and_checked(
    firefox_run: tuple[dict[str, Any], dict[str, Any]], stack: Stack
) -> None:
    """The hidden editor is opened with the helpdesk's button; without it, no false success."""
    config, seen = firefox_run
    hidden = seen["hidden"]
    assert hidden["state"] == "succeeded"
    action = next(a for a in stack.actions_of(config["hidden"]["orderId"]) if a["kind"] == "refund")
    assert hidden["reply"] == "inserted" and "opened the reply box" in hidden["replyText"]
    assert hidden["editor"]["opened"] == 1 and action["confirmation"] in hidden["editor"]["value"]
    assert hidden["note"] == "inserted" and action["confirmation"] in hidden["noteValue"]
    assert hidden["withoutButton"] == "editor_hidden" and hidden["after"] == hidden["before"]


def test_a_hostile_page_moves_no_money(
    firefox_run: tuple[dict[str, Any], dict[str, Any]], stack: Stack
) -> None:
    """Hostile CSS, a click decoy and a script attacking the badge: nothing starts or confirms."""
    config, seen = firefox_run
    hostile = seen["hostile"]
    assert hostile["badgeVisible"], "page CSS hid the badge"
    assert hostile["decoyClicks"] == hostile["clicks"], "every click landed on the decoy"
    assert hostile["dialogOpen"] is False
    assert stack.actions_of(config["hostile"]["orderId"]) == [], "no money moved"


def test_nothing_covers_send_at_two_window_sizes(
    firefox_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """elementFromPoint on the helpdesk's Send button at 1366×768 and 1920×1080."""
    _, seen = firefox_run
    assert seen["sizes"] == {"1366x768": True, "1920x1080": True}
