"""Fixtures for the browser tests: the running stack and a Chromium with spdesk, per module."""

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


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Sandbox + companion + fixture helpdesk server, fresh for each test module.

    Per module, not per session: the companion's background work (feed and Finances polling)
    must not outlive the browser tests, since python-amazon-sp-api caches access tokens per
    process and another sandbox's tests would be handed this sandbox's token.
    """
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def extension_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension built from the current sources (dist/chrome, dist/firefox)."""
    return build_extension(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def chromium(
    stack: Stack, extension_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ChromiumSession]:
    """Chromium with spdesk loaded, paired with the companion through POST /v1/pair.

    One browser per test module: Playwright's sync API keeps its event loop marked as running
    while it is open, which would stop pytest-asyncio's tests in the modules that follow.
    """
    reason = browsers_available()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("chromium")
    extension = granted_build(extension_dist / "chrome", work, [FIXTURE_HOST_PATTERN])
    with (
        sync_playwright() as playwright,
        launch_chromium(
            playwright,
            extension,
            work,
            host_map=dict.fromkeys(FIXTURE_HOSTS, "127.0.0.1"),
            public_ports=[stack.site.port],
        ) as session,
    ):
        paired = stack.pair(session.origin, "Chromium (e2e)")
        session.set_storage(
            {
                "companionUrl": stack.companion.url,
                "token": paired["token"],
                "pairingId": paired["pairingId"],
                "agentName": "Anna",
            }
        )
        yield session


@pytest.fixture
def page(chromium: ChromiumSession) -> Iterator[Page]:
    """A fresh tab, closed after the test."""
    tab = chromium.new_page()
    yield tab
    tab.close()
