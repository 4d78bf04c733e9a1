"""Run the ``spdesk`` command in a child process, as a person at a terminal would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def spdesk(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m companion ARGS`` with ``env``; stdin is closed so nothing can wait for input."""
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
