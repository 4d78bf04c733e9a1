"""Benchmark: how long the `spdesk` command takes to start, against a bare Python interpreter.

Each command runs as its own process, exactly as a person runs it (the `spdesk` console script of
the virtualenv), from spawn to exit, in throwaway configuration and data folders: `spdesk --help`,
`spdesk pair --help`, `spdesk pair` (makes a pairing code; no companion listens on the configured
port) and `spdesk sandbox --help`. The baseline is the same interpreter doing nothing
(`python -c pass`): the ratio is what importing spdesk costs. Runs alternate between commands so
that load on the machine spreads evenly; medians are reported.

Run: packaging/with-keyring.sh .venv/bin/python -m bench.cli_startup [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._shared import add_results_argument, load_average, table, write_results

NAME = "cli_startup"
SPDESK = Path(sys.executable).with_name("spdesk")
COMMANDS: dict[str, list[str]] = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "spdesk --help": [str(SPDESK), "--help"],
    "spdesk pair --help": [str(SPDESK), "pair", "--help"],
    "spdesk pair": [str(SPDESK), "pair"],
    "spdesk sandbox --help": [str(SPDESK), "sandbox", "--help"],
}
BASELINE = "python -c pass (baseline)"


def _closed_port() -> int:
    """A port nothing listens on, so `spdesk pair` finds no companion at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _time(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(runs: int) -> dict[str, Any]:
    """Median wall-clock seconds of each command, and its ratio to the bare interpreter."""
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="spdesk-bench-") as tmp:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data"}
        config = Path(tmp, "config", "spdesk")
        config.mkdir(parents=True)
        (config / "settings.json").write_text(f'{{"port": {_closed_port()}}}', encoding="utf-8")
        for argv in COMMANDS.values():  # warm the file cache once
            _time(argv, env)
        for _ in range(runs):
            for name, argv in COMMANDS.items():
                samples[name].append(_time(argv, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return {
        "name": NAME,
        "runs": runs,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "load_average": load_average(),
        "commands": {
            name: {
                "median_s": round(median, 3),
                "max_s": round(max(samples[name]), 3),
                "ratio": round(median / medians[BASELINE], 2),
            }
            for name, median in medians.items()
        },
    }


def _markdown(r: dict[str, Any]) -> str:
    rows = table(
        ["command", "median", "slowest", "ratio to bare python"],
        [
            (f"`{name}`", f"{c['median_s']:.3f} s", f"{c['max_s']:.3f} s", f"{c['ratio']:.2f}x")
            for name, c in r["commands"].items()
        ],
    )
    return "\n".join(
        [
            f"# {NAME}",
            "",
            f"Median of {r['runs']} runs ({r['machine']}, Python {r['python']}, "
            f"load {r['load_average']}), spawn to exit.",
            "",
            *rows,
            "",
        ]
    )


def main() -> None:
    """Measure, print, and write bench/results/cli_startup.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    add_results_argument(parser)
    args = parser.parse_args()
    results = run(args.runs)
    write_results(args.results_dir, NAME, results, _markdown(results))


if __name__ == "__main__":
    main()
