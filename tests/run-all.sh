#!/usr/bin/env bash
# Every check spdesk has: lint, formatting, strict types, JS tests, Python tests (sandbox, companion,
# actions, browsers).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1
mkdir -p artifacts

echo "== ruff"
.venv/bin/ruff check companion spdesk_sandbox spdesk_demo tests bench
.venv/bin/ruff format --check --quiet companion spdesk_sandbox spdesk_demo tests bench

echo "== mypy --strict (files and options: pyproject.toml)"
.venv/bin/mypy

if [ -f extension/package.json ]; then
  echo "== extension: unit tests and lint"
  (cd extension && npm test --silent)
fi

echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
