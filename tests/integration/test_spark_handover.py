"""The hand-over between the warehouse and Spark (orchestration.transform.spark).

The whole job on Spark against the whole job on DuckDB is tests/spark (make
test-spark); here the pieces around the dbt build, with Parquet files standing in for
Spark's tables, so they run in seconds without Spark.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import build_parser
from orchestration.settings import engine_of
from orchestration.transform import spark
from orchestration.warehouse import connect


def test_the_engine_is_the_argument_then_the_environment_then_duckdb():
    assert engine_of(None, {}) == "duckdb"
    assert engine_of(None, {"TIERING_ENGINE": "Spark "}) == "spark"
    assert engine_of("duckdb", {"TIERING_ENGINE": "spark"}) == "duckdb"
    with pytest.raises(ValueError, match="unknown engine 'flink': one of duckdb, spark"):
        engine_of("flink", {})
    assert build_parser().parse_args(["run", "--engine", "spark"]).engine == "spark"
    assert build_parser().parse_args(["demo"]).engine is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--engine", "flink"])


def test_raw_tables_are_handed_to_spark_as_private_parquet(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with connect(warehouse) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.customers as select 'C' || i as customer_id, "
            "cast(i as decimal(18, 2)) as amount from range(5) t(i)"
        )
        con.execute("create table raw.leads (customer_id varchar)")
        con.execute("create view raw.not_a_table as select 1")
    old = tmp_path / "spark" / "raw" / "customers" / "part-7.parquet"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"a previous night's file")

    assert spark.export_raw(warehouse, tmp_path) == {"customers": 5, "leads": 0}

    folder = tmp_path / "spark" / "raw"
    assert sorted(p.name for p in folder.iterdir()) == ["customers", "leads"]
    assert [p.name for p in (folder / "customers").iterdir()] == ["part-0.parquet"]
    rows = duckdb.sql(
        f"select customer_id, amount from '{folder}/customers/*.parquet' order by 1"
    ).fetchall()
    assert rows[0] == ("C0", 0) and len(rows) == 5
    for path in [folder, *folder.rglob("*")]:
        assert path.stat().st_mode & 0o007 == 0, path


def _spark_table(home: Path, schema: str, table: str, sql: str, partition: str = "") -> None:
    """A table as Spark leaves it: Parquet part files, a partition column only in the
    folder names."""
    folder = spark.table_folder(home, schema, table)
    folder.mkdir(parents=True)
    options = f"format parquet, partition_by ({partition})" if partition else "format parquet"
    target = folder if partition else folder / "part-00000.parquet"
    duckdb.sql(f"copy ({sql}) to '{target}' ({options})")


def test_spark_results_come_back_in_declared_order_and_types(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _spark_table(
        tmp_path,
        "marts",
        "customer_tiers",
        "select cast(1 as bigint) as tier_rank, 'C1' as customer_id, 'helper' as extra",
    )
    _spark_table(
        tmp_path,
        "history",
        "tier_monthly_ratings",
        "select 'C' || i as customer_id, date '2026-09-01' + to_months(i) as rating_month "
        "from range(2) t(i)",
        partition="rating_month",
    )
    declared = {
        ("marts", "customer_tiers"): {"customer_id": "string", "tier_rank": "integer"},
        ("history", "tier_monthly_ratings"): {"customer_id": None, "rating_month": "date"},
    }
    imported = spark.import_results(
        warehouse,
        tmp_path,
        [("marts", "customer_tiers"), ("history", "tier_monthly_ratings")],
        declared,
    )
    assert imported == {"marts.customer_tiers": 1, "history.tier_monthly_ratings": 2}
    with connect(warehouse, read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = 'warehouse' order by table_name, ordinal_position"
        ).fetchall()
        assert columns == [
            ("customer_tiers", "customer_id", "VARCHAR"),
            ("customer_tiers", "tier_rank", "INTEGER"),
            ("customer_tiers", "extra", "VARCHAR"),
            ("tier_monthly_ratings", "customer_id", "VARCHAR"),
            ("tier_monthly_ratings", "rating_month", "DATE"),
        ]
        assert con.execute(
            "select customer_id, cast(rating_month as varchar) "
            "from history.tier_monthly_ratings order by 1"
        ).fetchall() == [("C0", "2026-09-01"), ("C1", "2026-10-01")]


def test_a_table_spark_reports_without_files_is_an_error_that_names_it(tmp_path):
    spark.table_folder(tmp_path, "marts", "customer_tiers").mkdir(parents=True)
    with pytest.raises(RuntimeError, match=r"marts\.customer_tiers built, but .* no Parquet"):
        spark.import_results(
            tmp_path / "warehouse.duckdb", tmp_path, [("marts", "customer_tiers")], {}
        )


def test_only_the_tables_the_build_made_come_back(tmp_path):
    def node(kind, schema, name, materialized="table"):
        return {
            "resource_type": kind,
            "schema": schema,
            "alias": name,
            "config": {"materialized": materialized},
            "columns": {"customer_id": {"data_type": "string"}, "note": {}},
        }

    nodes = {
        "model.t.a": node("model", "marts", "customer_tiers"),
        "model.t.v": node("model", "staging", "stg_core__transactions", "view"),
        "model.t.h": node("model", "history", "tier_monthly_ratings", "incremental"),
        "model.t.f": node("model", "marts", "tier_migration"),
        "seed.t.s": node("seed", "seeds", "star_level_bands", "seed"),
        "test.t.x": node("test", "marts", "not_null_x", "test"),
    }
    results = [
        {"unique_id": uid, "status": "fail" if uid == "test.t.x" else "success"} for uid in nodes
    ]
    results[3]["status"] = "error"  # tier_migration failed: nothing to bring back
    (tmp_path / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))

    assert spark.built_tables(tmp_path / "run_results.json", tmp_path / "manifest.json") == [
        ("marts", "customer_tiers"),
        ("history", "tier_monthly_ratings"),
        ("seeds", "star_level_bands"),
    ]
    declared = spark.declared_columns(tmp_path / "manifest.json")
    assert declared[("marts", "customer_tiers")] == {"customer_id": "string", "note": None}
    assert ("seeds", "star_level_bands") not in declared


def test_driver_memory_is_derived_from_the_machine_unless_set(tmp_path):
    # a quarter of the machine's memory, at least 2 GiB
    assert spark.default_driver_memory(24 << 30) == "6144m"
    assert spark.default_driver_memory(4 << 30) == "2048m"
    env = spark.dbt_spark_env(tmp_path / "home", environ={})
    assert env[spark.DRIVER_MEMORY_VARIABLE] == spark.default_driver_memory()
    env = spark.dbt_spark_env(tmp_path / "home", environ={spark.DRIVER_MEMORY_VARIABLE: "9g"})
    assert env[spark.DRIVER_MEMORY_VARIABLE] == "9g"
