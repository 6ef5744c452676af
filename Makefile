# Wellspring: two commands on a fresh machine.
#   make run    install, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test   install, lint, type-check, test on SQLite (measuring coverage) and PostgreSQL
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
# uv must use this machine's Python, never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
UV := $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 200
PG_ADMIN_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
SYNC_CLIENT := sync-client
# npm ci rewrites node_modules/.package-lock.json: it is the phone client's install stamp.
SYNC_CLIENT_STAMP := $(SYNC_CLIENT)/node_modules/.package-lock.json
# The tracking page's map (Leaflet) and its accessibility check (axe-core), same way.
WEB := web
WEB_STAMP := $(WEB)/node_modules/.package-lock.json

.PHONY: run test lint typecheck test-sqlite test-postgres test-half-1 test-half-2 lock schema bench clean help

help:
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(VPY):
	$(PYTHON) -m venv $(VENV)

# uv comes from PyPI when the machine has none.
$(VENV)/bin/uv: | $(VPY)
	$(VPY) -m pip install --quiet --disable-pip-version-check uv==0.13.8

$(VENV)/.stamp-main: requirements/main.txt pyproject.toml | $(VPY) $(if $(filter $(VENV)/bin/uv,$(UV)),$(VENV)/bin/uv)
	$(UV) pip sync --python $(VPY) --require-hashes requirements/main.txt
	$(UV) pip install --python $(VPY) --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.stamp-*; touch $@

$(VENV)/.stamp-dev: requirements/dev.txt pyproject.toml | $(VPY) $(if $(filter $(VENV)/bin/uv,$(UV)),$(VENV)/bin/uv)
	$(UV) pip sync --python $(VPY) --require-hashes requirements/dev.txt
	$(UV) pip install --python $(VPY) --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.stamp-*; touch $@

# The real phone client for tests/e2e (Node >= 20), from the lock file and the machine's npm
# registry. Without node the e2e test is skipped with a notice; with CI=true it is mandatory.
$(SYNC_CLIENT_STAMP): $(SYNC_CLIENT)/package-lock.json
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(SYNC_CLIENT) --quiet --no-audit --no-fund; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "node/npm not found and CI=true: the phone client end-to-end test (tests/e2e) is mandatory." >&2; exit 1; \
	else \
		echo "NOTICE: node/npm not found; tests/e2e (the real phone client) is skipped (mandatory with CI=true)." >&2; \
	fi

# Leaflet for the tracking page (served from web/node_modules, never copied into the repo) and
# axe-core for its tests. Without npm the page draws its built-in SVG map and the browser
# tests skip; with CI=true it is mandatory.
$(WEB_STAMP): $(WEB)/package-lock.json
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(WEB) --quiet --no-audit --no-fund; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "node/npm not found and CI=true: web/ (Leaflet, axe-core) is mandatory." >&2; exit 1; \
	else \
		echo "NOTICE: node/npm not found; the tracking page uses its SVG map and its browser tests are skipped (mandatory with CI=true)." >&2; \
	fi

run: $(VENV)/.stamp-main $(WEB_STAMP) ## install, migrate, load demo data, serve on http://$(HOST):$(PORT)
	WELLSPRING_MODE=$${WELLSPRING_MODE:-demo} WELLSPRING_NOTIFY_WORKER_IN_APP=$${WELLSPRING_NOTIFY_WORKER_IN_APP:-true} $(VENV)/bin/wellspring serve --migrate --demo-data --scale $(SCALE) --host $(HOST) --port $(PORT)

lint: $(VENV)/.stamp-dev ## ruff and the import layering contract
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.stamp-dev ## mypy (strict; wellspring/, tests/ and bench/)
	$(VENV)/bin/mypy

# The SQLite run measures coverage (greenlet-aware, see [tool.coverage] in pyproject.toml) and
# fails under its floor; the PostgreSQL run goes unmeasured, at full speed.
test-sqlite: $(VENV)/.stamp-dev $(SYNC_CLIENT_STAMP) $(WEB_STAMP) ## the whole suite on SQLite, with coverage
	@mkdir -p var
	WELLSPRING_TEST_DB=sqlite $(VENV)/bin/coverage run -m pytest
	$(VENV)/bin/coverage report

# With CI=true a missing PostgreSQL fails the run; elsewhere it is skipped with a notice.
define on_postgres
	@if $(VPY) -m wellspring.api.cli pg-ping --url "$(PG_ADMIN_URL)"; then \
		$(1) WELLSPRING_TEST_DB=postgresql WELLSPRING_TEST_PG_ADMIN_URL="$(PG_ADMIN_URL)" $(VPY) -m pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL at $(PG_ADMIN_URL) is unreachable and CI=true: the PostgreSQL run is mandatory." >&2; exit 1; \
	else \
		echo "NOTICE: PostgreSQL unreachable at $(PG_ADMIN_URL); its run is skipped (mandatory with CI=true)." >&2; \
	fi
endef

test-postgres: $(VENV)/.stamp-dev $(SYNC_CLIENT_STAMP) $(WEB_STAMP) ## the whole suite on PostgreSQL (less the no_db tests)
	$(call on_postgres,)

# `make test` runs every test once on each engine (a test that reaches no database, once, on
# SQLite: tests/db_free.py), as two jobs side by side (one core each):
# SQLite on one half of the suite then PostgreSQL on the other, and the reverse. The halves
# (tests/shards.py) make both jobs end together; with one engine per job, the PostgreSQL
# run ended two thirds of the way through the SQLite one and left a core idle. Each job prints its output
# whole when it ends; coverage is the two SQLite halves' together.
test-half-1 test-half-2: test-half-%: $(VENV)/.stamp-dev $(SYNC_CLIENT_STAMP) $(WEB_STAMP)
	@mkdir -p var
	WELLSPRING_TEST_HALF=$* WELLSPRING_TEST_DB=sqlite $(VENV)/bin/coverage run --parallel-mode -m pytest
	$(call on_postgres,WELLSPRING_TEST_HALF=$(if $(filter 1,$*),2,1))

test: lint typecheck ## lint, type-check, the suite on SQLite (with coverage) and PostgreSQL
	@# erase alone keeps the halves' files (var/.coverage.*) of a run that failed before
	@# combining them, and the next report read its lines of files since moved or deleted
	@mkdir -p var && $(VENV)/bin/coverage erase && rm -f var/.coverage.*
	$(MAKE) --no-print-directory -j2 --output-sync=target test-half-1 test-half-2
	$(VENV)/bin/coverage combine --quiet
	$(VENV)/bin/coverage report

lock: ## recompile the hash-pinned lock files from pyproject.toml
	$(UV) pip compile pyproject.toml requirements/build.in --generate-hashes --python-version 3.11 --no-header -q -o requirements/main.txt
	$(UV) pip compile pyproject.toml requirements/build.in --extra dev --generate-hashes --python-version 3.11 --no-header -q -o requirements/dev.txt

schema: $(VENV)/.stamp-dev ## re-export schema.graphql after a schema change
	$(VENV)/bin/wellspring export-schema > schema.graphql

bench: $(VENV)/.stamp-dev ## the Tickets page benchmark (see bench/README.md)
	$(VPY) -m bench.tickets

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
