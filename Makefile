# IronLog's tasks. Needs only Python 3.11+ and make: uv is bootstrapped from PyPI into .tools/.
.DEFAULT_GOAL := help
SHELL := /bin/bash

UV_VERSION := 0.13.9
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: help serve test test-sqlite test-web lint format typecheck typecheck-js vendor migrate migration-check bench bench-web client check sync drills load

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

sync: $(UV) ## Install the locked dependencies into .venv
	$(UV) sync --frozen

# Running needs only the runtime dependencies: a fresh clone's .venv gets nothing of the dev group
# (--inexact keeps what `make sync` installed before). IronLog's own modules are compiled to
# bytecode, as uv compiles the dependencies': the server then starts without compiling any.
serve: $(UV) ## Start the server on SQLite (http://127.0.0.1:8000, docs at /docs)
	$(UV) sync --frozen --no-dev --inexact
	$(UV) run --frozen --no-sync python -m compileall -q src/ironlog
	$(UV) run --frozen --no-sync ironlog serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: sync ## Run the whole test suite (SQLite and PostgreSQL)
	$(RUN) pytest $(ARGS)

test-sqlite: sync ## Run the suite on SQLite only
	$(RUN) pytest -k "not postgresql" $(ARGS)

test-web: sync ## Run the web app's tests (Chromium at /usr/bin/chromium; screenshots in build/screenshots)
	$(RUN) pytest tests/web $(ARGS)

lint: sync ## Lint, check formatting (ruff) and the layering rules (import-linter)
	$(RUN) ruff check src tests bench drills scripts
	$(RUN) ruff format --check src tests bench drills scripts
	$(RUN) lint-imports --no-cache

format: sync ## Format and fix what ruff can
	$(RUN) ruff format src tests bench drills scripts
	$(RUN) ruff check --fix src tests bench drills scripts

typecheck: sync ## Type-check the package (mypy --strict)
	$(RUN) mypy

typecheck-js: ## Type-check the web app's JavaScript (JSDoc, tsc from package-lock.json; needs npm)
	npm ci --no-audit --no-fund
	npx tsc --project tsconfig.json

vendor: sync ## Refresh the vendored JavaScript from the npm registry (scripts/vendor_assets.json)
	$(RUN) python scripts/vendor_assets.py

migrate: sync ## Apply pending migrations to IRONLOG_DATABASE_URL (default: the SQLite file)
	$(RUN) ironlog db upgrade

migration-check: sync ## Fail if models and migrations disagree (IRONLOG_DATABASE_URL)
	$(RUN) ironlog db check

bench: sync ## Run the benchmarks against PostgreSQL (see bench/README.md)
	$(RUN) python -m bench

bench-web: sync ## Measure the web app in Chromium: cold load, bundle size, tick latency
	$(RUN) python -m bench.web

client: sync ## Generate the typed Python client into build/ironlog-client (see README)
	mkdir -p build
	$(RUN) ironlog openapi --output build/openapi.json
	$(RUN) openapi-python-client generate --path build/openapi.json \
		--config openapi-python-client.yaml --meta uv --output-path build/ironlog-client --overwrite

drills: sync ## Fault drills and schema fuzzing on PostgreSQL (see docs/drills.md)
	$(RUN) pytest drills -p no:cacheprovider -s
	$(RUN) python -m drills.fuzz $(FUZZ_ARGS)

load: sync ## Load drill: 50 clients for 60 s, then the invariants (ARGS="--seconds 10")
	$(RUN) python -m bench.load $(ARGS)

check: lint typecheck test ## Everything CI runs (plus `make drills` and a short `make load`)
