# tradewatch: `make build` then `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: build install test lint format lock bench bench-install bench-quick clean

build: install
	$(BIN)/tradewatch build

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "tradewatch needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if $(BIN)/python -m pip install --quiet uv; then \
		$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock && \
		$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
		$(BIN)/python -m pip install --quiet -r requirements.lock && \
		$(BIN)/python -m pip install --quiet --no-deps -e . ; \
	fi
	touch $@

test: install lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check ingest tests
	$(BIN)/ruff format --check ingest tests
	cd dbt_project && ../$(BIN)/sqlfluff lint $$(ls -d models tests snapshots 2>/dev/null)

format: install
	$(BIN)/ruff format ingest tests
	$(BIN)/ruff check --fix ingest tests

# regenerate the pinned lock file after changing pyproject.toml
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --universal \
		--python-version 3.11 --quiet -c requirements.lock -o bench/requirements.lock

# benchmarks (bench/README.md): the bench extra (dlt) from its own lock, then one run
BENCH_ARGS ?=
bench-install: $(VENV)/.bench-installed

$(VENV)/.bench-installed: $(VENV)/.installed bench/requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r bench/requirements.lock
	touch $@

bench: bench-install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: bench-install
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf warehouse data/landing dbt_project/target dbt_project/logs
