#!/usr/bin/env bash
# Build the spdesk wheel from a clean copy of the source (no stale build/ leftovers), then check
# that every file of its three packages (companion, spdesk_sandbox, spdesk_demo) is in it: sandbox
# seed, demo pages, everything, and that the `spdesk` command and its sub-commands are declared.
# Prints the wheel's path on stdout; progress and problems go to stderr.
# Usage: packaging/build-wheel.sh [--python PY] [--out DIR] [SOURCE_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/.." && pwd)"
out="$source_dir/dist"
python="${PYTHON:-}"

while [ $# -gt 0 ]; do
  case "$1" in
    --python) python="${2:?--python needs a path}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-wheel: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) source_dir="$(cd "$1" && pwd)"; shift ;;
  esac
done
if [ -z "$python" ]; then
  python="$source_dir/.venv/bin/python"
  [ -x "$python" ] || python="python3"
fi
if [ ! -f "$source_dir/pyproject.toml" ] || [ ! -d "$source_dir/companion" ]; then
  echo "build-wheel: $source_dir is not an spdesk checkout." >&2; exit 1
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/spdesk-wheel.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
# Only what the wheel is made of; caches and compiled files stay behind.
packages=(companion spdesk_sandbox spdesk_demo)
tar -C "$source_dir" --exclude=__pycache__ --exclude='*.pyc' -cf - pyproject.toml README.md \
    "${packages[@]}" \
  | tar -C "$scratch" -xf - || { echo "build-wheel: cannot copy the source." >&2; exit 1; }

mkdir -p "$out"
# pip builds in an isolated environment with the setuptools pyproject.toml asks for; the same as
# `python -m build --wheel` when the `build` package is installed.
if ! "$python" -m pip wheel --no-deps --disable-pip-version-check -q --wheel-dir "$scratch/wheel" \
     "$scratch" >"$scratch/pip.log" 2>&1; then
  tail -n 20 "$scratch/pip.log" >&2
  echo "build-wheel: pip could not build the wheel (output above)." >&2
  exit 1
fi
wheel="$(find "$scratch/wheel" -name 'spdesk-*.whl' | head -n 1)"
[ -n "$wheel" ] || { echo "build-wheel: pip built no spdesk wheel." >&2; exit 1; }

# Every source file of the packages must be in the wheel, and the commands declared.
"$python" - "$wheel" "$scratch" "${packages[@]}" <<'PY' || exit 1
import sys, zipfile
from pathlib import Path

wheel, root, packages = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
names = set(zipfile.ZipFile(wheel).namelist())
wanted = {
    p.relative_to(root).as_posix()
    for package in packages
    for p in (root / package).rglob("*")
    if p.is_file()
}
missing = sorted(wanted - names)
for required in ("spdesk_sandbox/seed.json", "spdesk_demo/__init__.py"):
    if required not in names and required not in missing:
        missing.append(required)
entry_points = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
declared = zipfile.ZipFile(wheel).read(entry_points).decode() if entry_points else ""
for line, what in (
    ("spdesk = companion.cli:main", "the 'spdesk' console script"),
    ("sandbox = spdesk_sandbox.command", "the 'spdesk sandbox' sub-command"),
    ("demo = spdesk_demo.command", "the 'spdesk demo' sub-command"),
):
    if line not in declared:
        missing.append(f"{what} (entry_points.txt)")
if missing:
    print("build-wheel: the wheel lacks " + ", ".join(missing)
          + ". Add the file types to [tool.setuptools.package-data] in pyproject.toml.",
          file=sys.stderr)
    sys.exit(1)
PY
cp "$wheel" "$out/"
echo "build-wheel: built and checked $(basename "$wheel")" >&2
echo "$out/$(basename "$wheel")"
