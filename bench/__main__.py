"""Run the benchmarks: `python -m bench` runs every one, `python -m bench NAME ...` some, `--list`.

Each benchmark is a module of this folder with its own `main()`; each runs in its own process (as
`python -m bench.NAME`) so one cannot skew another, and writes bench/results/NAME.{json,md}.
Benchmarks that read the OS keyring need it: run this under packaging/with-keyring.sh.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    """Names of the benchmark modules in this folder."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks one after another; the exit status is the first failure's."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    names = args.names or available()
    if args.list:
        print("\n".join(available()))
        return 0
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; see --list")
    status = 0
    for name in names:
        print(f"== bench.{name}", flush=True)
        code = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent).returncode
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
