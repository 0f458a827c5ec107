# The two commands a user needs: `make run` and `make test` (plus `make ui`).
# Each creates .venv and installs the locked dependencies on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
export TIERING_HOME ?= $(CURDIR)/data

.PHONY: run test ui setup lint manifest bench clean

setup: $(STAMP) $(MANIFEST)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	# DuckDB's httpfs extension from its pip package, installed locally: nothing is
	# downloaded at run time.
	$(BIN)/python -m orchestration.setup_duckdb
	touch $(STAMP)

# dagster-dbt loads the dbt manifest at import; build it once here, not per code load.
$(MANIFEST): $(STAMP) $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' 2>/dev/null | grep -v target)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --project-dir .

manifest: $(MANIFEST)

run: setup
	$(BIN)/tiering demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

ui: setup
	mkdir -p $(TIERING_HOME)/dagster
	PATH="$(CURDIR)/$(BIN):$$PATH" DAGSTER_HOME=$(TIERING_HOME)/dagster $(BIN)/dagster dev -m orchestration.definitions

bench: setup
	$(BIN)/python tests/benchmarks/bench_pipeline.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache
