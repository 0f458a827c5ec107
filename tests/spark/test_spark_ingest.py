"""The landing files read and checked by Spark end where DuckDB's reader puts them.

The row checks have one definition (``orchestration.ingest.load.static_reason_exprs``,
DuckDB SQL, transpiled to Spark SQL). Two engines can still read the same text
differently: whether ``2026-10`` is a date, ``1e3`` a decimal, `` 7`` an integer, or
what wall time ``2026-10-31T20:00:00Z`` is. The value matrix below sends the
awkward values of every landing type through both and requires the same verdict and
the same typed value. (The bad-input corpus runs on both engines in
tests/integration/test_bad_input_corpus.py; the demo's three month-ends in
tests/spark/test_engine_equality.py.)
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from contracts.landing import SOURCES, Col
from orchestration.demo import generate
from orchestration.ingest.load import IngestResult, run_ingest, typed_value
from orchestration.ingest.spark import session, spark_sql
from orchestration.settings import resolve_paths
from orchestration.warehouse import quote_literal
from tests.conftest import open_db, store_key
from tests.store_diff import table_differences, tables

pytestmark = pytest.mark.spark

VALUES = {
    "DATE": [
        "2026-10-31",
        "2026-1-5",
        "2026-02-30",
        "2026-10",
        "2026",
        "20261031",
        "2026/10/31",
        "31.10.2026",
        "2026-10-31 10:00:00",
        "2026-10-31T10:00",
        "+2026-10-31",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "2026-10-31Z",
        "2026/10/31 10:00:00",
        "2026/1/5",
        "2026/10-31",
        "2026.10.31",
        "2026 10 31",
        "abc",
    ],
    "TIMESTAMP": [
        "2026-10-31 10:00:00",
        "2026-10-31T10:00:00",
        "2026-10-31",
        "2026-10-31 10:00",
        "2026-10-31 10",
        "2026-10-31T20:00:00Z",
        "2026-10-31 20:00:00+08",
        "2026-10-31 20:00:00+08:00",
        "2026-10-31 20:00:00-0500",
        "2026-10-31 20:00:00.123456",
        "2026-10-31 20:00:00.1234567",
        "2026-10-31 24:00:00",
        "2026-10",
        "2026",
        "2026-10-31 10:00:00 Asia/Shanghai",
        "1700000000",
        "2026/10/31 10:00:00",
        "2026/10/31T20:00:00Z",
        "2026/10-31 10:00:00",
        "abc",
    ],
    "DECIMAL(18,2)": [
        "12.34",
        "-0.01",
        "1e3",
        "1E-2",
        "12.345",
        "12.355",
        "0012",
        "+5",
        ".5",
        "5.",
        "1,000.00",
        "9999999999999999.99",
        "99999999999999999.99",
        "NaN",
        "Infinity",
        "0x1F",
        "12 ",
        "1_000",
        "abc",
    ],
    "INTEGER": [
        "7",
        "-7",
        "+7",
        "007",
        "7.0",
        "7.5",
        "1e3",
        "2147483647",
        "2147483648",
        "0x10",
        "1_000",
        "1,000",
        "abc",
    ],
    "BOOLEAN": [
        "true",
        "false",
        "TRUE",
        "True",
        "t",
        "f",
        "yes",
        "no",
        "y",
        "n",
        "1",
        "0",
        "on",
        "off",
        "2",
        "abc",
    ],
}
CASES = [(t, v) for t, values in VALUES.items() for v in values]
AS_OF = dt.date(2026, 10, 31)
#: forms DuckDB reads and Spark does not (README, "Running on Apache Spark"): on Spark
#: their rows are quarantined with the type's reason instead of loaded. Spark never
#: loads a value DuckDB would refuse: nothing reaches raw as a null.
SPARK_REFUSES = {
    ("DATE", "10000-01-01"),
    ("DATE", "2026-10-31Z"),
    ("DATE", "2026 10 31"),
    ("TIMESTAMP", "2026-10-31 24:00:00"),
    ("DECIMAL(18,2)", "1_000"),
    ("INTEGER", "0x10"),
    ("INTEGER", "1_000"),
}


def _duckdb(col: Col, value: str) -> str | None:
    sql = f"select cast({typed_value(col, quote_literal(value))} as varchar)"
    return duckdb.sql(sql).fetchone()[0]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    return session(tmp_path_factory.mktemp("home"))


def test_every_landing_type_is_read_alike(spark):
    differences, refused = [], set()
    for sql_type, value in CASES:
        col = Col("v", sql_type=sql_type)
        expected = _duckdb(col, value)
        expr = spark_sql(typed_value(col, quote_literal(value), "spark"))
        (got,) = spark.sql(f"select cast({expr} as string)").first()
        if got is None and expected is not None:
            refused.add((sql_type, value))
        elif got != expected:
            differences.append(f"{sql_type} {value!r}: DuckDB {expected!r}, Spark {got!r}")
    assert not differences, "\n".join(differences)
    assert refused == SPARK_REFUSES


def _ingest_all(landing: Path, home: Path, engine: str) -> dict[str, IngestResult]:
    paths = resolve_paths(home, landing)
    return {
        name: run_ingest(paths, source, AS_OF, "equality", engine)
        for name, source in SOURCES.items()
    }


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_landing_folder_ingests_alike(tmp_path, fmt):
    """The demo's landing files (CSV, or Parquet with typed columns), with defects
    added (a CRLF file whose last column is unquoted, a bad amount, a duplicate, a key
    conflict), end in the same raw, quarantine and accounting whether DuckDB or Spark
    reads them."""
    landing = tmp_path / "landing"
    generate(landing, customers=500, months=3, seed=7, as_of=AS_OF, fmt=fmt)
    # the first transaction again, as text (a duplicate, or typed values' text)
    transactions = sorted(landing.rglob(f"transactions*.{fmt}"))[0]
    row = duckdb.sql(
        f"select * from {'read_parquet' if fmt == 'parquet' else 'read_csv'}"
        f"({quote_literal(str(transactions))}) limit 1"
    )
    header = ",".join(row.columns)
    fields = [str(v) for v in row.fetchone()]
    first = ",".join(fields)
    amount = row.columns.index("amount")
    conflict = [*fields[:amount], "99999.99", *fields[amount + 1 :]]
    bad_amount = [f"{fields[0]}-X", *fields[1:amount], "12.5x", *fields[amount + 1 :]]
    (landing / "transactions_extra.csv").write_bytes(
        "\r\n".join([header, first, ",".join(conflict), ",".join(bad_amount), ""]).encode()
    )
    homes = {engine: tmp_path / engine for engine in ("duckdb", "spark")}
    results = {}
    for engine, home in homes.items():
        if engine == "spark":  # the same token key
            shutil.copytree(homes["duckdb"] / "keys", home / "keys")
        results[engine] = _ingest_all(landing, home, engine)
    counts = {
        engine: {
            name: (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_duplicate)
            for name, r in result.items()
        }
        for engine, result in results.items()
    }
    assert counts["spark"] == counts["duckdb"]
    assert counts["duckdb"]["transactions"][2:] >= (2, 1)  # the defects were caught
    with open_db(homes["duckdb"] / "warehouse.duckdb") as con:
        other = homes["spark"] / "warehouse.duckdb"
        con.execute(
            f"attach {quote_literal(str(other))} as other "
            f"(read_only, encryption_key {quote_literal(store_key(other))})"
        )
        names = tables(con, "db", ("raw", "quarantine"))
        assert len(names) >= 2 * len(SOURCES)
        problems = [p for name in names for p in table_differences(con, name, "db", "other")]
    assert not problems, "\n".join(problems)


def test_stopping_the_session_ends_its_jvm(tmp_path):
    """Before the dbt build on Spark the ingest's session gives way: its JVM ends (it
    held 3.9 GiB through the 10M build before), and a later ingest starts a new one."""
    from pyspark import SparkContext

    from orchestration.ingest.spark import stop_session

    assert session(tmp_path / "home").sql("select 1").first()[0] == 1
    jvm = SparkContext._gateway.proc
    stop_session()
    assert jvm.poll() is not None, "the JVM still runs"
    assert session(tmp_path / "home").sql("select 2").first()[0] == 2
