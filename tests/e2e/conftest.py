"""Fixtures for the browser tests: one stack and one Chromium with spdesk for the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.browsers import (
    FIXTURE_HOST_PATTERN,
    FIXTURE_HOSTS,
    ChromiumSession,
    browsers_available,
    granted_build,
    launch_chromium,
)
from tests.e2e.stack import Stack, build_extension, running_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e drives a browser: mark it so `-m "not browser"` skips it."""
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Sandbox + companion + fixture helpdesk server, shared by every browser test."""
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def extension_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension built from the current sources (dist/chrome, dist/firefox)."""
    return build_extension(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def chromium(stack: Stack, extension_dist: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromiumSession]:
    """Chromium with spdesk loaded, paired with the companion through POST /v1/pair."""
    reason = browsers_available()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("chromium")
    extension = granted_build(extension_dist / "chrome", work, [FIXTURE_HOST_PATTERN])
    with sync_playwright() as playwright, launch_chromium(
            playwright, extension, work, host_map=dict.fromkeys(FIXTURE_HOSTS, "127.0.0.1"),
            public_ports=[stack.site.port]) as session:
        paired = stack.pair(session.origin, "Chromium (e2e)")
        session.set_storage({"companionUrl": stack.companion.url, "token": paired["token"],
                             "pairingId": paired["pairingId"], "agentName": "Anna"})
        yield session


@pytest.fixture
def page(chromium: ChromiumSession) -> Iterator[Page]:
    """A fresh tab, closed after the test."""
    tab = chromium.new_page()
    yield tab
    tab.close()
