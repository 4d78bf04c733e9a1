"""Shared test setup: every fixture lives in a plugin module under tests/plugins/."""

pytest_plugins = [
    "tests.plugins.sandbox",
    "tests.plugins.companion",
    "tests.plugins.actions",
    "tests.plugins.postgres",
    "tests.plugins.team",
]
