"""The same job on Apache Spark publishes exactly what it publishes on DuckDB.

Two homes rate the demo data (10,000 customers, 12 months) at three month-ends, as
nightly runs would (each run sees the landing folder cut at its as-of date): one
runs on DuckDB, the other on Spark (``engine="spark"``: Spark reads and checks the
landing files, and dbt-spark builds the models in session mode, a local Spark). The
Spark home starts with the DuckDB home's keys, so that pseudonyms and tokens, which
are keyed per home, come out the same.

After the last month-end every table of every published artefact (general,
confidential, restricted) is compared row by row, all columns but the run's lineage,
and so are the warehouse's rating history and the tier history of the three
month-ends. A difference is reported with the table, the column and example rows.

``make test-spark`` runs it (marker ``spark``; not in ``make test``). dbt's data tests
run in the last month-end's build on each engine (the earlier runs only carry the
history forward). The nightly runs on Spark take a few minutes each on two cores:
Spark answers each of the ~420 dbt nodes in a fraction of a second, DuckDB in
milliseconds.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.demo import generate
from tests.conftest import cut_landing, open_db, run_job, store_key
from tests.store_diff import table_differences, tables

pytestmark = pytest.mark.spark

MONTH_ENDS = ("2026-08-31", "2026-09-30", "2026-10-31")
CLEARANCES = ("general", "confidential", "restricted")
#: per-run bookkeeping tables of an artefact (when, which run), not tier data
BOOKKEEPING = {"_publication"}
#: warehouse tables of the history, compared beside the artefacts
HISTORY_TABLES = ("history.tier_monthly_ratings", "marts.customer_tier_history")


@pytest.fixture(scope="module")
def homes(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("engines")
    full = base / "landing"
    generate(full, customers=10_000, months=12, seed=42, as_of=dt.date(2026, 10, 31))
    landings = {as_of: cut_landing(full, base / f"landing_{as_of}", as_of) for as_of in MONTH_ENDS}
    homes = {"duckdb": base / "duckdb", "spark": base / "spark"}
    for engine, home in homes.items():
        if engine == "spark":
            # the same keys: pseudonyms and tokens are keyed per home
            shutil.copytree(homes["duckdb"] / "keys", home / "keys")
        for as_of in MONTH_ENDS:
            # dbt's data tests run in the last month-end's build (on each engine); the
            # earlier ones only carry the history forward
            last = as_of == MONTH_ENDS[-1]
            run = run_job(home, landings[as_of], as_of, engine=engine, dbt_tests=last)
            assert run.exit_code == 0, f"{engine} {as_of}:\n{run.output[-6000:]}"
        # the Spark home's tables were built by Spark: its catalogue holds them
        built = home / "spark" / "warehouse" / "marts.db" / "customer_tiers"
        assert built.is_dir() is (engine == "spark"), built
    return homes


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The published tables of the artefact attached as ``db`` (no bookkeeping)."""
    return [t for t in tables(con, "db") if t.split(".", 1)[1] not in BOOKKEEPING]


def _differences(duck: Path, spark: Path, names: list[str] | None = None) -> list[str]:
    """Per table that differs: its name, and the columns or example rows that differ."""
    problems = []
    with open_db(duck) as con:
        con.execute(
            f"attach '{spark}' as spark_db (read_only, encryption_key '{store_key(spark)}')"
        )
        for name in names or _tables(con):
            problems.extend(table_differences(con, name, "db", "spark_db"))
    return problems


def test_every_published_table_is_the_same_on_spark_and_duckdb(homes):
    problems = []
    compared = 0
    for clearance in CLEARANCES:
        duck = homes["duckdb"] / "published" / clearance / "tiers.duckdb"
        spark = homes["spark"] / "published" / clearance / "tiers.duckdb"
        with open_db(duck) as con:
            compared += len(_tables(con))
        problems.extend(_differences(duck, spark))
    assert not problems, "\n".join(problems)
    # the three artefacts hold the tier tables, the history and the migration
    assert compared >= 3 * 15, compared


def test_the_history_of_three_month_ends_is_the_same_on_spark_and_duckdb(homes):
    duck, spark = (homes[e] / "warehouse.duckdb" for e in ("duckdb", "spark"))
    problems = _differences(duck, spark, list(HISTORY_TABLES))
    assert not problems, "\n".join(problems)
    with open_db(spark) as con:
        months = con.execute(
            "select count(distinct rating_month) from history.tier_monthly_ratings"
        ).fetchone()[0]
    assert months == len(MONTH_ENDS)
