"""The dbt models on Apache Spark (``tiering run --engine spark``).

The same dbt project builds on either engine (DESIGN §3: engine-specific SQL goes
through the tier kit's dispatch macros, ``macros/tier_kit/engine.sql``). With Spark:

1. the ingest loads, checks and quarantines the landing files into the warehouse's
   ``raw.*``: Spark reads the files and checks each row
   (:mod:`orchestration.ingest.spark`), the rest is the DuckDB ingest's (one
   accounting, one circuit breaker);
2. :func:`export_raw` hands ``raw.*`` to Spark as Parquet under ``<home>/spark/raw``,
   which the dbt project registers as Spark's ``raw`` tables when a run starts
   (macro ``register_spark_sources``);
3. dbt builds every model, seed and data test on Spark (profile target ``spark``):
   its tables are Parquet files under ``<home>/spark/warehouse``;
4. :func:`import_results` copies those tables into the warehouse, each contracted
   column cast to its contract type, so the checks, the tier metadata and the
   publication read the same tables, of the same types, as after a DuckDB build.

Everything under ``<home>/spark`` is private to the job's user, as the rest of the home.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from orchestration import PYSPARK_PANDAS_WARNING
from orchestration.security.stores import remove_other_access
from orchestration.settings import MAX_MEMORY_SHARE, machine_memory
from orchestration.warehouse import connect, quote_ident, quote_literal

#: the dbt profile target of each engine (orchestration.settings.ENGINES)
TARGETS = {"duckdb": "dev", "spark": "spark"}

HOME_VARIABLE = "TIERING_SPARK_HOME"
MASTER_VARIABLE = "TIERING_SPARK_MASTER"
DRIVER_MEMORY_VARIABLE = "TIERING_SPARK_DRIVER_MEMORY"

#: schemas whose dbt tables come back from Spark (raw and quarantine stay the ingest's)
RESULT_SCHEMAS = ("seeds", "staging", "intermediate", "marts", "history")


def spark_home(home: Path) -> Path:
    return home / "spark"


#: the least driver memory a local session gets by default
MIN_DRIVER_MEMORY = 2 << 30


def default_driver_memory(memory: int | None = None) -> str:
    """The Spark driver's memory when ``TIERING_SPARK_DRIVER_MEMORY`` is not set: the
    share of the machine's memory DuckDB may take at most (a quarter), at least 2 GiB.
    In a local session the driver is the whole of Spark (its executors are threads of
    the driver's JVM), so a fixed 2 GiB failed the 10M-transaction run on a 24 GiB
    machine (tests/benchmarks/RESULTS.md)."""
    memory = machine_memory() if memory is None else memory
    return f"{max(MIN_DRIVER_MEMORY, int(memory * MAX_MEMORY_SHARE)) >> 20}m"


#: Spark's own log: warnings and errors only (its INFO lines would bury dbt's output);
#: the profile points the driver at this file
LOG_CONFIG = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} spark %p %c{1}: %m%n
# a query too large for whole-stage code generation runs interpreted instead; Spark
# logs that fallback as an error with the generated source, though nothing failed
logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator
logger.codegen.level = off
logger.wholestage.name = org.apache.spark.sql.execution.WholeStageCodegenExec
logger.wholestage.level = off
"""


def dbt_spark_env(home: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment of a dbt subprocess that builds on Spark (profile target ``spark``):
    ``TIERING_SPARK_HOME``, created private, with Spark's log settings, and the
    driver's memory (``TIERING_SPARK_DRIVER_MEMORY``, else :func:`default_driver_memory`)."""
    environ = os.environ if environ is None else environ
    folder = spark_home(home)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / "log4j2.properties").write_text(LOG_CONFIG)
    return {
        HOME_VARIABLE: str(folder),
        DRIVER_MEMORY_VARIABLE: environ.get(DRIVER_MEMORY_VARIABLE, "").strip()
        or default_driver_memory(),
        # dbt-spark imports pyspark, which warns about pandas 3 (see orchestration/__init__)
        "PYTHONWARNINGS": f"ignore:{PYSPARK_PANDAS_WARNING}:FutureWarning",
    }


def export_raw(warehouse: Path, home: Path) -> dict[str, int]:
    """Write every ``raw.*`` table of the warehouse as Parquet for Spark:
    ``<home>/spark/raw/<table>/part-0.parquet``. Returns rows written per table."""
    root = spark_home(home) / "raw"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with connect(warehouse, read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = "
                "'warehouse' and table_schema = 'raw' and table_type = 'BASE TABLE' "
                "order by table_name"
            ).fetchall()
        ]
        for table in tables:
            folder = root / table
            folder.mkdir(mode=0o700, exist_ok=True)
            for old in folder.iterdir():
                old.unlink()
            target = folder / "part-0.parquet"
            con.execute(
                f"copy warehouse.raw.{quote_ident(table)} to {quote_literal(str(target))} "
                "(format parquet, compression zstd)"
            )
            (written[table],) = con.execute(
                f"select count(*) from warehouse.raw.{quote_ident(table)}"
            ).fetchone()
    remove_other_access(root)
    return written


