# tradewatch: `make build` then `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: build install test lint lint-sql format lock bench bench-install bench-quick clean \
	lake-install test-lake bench-lake-quick

build: install
	$(BIN)/tradewatch build

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "tradewatch needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if $(BIN)/python -m pip install --quiet uv; then \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock && \
		$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
		$(BIN)/python -m pip install --quiet -r requirements.lock && \
		$(BIN)/python -m pip install --quiet --no-deps -e . ; \
	fi
	# bytecode up front (pip compiles by default, uv only when asked): a CLI started without
	# it, or under PYTHONDONTWRITEBYTECODE, compiles typer, rich and ingest on every run
	$(BIN)/python -m compileall -q ingest
	touch $@

test: install lint
	$(BIN)/pytest --ignore=tests/lake

lint: install $(VENV)/.sqlfluff-passed
	$(BIN)/ruff check ingest tests
	$(BIN)/ruff format --check ingest tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# sqlfluff's dbt templater costs ~30 s of CPU (a dbt compile, then every file), so it runs
# again only when something it reads changed since it last passed: any file or folder of the
# dbt project (a folder's time changes when a file is added or removed), the installed tools
# or this Makefile. `make lint-sql` forces it.
DBT_LINT_INPUTS := $(shell find dbt_project \( -path dbt_project/target -o -path dbt_project/logs \
	-o -path dbt_project/dbt_packages \) -prune -o -print)

$(VENV)/.sqlfluff-passed: $(VENV)/.installed Makefile $(DBT_LINT_INPUTS)
	cd dbt_project && ../$(BIN)/sqlfluff lint $$(ls -d models tests snapshots 2>/dev/null)
	touch $@

lint-sql: install
	rm -f $(VENV)/.sqlfluff-passed
	$(MAKE) $(VENV)/.sqlfluff-passed

format: install
	$(BIN)/ruff format ingest tests
	$(BIN)/ruff check --fix ingest tests

# regenerate the pinned lock file after changing pyproject.toml
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --universal \
		--python-version 3.11 --quiet -c requirements.lock -o bench/requirements.lock
	grep -v '^duckdb==' requirements.lock > .lake-constraints.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra lake --universal \
		--python-version 3.11 --quiet -c .lake-constraints.txt -o requirements-lake.lock
	rm -f .lake-constraints.txt

# benchmarks (bench/README.md): the bench extra (dlt) from its own lock, then one run
BENCH_ARGS ?=
bench-install: $(VENV)/.bench-installed

$(VENV)/.bench-installed: $(VENV)/.installed bench/requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r bench/requirements.lock
	touch $@

bench: bench-install lake-install
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(LAKE_BIN)/python -m bench.lake $(BENCH_LAKE_ARGS)

bench-quick: bench-install
	$(BIN)/python -m bench.run --quick

# the DuckLake target (deploy/lake.md): its own environment, because the DuckLake, postgres
# and httpfs extension wheels only load into the DuckDB release they were built for
LAKE_VENV := .venv-lake
LAKE_BIN := $(LAKE_VENV)/bin
lake-install: $(LAKE_VENV)/.installed

$(LAKE_VENV)/.installed: pyproject.toml requirements-lake.lock
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "tradewatch needs Python 3.11+"'
	test -x $(LAKE_BIN)/python || $(PYTHON) -m venv $(LAKE_VENV)
	$(LAKE_BIN)/python -m pip install --quiet uv
	$(LAKE_BIN)/uv pip install --quiet --python $(LAKE_BIN)/python -r requirements-lake.lock
	$(LAKE_BIN)/uv pip install --quiet --python $(LAKE_BIN)/python --no-deps -e .
	touch $@

# needs a PostgreSQL server (TRADEWATCH_TEST_PG_DSN or a local initdb/pg_ctl): tests/lake
test-lake: install lake-install
	$(LAKE_BIN)/pytest -n 0 -p no:randomly tests/lake

# the lake benchmark's smoke test (100k rows; PostgreSQL as for test-lake)
bench-lake-quick: lake-install
	$(LAKE_BIN)/python -m bench.lake --quick

clean:
	rm -rf warehouse data/landing dbt_project/target dbt_project/logs
