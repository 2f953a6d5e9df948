# The two commands of the README's Quick start. Both install what is missing first.
.PHONY: run test ci

## Build and serve Orgdesk on http://127.0.0.1:3000
run:
	./scripts/run.sh

## Run every test: unit, integration (PostgreSQL) and browser (Chromium)
test:
	./scripts/test.sh

## What CI runs: formatting, lints, query data, then every test
ci:
	./.ci/run
