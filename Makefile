# newsradar: `make run` sets everything up and starts the main job; `make test` runs the whole suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
CONFIG ?= newsradar.toml

.PHONY: setup run test test-postgres demo lint bench bench-full bench-quick faults faults-short clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed  ## virtualenv with newsradar and the test tools

run: setup  ## starter config + SQLite database if missing, then the daemon in the foreground (Ctrl-C ends it)
	test -f $(CONFIG) || $(BIN)/newsradar --config $(CONFIG) init
	$(BIN)/newsradar --config $(CONFIG) run

test: setup  ## the whole suite
	$(BIN)/python -m pytest

# The PostgreSQL pass: the suite again with each test's database (tests.helpers.fresh_database_url)
# a fresh PostgreSQL database on this server. Run after `make test`: the tests that took no database
# there are left out (pytest's cache keeps the record). One line and success where PostgreSQL
# cannot be had.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
test-postgres: setup  ## the suite's PostgreSQL pass (after `make test`; skips with one line without PostgreSQL)
	@if $(BIN)/python -c 'import sys; from tests.helpers import ensure_postgres; sys.exit(ensure_postgres() is None)'; then \
	  NEWSRADAR_TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest; \
	else echo "test-postgres: skipped, PostgreSQL cannot be had on 127.0.0.1:5432 (not installed or will not start)"; fi

demo: setup  ## the whole flow offline, against the sample sites on 127.0.0.1
	PATH="$(abspath $(BIN)):$$PATH" bash deploy/demo.sh

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup  ## every bench (~30 min on 2 idle cores), then one table: figure, value, goal, met/MISSED
	$(BIN)/python bench/all

bench-full: setup  ## bench with the 1M-article archives added (hours)
	$(BIN)/python bench/all --full

bench-quick: setup  ## every bench at tiny sizes: checks they run and the table reads them (~1 min)
	$(BIN)/python bench/all --quick

FAULTS ?= full
faults: setup  ## the fault suite: the daemon under site, channel, SIGKILL and PostgreSQL faults; one table (FAULTS=short: the bounded form)
	$(BIN)/python bench/faults --form $(FAULTS)

faults-short: setup  ## the fault suite's bounded form (.ci/run: a few minutes, 10 at most)
	timeout 600 $(BIN)/python bench/faults --form short

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache demo-run
