# The two commands a fresh machine needs are `make demo` and `make test`; the rest is for developers.
.PHONY: demo test extension lint format bench

demo:
	packaging/bootstrap.sh demo
	packaging/with-keyring.sh .venv/bin/spdesk demo

test:
	packaging/bootstrap.sh test
	packaging/with-keyring.sh tests/run-all.sh

extension:
	node packaging/build-extension.mjs

lint:
	.venv/bin/ruff check companion tests bench

format:
	.venv/bin/ruff format companion tests bench
	.venv/bin/ruff check --fix companion tests bench

# Every bench/*.py: each runs its own baseline and writes bench/results/<name>.{json,md}.
bench:
	for script in bench/*.py; do \
	  name=$$(basename "$$script" .py); echo "== bench $$name"; \
	  packaging/with-keyring.sh .venv/bin/python -m "bench.$$name" || exit 1; \
	done
