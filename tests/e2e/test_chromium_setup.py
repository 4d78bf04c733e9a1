"""Chromium: pairing through the options page and turning spdesk on and off from the popup."""

from __future__ import annotations

import base64
import socket
from pathlib import Path

import pytest
from playwright.sync_api import Page

from companion.accounts import AccountStore
from companion.config import Settings
from tests.e2e.browsers import ARTIFACTS, ChromiumSession, poll
from tests.e2e.devtools import TargetSession, open_action_popup
from tests.e2e.panel import SidePanel, panel_url_target_count
from tests.e2e.stack import Stack
from tests.e2e.ticket import Ticket
from tests.plugins.companion import start_client, stop_client

pytestmark = pytest.mark.browser


def test_pairing_through_the_options_page(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """A fresh install: the agent types the address and the code `spdesk pair` showed."""
    before = chromium.get_storage(["token"])["token"]
    chromium.set_storage({"token": "", "pairingId": "", "companionUrl": "http://127.0.0.1:9"})
    page.goto(chromium.url("src/options/options.html"))
    page.wait_for_selector("#pair-state[data-kind='warn']")
    page.fill("#companion-url", stack.companion.url)
    page.click("#companion-form button[type='submit']")
    address = stack.companion.url.removeprefix("http://")
    page.fill("#pair-code", "AAAA-AAAA")
    page.click("#pair-form button[type='submit']")
    # No code waits there yet: the refusal names the companion the extension asked.
    page.wait_for_selector("#pair-message[data-kind='error']")
    refused = page.inner_text("#pair-message")
    assert f"No pairing code is waiting at the spdesk companion on {address}" in refused
    code = stack.new_pairing_code()
    page.fill("#pair-code", "AAAA-AAAA")
    page.click("#pair-form button[type='submit']")
    page.wait_for_selector("#pair-message:has-text('wrong or has expired')")
    assert address in page.inner_text("#pair-message")
    page.fill("#pair-code", code.lower())  # as typed, in lower case
    page.click("#pair-form button[type='submit']")
    page.wait_for_selector("#pair-state[data-kind='ok']")
    page.wait_for_selector("#status-accounts li")
    assert "sandbox" in page.inner_text("#status-accounts")
    page.screenshot(path=ARTIFACTS / "options-paired.png", full_page=True)
    stored = chromium.get_storage(["token", "companionUrl"])
    assert stored["companionUrl"] == stack.companion.url
    assert stored["token"].startswith("spd_") and stored["token"] != before


def free_port_below(port: int) -> int:
    """A free port among the nine below ``port`` (so ``port`` is among its candidates)."""
    for below in range(port - 1, port - 10, -1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", below))
            except OSError:
                continue
            return below
    raise AssertionError(f"ports {port - 9}-{port - 1} are all busy")


def test_pairing_finds_the_companion_that_showed_the_code(
    stack: Stack, chromium: ChromiumSession, page: Page, tmp_path: Path
) -> None:
    """The extension points at another port (the demo moved): the page offers the right one."""
    near = free_port_below(stack.companion.server.port)
    near_address, right_address = f"127.0.0.1:{near}", f"127.0.0.1:{stack.companion.server.port}"
    chromium.set_storage({"token": "", "pairingId": "", "companionUrl": f"http://{near_address}"})
    page.goto(chromium.url("src/options/options.html"))
    # Nothing answers at the configured address: the companion nearby is offered.
    page.wait_for_selector(f"#companion-found:has-text('{right_address}')")
    assert "A spdesk companion answers on" in page.inner_text("#companion-found")
    # Another companion starts there, with no code waiting; the code comes from the stack's.
    settings = Settings.for_tests(tmp_path).model_copy(update={"port": near})
    other = stack.loop.run(start_client(settings, AccountStore(settings)))
    try:
        page.click("#check")
        page.wait_for_selector("#companion-found", state="hidden")
        page.fill("#pair-code", stack.new_pairing_code())
        page.click("#pair-form button[type='submit']")
        page.wait_for_selector("#pair-message[data-kind='error']")
        refused = page.inner_text("#pair-message")
        assert f"No pairing code is waiting at the spdesk companion on {near_address}" in refused
        use = f"#pair-found button:has-text('{right_address}')"
        page.wait_for_selector(use)
        assert f"A spdesk companion on {right_address} is waiting" in page.inner_text("#pair-found")
        page.click(use)
        page.wait_for_selector("#pair-state[data-kind='ok']")
    finally:
        stack.loop.run(stop_client(other))
    assert page.input_value("#companion-url") == stack.companion.url
    stored = chromium.get_storage(["token", "companionUrl"])
    assert stored["companionUrl"] == stack.companion.url and stored["token"].startswith("spd_")


def popup_shot(popup: TargetSession, name: str) -> None:
    """Screenshot of the popup through the DevTools protocol (it is not a Playwright page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data = popup.send("Page.captureScreenshot", {"format": "png"})["data"]
    (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(data))


def test_popup_turns_spdesk_on_and_off_for_a_site(
    stack: Stack, chromium: ChromiumSession, page: Page
) -> None:
    """The popup's button registers the site and starts spdesk in the open tab; off undoes it."""
    host = "mail.google.test"
    origin = stack.site_origin(host)
    order_id = stack.order_id("jp-fbm-shipped")
    page.goto(stack.page_url(host, "gmail.html"))
    ticket = Ticket(page)
    assert ticket.badge_ids() == []
    popup = open_action_popup(chromium, page)
    try:
        poll(lambda: origin in popup.text("body"), what="the popup naming the site")
        assert popup.evaluate("document.getElementById('site-toggle').className") != "secondary"
        popup_shot(popup, "popup-site-off")
        popup.click("#site-toggle")
        poll(
            lambda: (
                popup.evaluate("document.getElementById('site-toggle').className") == "secondary"
            ),
            what="the popup to show the site as on",
        )
        popup_shot(popup, "popup-site-on")
    finally:
        popup.close()
    assert origin in chromium.get_storage(["enabledSites"])["enabledSites"]
    assert order_id in ticket.wait_badges(order_id)  # started in the open tab, no reload needed
    page.reload()
    assert order_id in ticket.wait_badges(order_id)  # and registered for the next page loads

    # The popup's other button opens the order panel beside the ticket.
    assert panel_url_target_count(page) == 0
    popup = open_action_popup(chromium, page)
    try:
        poll(lambda: popup.evaluate("!!document.getElementById('open-panel')"), what="the button")
        popup.click("#open-panel")
    finally:
        popup.close()
    panel = SidePanel(page)
    panel.order_shown(order_id)
    panel.close()

    popup = open_action_popup(chromium, page)
    try:
        poll(
            lambda: (
                popup.evaluate("document.getElementById('site-toggle').className") == "secondary"
            ),
            what="the popup to show the site as on",
        )
        popup.click("#site-toggle")
        poll(
            lambda: origin not in chromium.get_storage(["enabledSites"])["enabledSites"],
            what="the site to be forgotten",
        )
    finally:
        popup.close()
    poll(lambda: ticket.badge_ids() == [], what="the badges to go")
    scripts = chromium.evaluate("() => chrome.scripting.getRegisteredContentScripts()")
    assert not [s["id"] for s in scripts if host in s["id"]]
