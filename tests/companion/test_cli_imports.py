"""The command line imports only the command it runs (start-up time: bench/cli_startup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Run the command in a fresh interpreter, then list the heavy or foreign modules it loaded.
PROBE = """
import json, sys
from companion.cli import main
try:
    main(*sys.argv[1:])
except SystemExit:
    pass
libraries = ("aiohttp", "sp_api", "httpx")
ours = ("spdesk_sandbox", "spdesk_demo", "companion.commands")
found = {m.split(".")[0] for m in sys.modules if m.startswith(libraries)}
found |= {m for m in sys.modules if m.startswith(ours)}
print(json.dumps(sorted(found)))
"""


def loaded(tmp_path: Path, *argv: str) -> list[str]:
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


# What the list of commands needs of the other packages: the small modules their entry points name.
DESCRIPTORS = ["spdesk_demo", "spdesk_demo.command", "spdesk_sandbox", "spdesk_sandbox.command"]


def test_help_imports_no_command(tmp_path: Path) -> None:
    assert loaded(tmp_path, "--help") == DESCRIPTORS


@pytest.mark.parametrize("argv", [("pair", "--list"), ("pair", "--demo", "--list")])
def test_pair_imports_neither_the_server_nor_the_sandbox_nor_the_demo(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    assert loaded(tmp_path, *argv) == [
        "companion.commands",
        "companion.commands.pair",
        "companion.commands.reach",  # urllib and socket only: who answers on the port
    ]


def test_a_command_of_another_package_is_found_by_its_entry_point(tmp_path: Path) -> None:
    found = loaded(tmp_path, "sandbox", "--help")
    assert "spdesk_sandbox.cli" in found and "spdesk_demo.cli" not in found
