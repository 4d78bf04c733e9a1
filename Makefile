# The two commands a fresh machine needs are `make demo` and `make test`; the rest is for developers.
.PHONY: demo test lint format bench

demo:
	packaging/bootstrap.sh demo
	packaging/with-keyring.sh .venv/bin/spdesk demo

test:
	packaging/bootstrap.sh test
	packaging/with-keyring.sh tests/run-all.sh

lint:
	.venv/bin/ruff check companion tests bench

format:
	.venv/bin/ruff format companion tests bench
	.venv/bin/ruff check --fix companion tests bench

bench:
	packaging/with-keyring.sh .venv/bin/python -m bench
