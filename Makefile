# The two commands a fresh machine needs are `make demo` and `make test`; the rest is for developers.
.PHONY: demo test extension lint format bench mutation

demo:
	packaging/bootstrap.sh demo
	packaging/with-keyring.sh .venv/bin/spdesk demo

test:
	packaging/bootstrap.sh test
	packaging/with-keyring.sh tests/run-all.sh

extension:
	node packaging/build-extension.mjs

lint:
	.venv/bin/ruff check companion spdesk_sandbox spdesk_demo tests bench
	.venv/bin/mypy

format:
	.venv/bin/ruff format companion spdesk_sandbox spdesk_demo tests bench
	.venv/bin/ruff check --fix companion spdesk_sandbox spdesk_demo tests bench

# Every benchmark (bench/NAME.py), each in its own process: it runs its own baseline and writes
# bench/results/NAME.{json,md}.
bench:
	packaging/with-keyring.sh .venv/bin/python -m bench

# Mutation testing of the money path (mutmut; modules and tests: [tool.mutmut] in pyproject.toml).
# Not part of `make test`: about 20 minutes on two cores. Writes bench/results/mutation.{json,md}
# with every surviving mutant and why it may live; exits 1 while one is unexplained.
mutation:
	packaging/bootstrap.sh test
	rm -rf mutants
	packaging/with-keyring.sh .venv/bin/mutmut run --max-children 2
	.venv/bin/python -m bench._mutation