def built_tables(run_results: Path, manifest: Path) -> list[tuple[str, str]]:
    """``(schema, table)`` of every model and seed the dbt run built as a table (not
    the views), from its ``run_results.json`` and manifest."""
    results = json.loads(run_results.read_text())["results"]
    nodes = json.loads(manifest.read_text())["nodes"]
    out = []
    for result in results:
        node = nodes.get(result["unique_id"])
        if node is None or node["resource_type"] not in ("model", "seed"):
            continue
        if result["status"] != "success" or node["schema"] not in RESULT_SCHEMAS:
            continue
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view":
            continue
        out.append((node["schema"], node["alias"]))
    return out


def declared_columns(manifest: Path) -> dict[tuple[str, str], dict[str, str | None]]:
    """(schema, table) -> the columns its yml declares, in order, with their
    ``data_type`` (None when it gives none), for every model."""
    nodes = json.loads(manifest.read_text())["nodes"]
    return {
        (node["schema"], node["alias"]): {
            name: column.get("data_type") for name, column in node["columns"].items()
        }
        for node in nodes.values()
        if node["resource_type"] == "model"
    }


def table_folder(home: Path, schema: str, table: str) -> Path:
    """Where Spark's catalogue keeps the files of ``schema.table``."""
    return spark_home(home) / "warehouse" / f"{schema}.db" / table


def import_results(
    warehouse: Path,
    home: Path,
    tables: Iterable[tuple[str, str]],
    declared: Mapping[tuple[str, str], Mapping[str, str | None]],
    say: Callable[[str], None] = lambda _m: None,
) -> dict[str, int]:
    """Replace each ``schema.table`` of the warehouse with Spark's Parquet files of it
    (a partition column comes back from its folder names): the declared columns
    first, in their order and cast to their declared type, then any other. Returns
    the rows of each table."""
    imported: dict[str, int] = {}
    with connect(warehouse) as con:
        for schema, table in tables:
            folder = table_folder(home, schema, table)
            if not any(folder.rglob("*.parquet")):
                raise RuntimeError(
                    f"Spark reported {schema}.{table} built, but {folder} holds no Parquet file"
                )
            source = (
                f"read_parquet({quote_literal(str(folder / '**' / '*.parquet'))}, "
                "hive_partitioning = true)"
            )
            found = [
                name
                for (name,) in con.execute(
                    f"select column_name from (describe select * from {source})"
                ).fetchall()
            ]
            types = declared.get((schema, table), {})
            order = [c for c in types if c in found] + [c for c in found if c not in types]
            select = ", ".join(
                f"cast({quote_ident(c)} as {types[c]}) as {quote_ident(c)}"
                if types.get(c)
                else quote_ident(c)
                for c in order
            )
            name = f"warehouse.{quote_ident(schema)}.{quote_ident(table)}"
            con.execute(f"create schema if not exists warehouse.{quote_ident(schema)}")
            con.execute(f"create or replace table {name} as select {select} from {source}")
            (rows,) = con.execute(f"select count(*) from {name}").fetchone()
            imported[f"{schema}.{table}"] = rows
            say(f"{schema}.{table}: {rows:,} rows from Spark")
    return imported
