"""Firefox (firefox-esr over WebDriver BiDi): pair in the options page, then the refund path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsers import ARTIFACTS, FIREFOX, FIXTURE_HOST_PATTERN, FIXTURE_HOSTS, REPO
from tests.e2e.stack import Stack

pytestmark = pytest.mark.browser

DRIVER = REPO / "tests" / "e2e" / "firefox"
GECKO_ID = "spdesk@spdesk.dev"
# Pinned so the add-on's Origin (moz-extension://UUID) is known before it is installed.
UUID = "5d0f2c3e-8a1b-4c6d-9e7f-0a1b2c3d4e5f"


def firefox_build(dist: Path, work: Path) -> Path:
    """The Firefox package with spdesk already on for the fixture hosts.

    WebDriver BiDi cannot open the toolbar popup or navigate to moz-extension:// pages, so the
    popup's "enable on this site" cannot be clicked here. The test build declares the same
    content-script entry statically for the fixture hosts instead (Chromium covers the popup).
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
    done = subprocess.run(
        ["node", str(DRIVER / "refund.mjs"), json.dumps(config)],
        cwd=DRIVER,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
        env={**os.environ, "HOME": config["home"]},
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"driver said nothing (exit {done.returncode}): {done.stderr[-2000:]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "firefox-driver.json").write_text(lines[-1])  # the whole story, for a failure
    return dict(json.loads(lines[-1]))


@pytest.fixture(scope="module")
def firefox_ready() -> None:
    """Skip with the fix when firefox-esr or puppeteer-core is missing."""
    if not FIREFOX.exists():
        pytest.skip(f"{FIREFOX} is missing (packaging/bootstrap.sh test installs it)")
    if not (DRIVER / "node_modules" / "puppeteer-core").is_dir():
        pytest.skip("puppeteer-core is missing: packaging/bootstrap.sh test installs it")


def test_refund_path_in_firefox(
    firefox_ready: None, stack: Stack, extension_dist: Path, tmp_path: Path
) -> None:
    """Detect → not paired → pair in options → order → partial refund → succeeded → reply."""
    order_id = stack.order_id("uk-fbm-shipped")
    view = stack.api("GET", f"/v1/orders/{order_id}").json()
    item = view["items"][0]
    principal = next(c for c in item["components"] if c["type"] == "Principal")
    amount = f"{Decimal(principal['charged']) / item['quantityOrdered'] / 2:.2f}"
    home = tmp_path / "home"
    home.mkdir()
    seen = run_driver(
        {
            "firefox": str(FIREFOX),
            "geckoId": GECKO_ID,
            "uuid": UUID,
            "home": str(home),
            "extensionDir": str(firefox_build(extension_dist / "firefox", tmp_path)),
            "hosts": list(FIXTURE_HOSTS),
            "adapter": "zendesk",
            "ticketUrl": stack.page_url("acme.zendesk.test", f"zendesk.html?order={order_id}"),
            "companionUrl": stack.companion.url,
            "pairingCode": stack.new_pairing_code(),
            "orderId": order_id,
            "itemCode": item["orderItemCode"],
            "amount": amount,
            "artifacts": str(ARTIFACTS),
        }
    )
    assert seen["ok"], f"see artifacts/e2e/firefox-driver.json: {seen.get('error')}"
    assert order_id in seen["badges"]
    assert seen["unpairedCode"] == "not_paired"
    assert f"moz-extension://{UUID}/" in next(
        s["url"] for s in seen["steps"] if s["name"] == "options opened"
    )
    assert amount in seen["confirmLabel"] and "GBP" in seen["confirmLabel"]
    assert seen["finalState"] == "succeeded", seen["statusText"]
    action = stack.actions_of(order_id)[0]
    assert (action["state"], action["total"], action["currency"]) == ("succeeded", amount, "GBP")
    assert seen["editorAfter"]["changes"] > seen["editorBefore"]["changes"]
    assert seen["sendUncovered"], "the panel still covers the helpdesk's Send button"
    assert action["confirmation"] in seen["editorAfter"]["model"], (
        "Insert reply said 'inserted' but the helpdesk's editor model lacks the reply: "
        f"{seen['editorAfter']['model']!r}"
    )
