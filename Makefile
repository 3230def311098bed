# Two commands for a newcomer: `make run` and `make test`. Every target sets up what it needs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),$(HOME)/.local/bin/uv)
VENDOR := src/support_analytics/web/static/vendor
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help setup run test lint fmt types unit http browser test-pg15 latency system-deps

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@echo "uv not found: installing uv $(UV_VERSION) with pip"
	python3 -m pip install --user --quiet "uv==$(UV_VERSION)" \
	  || python3 -m pip install --user --quiet --break-system-packages "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	@echo "installing Python packages (first run only)..."
	@$(UV) sync --frozen --quiet
	@touch $@

$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }
	@echo "installing front-end packages (first run only)..."
	@npm ci --no-audit --no-fund --silent
	@rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	@cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	@cp node_modules/tom-select/dist/js/tom-select.complete.min.js $(VENDOR)/
	@cp node_modules/tom-select/dist/css/tom-select.default.min.css $(VENDOR)/
	@cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/
	@touch $@

setup: .venv/.synced $(VENDOR)/.installed  ## Install Python and front-end dependencies

system-deps:  ## Debian packages the tests need: Chromium, PostgreSQL 15 server binaries, PgBouncer
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing="$$missing postgresql-15"; \
	[ -x /usr/sbin/pgbouncer ] || missing="$$missing pgbouncer"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# `make run PORT=8001 HOST=127.0.0.2`: taken from the command line only, so a PORT or HOST
# that a shell or platform exports does not move the demo (SUPPORT_ANALYTICS_PORT does that).
DEMO_ARGS = $(if $(and $(filter command line,$(origin HOST)),$(HOST)),--host $(HOST)) \
	$(if $(and $(filter command line,$(origin PORT)),$(PORT)),--port $(PORT))

run: setup  ## Start the embedded database with demo data and accounts, and serve the app (PORT=, HOST=)
	$(UV) run support-analytics demo$(if $(strip $(DEMO_ARGS)), $(strip $(DEMO_ARGS)))

lint: setup  ## ruff check + format check; docs/cli.md matches every command's --help
	$(UV) run ruff check src tests scripts
	$(UV) run ruff format --check src tests scripts
	$(UV) run python scripts/cli_reference.py --check

fmt: setup  ## Format and auto-fix
	$(UV) run ruff format src tests
	$(UV) run ruff check --fix src tests

types: setup  ## mypy --strict
	$(UV) run mypy

# The suites that drive the app over HTTP or start servers of their own (the CLI, load and
# fault drills, the job worker's restart drill, operations, the OpenAPI contract, pages,
# mail, the bench command): a pass of their own on the embedded PostgreSQL 18.
HTTP_SUITES := tests/cli tests/load tests/contract tests/web tests/ops tests/mail \
  tests/jobs/test_worker_restart.py tests/sla/test_admin_pages.py tests/analytics/test_bench.py

unit: setup system-deps  ## The pytest suite on the embedded PostgreSQL 18, but the HTTP suites, browser and latency
	@mkdir -p .tmp
	$(UV) run pytest -m "not browser and not latency" $(addprefix --ignore=,$(HTTP_SUITES)) \
	  --junitxml=.tmp/junit-unit.xml 2>&1 | sed -u 's/^/[pg18] /'
	@$(UV) run python scripts/require-tests-ran.py .tmp/junit-unit.xml

http: setup system-deps  ## The HTTP and server suites (CLI, drills, ops, contract, pages, mail) on PostgreSQL 18
	@mkdir -p .tmp
	$(UV) run pytest -m "not browser and not latency" $(HTTP_SUITES) \
	  --junitxml=.tmp/junit-http.xml 2>&1 | sed -u 's/^/[http] /'
	@$(UV) run python scripts/require-tests-ran.py .tmp/junit-http.xml

# Browser tests run in their own process: Playwright's sync API keeps an event loop on the
# main thread that would break asyncio-based tests collected after it.
browser: setup system-deps  ## The browser tests (Playwright on Debian's Chromium)
	@mkdir -p .tmp
	$(UV) run pytest -m browser --junitxml=.tmp/junit-browser.xml 2>&1 | sed -u 's/^/[browser] /'
	@$(UV) run python scripts/require-tests-ran.py .tmp/junit-browser.xml

