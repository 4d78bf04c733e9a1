"""Shared test setup: every fixture lives in a plugin module under tests/plugins/.

Hypothesis runs the same examples on every run and every machine (`derandomize`, no example
database), so a red build is reproducible and a green one means the same thing each time. To
hunt for new failures, run with SPDESK_HYPOTHESIS=hunt (fresh random examples each run; the money
property tests also take SPDESK_HYPOTHESIS_EXAMPLES=N) and keep each failure found as an
``@example`` so it is checked on every run after.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("hunt", derandomize=False, database=None, print_blob=True)
settings.load_profile(os.environ.get("SPDESK_HYPOTHESIS", "ci"))

pytest_plugins = [
    "tests.plugins.sandbox",
    "tests.plugins.companion",
    "tests.plugins.actions",
    "tests.plugins.postgres",
    "tests.plugins.team",
]
