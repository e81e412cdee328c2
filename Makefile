# Child Online Safety Portal — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for the test targets (auto: one per CPU; 0 runs in one process).
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS)

.DEFAULT_GOAL := help
.PHONY: help run setup demo-data test-deps test test-postgres test-sqlite lint format ci clean bench bench-import bench-cookies scale-test loadtest

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.runtime-installed $@

setup: $(VENV)/.runtime-installed ## Create .venv and install the runtime requirements

demo-data: setup ## Migrate, load the Lithuania demo data, set up roles and demo accounts
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo_data
	$(MANAGE) create_demo_editor

run: demo-data ## Set up everything and serve http://127.0.0.1:8000 (SQLite by default)
	$(MANAGE) runserver $(HOST):$(PORT)

# axe-core for the browser tests' accessibility checks (skipped, with the reason, without npm).
node_modules/.installed: package.json
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: browser accessibility tests will be skipped"; fi

test-deps: $(VENV)/.dev-installed node_modules/.installed

test: test-deps ## Run the whole suite (PostgreSQL when one answers, else SQLite)
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: test-deps ## Run the suite on PostgreSQL; fail on any skipped test
	PORTAL_TEST_DB=postgres PORTAL_FAIL_ON_SKIP=1 $(PYTEST) $(PYTEST_ARGS)

test-sqlite: test-deps ## Run the suite on SQLite
	PORTAL_TEST_DB=sqlite $(PYTEST) $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed ## ruff check, ruff format --check, import contract, makemigrations --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.dev-installed ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ci: ## What CI runs: lint, PostgreSQL suite (no skips), SQLite suite
	bash .ci/run

clean: ## Remove the virtualenv, the local database and caches
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles artifacts .pytest_cache .ruff_cache

bench: setup ## Search, country-page, download and API benchmark (BENCH_PARTS, BENCH_SCALE); needs DATABASE_URL of a scratch PostgreSQL database (it is flushed)
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to a scratch database, e.g. postgres://postgres@127.0.0.1:5432/portal_bench"; exit 2; }
	DATABASE_URL=$(DATABASE_URL) $(PY) bench/run_bench.py

bench-import: setup ## Spreadsheet import/export benchmark on a scratch PostgreSQL database (BENCH_DATABASE_URL; created, its records deleted)
	$(PY) bench/import_bench.py

bench-cookies: setup ## Page cache under forged cookies: wrk against gunicorn (prod settings, own Redis, scratch PostgreSQL BENCH_DATABASE_URL; created and dropped)
	$(PY) bench/cookie_load.py $(BENCH_ARGS)

scale-test: $(VENV)/.dev-installed ## haproxy + 2 app servers + PostgreSQL primary/replica + Redis on loopback: throughput 1 vs 2 servers, and no failed request through faults
	$(PY) bench/scale_test.py $(SCALE_ARGS)

loadtest: setup ## Public pages under load: wrk against gunicorn (prod settings, own Redis, scratch PostgreSQL BENCH_DATABASE_URL with the bench data; created and dropped), then readers with an editor at work
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)