# The second pass proves the SQL on PostgreSQL 15: the suites whose SQL is the product's own
# (migrations, row-level security, analytics, tickets, auth, live). Suites that start an
# embedded server of their own (CLI, load and fault drills, socket hardening, operations,
# the job worker's restart drill) or
# drive the same SQL through HTTP pages and shapes (web, the OpenAPI contract, mail) would
# run the same statements twice; so would the HTML pages of the other domains and the bench
# (a command that serves over HTTP), and the JSON API suites of analytics and SLAs (their
# numbers come from the readers that the oracle, state, breakdown and recompute suites run
# here). Property tests draw a tenth of their examples here, at least ten (tests/examples.py):
# every statement shape still runs; the search in depth is the main pass's.
# The reference loader's properties that reload the whole data set (~15-30 s each): the loader
# runs on 15 once per pass anyway (the suites' template), and its counts are checked there.
PG15_RELOADS := test_the_defaults_spelled_out_give_identical_rows_and_keep_the_accounts \
  test_other_seed_gives_other_rows test_as_of_shifts_every_timestamp_and_keeps_counts
# Checks of the suites themselves, not of the server: the mutation suite weakens each policy
# and expects the matrix to notice (the policies and the matrix are the same on 15, and the
# matrix runs here); a refused restore and a rebuild after TRUNCATE are Python's decisions
# over SQL that the round trip and every pass's template (a load and a rollup build) run.
PG15_SUITE_CHECKS := $(addprefix tests/tenancy/test_mutation.py::,test_dropping_the_policy_is_caught \
  test_loosening_the_policy_is_caught test_masked_update_policies_stay_masked \
  test_switching_rls_off_is_caught) \
  tests/db/test_backup.py::test_restore_refuses_a_database_with_content_unless_replace \
  tests/analytics/test_exact_after_writes.py::test_truncate_makes_stale_then_start_up_rebuilds
PG15_SKIP := $(addprefix --ignore=,$(HTTP_SUITES)) \
  --ignore=tests/db/test_embedded_security.py --ignore=tests/db/test_engine_restart.py \
  $(addprefix --ignore=,tests/auth/test_pages.py tests/alerts/test_pages.py) \
  $(addprefix --ignore=,tests/analytics/test_api.py tests/sla/test_api.py) \
  $(addprefix --deselect=tests/db/test_reference.py::,$(PG15_RELOADS)) \
  $(addprefix --deselect=,$(PG15_SUITE_CHECKS))

test-pg15: setup system-deps  ## The database suites again on a throwaway system PostgreSQL 15
	@mkdir -p .tmp
	SUPPORT_ANALYTICS_TEST_EXAMPLE_SHARE=0.1 \
	  $(UV) run scripts/with-system-postgres.sh /usr/lib/postgresql/15/bin \
	  pytest -m "not browser and not latency" $(PG15_SKIP) --junitxml=.tmp/junit-pg15.xml 2>&1 | sed -u 's/^/[pg15] /'
	@$(UV) run python scripts/require-tests-ran.py .tmp/junit-pg15.xml

# Four passes, two at a time on two cores (each prefixes its lines, [pg18], [pg15], [http] or
# [browser], so whole lines never mix): the PostgreSQL 18 pass and mypy start together (mypy
# alone left a core idle for a minute), the PostgreSQL 15 pass follows mypy, and the HTTP and
# browser passes take the slots as they free. Three at a time was slower (31 min 52 s against
# 31 min 24 s here): each pass keeps a core busy. -k: one run reports every failure.
test: lint system-deps  ## Everything CI runs: lint, types, unit, database, HTTP, browser, latency
	@$(MAKE) --no-print-directory -k -j2 unit types test-pg15 http browser
	@$(MAKE) --no-print-directory latency

# The latency drills (a request flood, 32 mixed users) print the p95 they measure: alone on
# the machine, after the two passes, so the figure is the server's and not the other pass's.
# They assert statuses and a lock-up bound only; the figures go to docs/operations.md.
latency: setup system-deps  ## The flood and load drills alone, printing their p95 and throughput
	@mkdir -p .tmp
	$(UV) run pytest -m latency -s --junitxml=.tmp/junit-latency.xml 2>&1 | sed -u 's/^/[latency] /'
	@$(UV) run python scripts/require-tests-ran.py .tmp/junit-latency.xml
