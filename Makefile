# The two commands a user needs: `make run` and `make test` (plus `make ui`).
# Each creates .venv and installs the locked dependencies on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST_STAMP := dbt_project/target/tiering_fingerprint.txt
DBT_FILES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.py' \) -print 2>/dev/null)
export TIERING_HOME ?= $(CURDIR)/data

.PHONY: run test test-ui test-bi test-spark bi bi-setup docs ui setup lint format manifest bench clean catalogue

setup: $(STAMP) $(MANIFEST_STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,spark]'
	# DuckDB's httpfs extension from its pip package, installed locally: nothing is
	# downloaded at run time.
	$(BIN)/python -m orchestration.setup_duckdb
	touch $(STAMP)

# dagster-dbt loads the dbt manifest at import; prepare it once here (the code also
# prepares it on first use, e.g. after `pip install`, and whenever the project changed).
$(MANIFEST_STAMP): $(STAMP) $(DBT_FILES)
	$(BIN)/python -m orchestration.transform.project

manifest: $(MANIFEST_STAMP)

run: setup
	$(BIN)/tiering demo

test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --no-loadscope-reorder -m "not ui and not bi and not spark"

# what people look at: the run report in headless Chromium (Debian's package,
# installed by the test when missing; screenshots in test-artefacts/), the tier
# metadata the Dagster UI plots, and a month-end backfill launched through the UI's API
test-ui: setup
	$(BIN)/python -m pytest -q -m ui tests/ui

# the same job with the dbt models on Apache Spark (local, dbt-spark session mode; Java 17):
# three month-ends of the demo data on both engines, every published table compared
test-spark: setup
	$(BIN)/python -m pytest -q -m spark tests

# Apache Superset on the general artefact with the "Customer tiers" dashboard, in its own
# virtualenv (.venv-bi, pinned in orchestration/bi/requirements.lock). BI_AS: a principal
# with an active general grant (its key release is logged). http://127.0.0.1:8088
BI_VENV := .venv-bi
BI_STAMP := $(BI_VENV)/.installed
BI_AS ?=
BI_PORT ?= 8088

$(BI_STAMP): orchestration/bi/requirements.lock
	test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BI_VENV)/bin/python -m pip install --quiet -r orchestration/bi/requirements.lock
	touch $(BI_STAMP)

bi-setup: $(BI_STAMP)

bi: setup $(BI_STAMP)
	@test -n "$(BI_AS)" || { echo "make bi BI_AS=<principal with a general grant> (see README, Connect a BI tool)"; exit 2; }
	$(BIN)/python -m orchestration.bi.superset --as "$(BI_AS)" --port $(BI_PORT) --venv $(BI_VENV)

# Superset in headless Chromium: logs in, opens the dashboard, checks its charts drew data
test-bi: setup $(BI_STAMP)
	TIERING_BI_VENV=$(CURDIR)/$(BI_VENV) $(BIN)/python -m pytest -q -m bi tests/bi

# the dbt docs site of the warehouse, one page: $(TIERING_HOME)/dbt/docs/static_index.html
docs: setup
	$(BIN)/tiering docs

ui: setup
	mkdir -p $(TIERING_HOME)/dagster
	PATH="$(CURDIR)/$(BIN):$$PATH" DAGSTER_HOME=$(TIERING_HOME)/dagster $(BIN)/dagster dev -m orchestration.definitions

# make bench [SIZE=demo|10m|100m] [FORMAT=csv|parquet] [ENGINES=duckdb|duckdb,spark]:
# the job against hand-written SQL (ENGINES=duckdb,spark: the first night on each engine)
SIZE ?= demo
FORMAT ?= csv
ENGINES ?= duckdb
bench: setup
	$(BIN)/python tests/benchmarks/bench_pipeline.py --size $(SIZE) --format $(FORMAT) --engines $(ENGINES)

# Python: ruff (format and lint); SQL: sqlfluff with the dbt templater (dbt_project/.sqlfluff)
# on the models and singular tests; macros are linted as rendered in the models that call them.
lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	# a throwaway encrypted warehouse with a throwaway random key (sqlfluff compiles through
	# dbt), and a throwaway target folder: dbt_project/target holds the parse state the
	# runs start from, which a compile with other settings would replace
	cd dbt_project && scratch=$$(mktemp -d) && TIERING_WAREHOUSE=$$scratch/lint.duckdb \
		DBT_TARGET_PATH=$$scratch/target DBT_LOG_PATH=$$scratch/logs \
		DBT_ENV_SECRET_WAREHOUSE_KEY=$$(../$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))') \
		../$(BIN)/sqlfluff lint models tests

catalogue: setup  ## rewrite dbt_project/CATALOGUE.md (columns and classes of the published tables)
	$(BIN)/python -m orchestration.publish.catalogue

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache build dist
