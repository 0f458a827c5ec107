"""A landing location in a lake (``tiering run --engine spark --landing s3a://…``).

Spark finds, checks and reads the files through Hadoop's FileSystem: the listing by
the landing folder's rules, size and time from the file system, the bytes (encoding,
sha256) streamed from it. ``file://`` is one such file system and needs no service,
so these tests use it; ``s3a://`` or ``abfss://`` differ only in the connector and its
credentials, which are the cluster's. A file's name is Spark's to read literally:
``customers [1].csv`` is not a pattern.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from contracts.landing import SOURCES
from orchestration.demo import generate
from orchestration.ingest.files import LandingFileError
from orchestration.ingest.lake import lake_files
from orchestration.ingest.load import run_ingest
from orchestration.ingest.spark import session
from orchestration.settings import resolve_paths
from orchestration.warehouse import quote_literal
from tests.conftest import open_db, store_key
from tests.store_diff import table_differences, tables

pytestmark = pytest.mark.spark

AS_OF = dt.date(2026, 10, 31)

#: names Spark's readers would take as a pattern, or a URI would spell differently
ODD_NAMES = [
    "customers [1].csv",
    "customers 1.csv",  # what "customers [1].csv" matches as a pattern
    "customers {a,b} *?.csv",
    "customers_é x.csv",
    "customers/p%20q.csv",
    "customers/2026-10 #1.csv",
    "customers/[p] {q}.parquet",
]


def _odd_landing(tmp_path: Path, names: list[str]) -> tuple[Path, dict[str, set[str]]]:
    """The demo's customers, spread over oddly named files."""
    landing = tmp_path / "landing"
    generate(landing, customers=60, months=1, seed=3, as_of=AS_OF)
    original = landing / "customers.csv"
    header, *rows = original.read_text(encoding="utf-8").splitlines()
    original.unlink()
    expected = {}
    for number, name in enumerate(names):
        part = rows[number :: len(names)]
        (landing / name).parent.mkdir(exist_ok=True)
        text = "\n".join([header, *part, ""])
        if name.endswith(".parquet"):
            (tmp_path / "part.csv").write_text(text, encoding="utf-8")
            duckdb.sql(
                f"copy (from read_csv('{tmp_path / 'part.csv'}', all_varchar = true)) "
                f"to {quote_literal(str(landing / name))} (format parquet)"
            )
        else:
            (landing / name).write_text(text, encoding="utf-8")
        expected[name] = {row.split(",")[0] for row in part}
    return landing, expected


@pytest.mark.parametrize("where", ["folder", "uri"])
def test_each_oddly_named_file_reads_its_own_rows(tmp_path, where):
    # a ':' is a URI scheme to Hadoop: a local file is read through a plain-named link
    names = [*ODD_NAMES, "customers/2026:10.csv"] if where == "folder" else ODD_NAMES
    landing, expected = _odd_landing(tmp_path, names)
    location = landing.as_uri() if where == "uri" else str(landing)
    paths = resolve_paths(tmp_path / "home", location)
    result = run_ingest(paths, SOURCES["customers"], AS_OF, "odd", "spark")
    assert sorted(result.files) == sorted(names)
    assert result.rows_read == result.rows_loaded == sum(len(ids) for ids in expected.values())
    with open_db(paths.warehouse) as con:
        found: dict[str, set[str]] = {}
        for file, customer in con.execute(
            "select _source_file, customer_id from raw.customers"
        ).fetchall():
            found.setdefault(file, set()).add(customer)
    assert found == expected


def test_a_lake_file_hadoop_cannot_open_is_refused_by_name(tmp_path):
    landing, _ = _odd_landing(tmp_path, ["customers.csv", "customers/2026:10.csv"])
    paths = resolve_paths(tmp_path / "home", landing.as_uri())
    with pytest.raises(LandingFileError, match=r"customers/2026:10\.csv: a ':' in a file name"):
        run_ingest(paths, SOURCES["customers"], AS_OF, "odd", "spark")


def test_a_lake_location_reads_only_what_changed(tmp_path):
    """Size and time from the file system decide what is unchanged; a touched file
    is compared by its sha256, streamed from the file system; the outcome equals
    DuckDB's reading of the same folder."""
    landing = tmp_path / "landing"
    generate(landing, customers=60, months=2, seed=3, as_of=AS_OF)
    # a GB18030 file: its encoding is found from the streamed bytes
    text = (landing / "customers.csv").read_text(encoding="utf-8")
    (landing / "customers.csv").write_bytes(text.encode("gb18030"))
    lake = resolve_paths(tmp_path / "lake-home", landing.as_uri())
    names = ("customers", "transactions")

    def ingest():
        return {n: run_ingest(lake, SOURCES[n], AS_OF, "lake", "spark") for n in names}

    first = ingest()
    assert first["transactions"].files_read == [
        "transactions/transactions_2026-09.csv",
        "transactions/transactions_2026-10.csv",
    ]
    assert first["customers"].rows_loaded == 60
    with open_db(lake.warehouse) as con:
        assert con.execute(
            "select encoding from ingest.landing_files where file = 'customers.csv'"
        ).fetchone() == ("gb18030",)
    assert all(r.files_read == [] for r in ingest().values())

    september = landing / "transactions" / "transactions_2026-09.csv"
    october = landing / "transactions" / "transactions_2026-10.csv"
    os.utime(september, (1_700_000_000, 1_700_000_000))  # touched: same content
    again = ingest()["transactions"]
    assert (again.files_read, again.files_dropped) == ([], [])
    lines = october.read_text(encoding="utf-8").splitlines()
    october.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # a row less
    september.unlink()
    changed = ingest()["transactions"]
    assert changed.files_read == ["transactions/transactions_2026-10.csv"]
    assert changed.files_dropped == ["transactions/transactions_2026-09.csv"]
    assert changed.rows_read == len(lines) - 2

    folder = resolve_paths(tmp_path / "duckdb-home", landing)
    shutil.copytree(lake.keys, folder.keys)  # the same token key
    for n in names:
        run_ingest(folder, SOURCES[n], AS_OF, "lake", "duckdb")
    with open_db(folder.warehouse) as con:
        con.execute(
            f"attach '{lake.warehouse}' as lake "
            f"(read_only, encryption_key '{store_key(lake.warehouse)}')"
        )
        compared = tables(con, "db", ("raw", "quarantine"))
        assert {"raw.customers", "raw.transactions"} <= set(compared)
        problems = [p for t in compared for p in table_differences(con, t, "db", "lake")]
    assert not problems, "\n".join(problems)


def test_a_lake_location_that_cannot_be_listed_is_named(tmp_path):
    spark = session(tmp_path / "home")
    # no connector for the scheme on this classpath (hadoop-aws is the cluster's)
    with pytest.raises(
        LandingFileError,
        match=r"s3a://bank-landing/tiering: cannot list the landing location: .*"
        r"Class org\.apache\.hadoop\.fs\.s3a\.S3AFileSystem not found",
    ):
        lake_files(spark, "s3a://bank-landing/tiering", "customers")
    # a location with nothing in it: a mandatory source fails as in an empty folder
    paths = resolve_paths(tmp_path / "home", (tmp_path / "nothing").as_uri())
    with pytest.raises(LandingFileError, match=r"no file for mandatory source 'customers'"):
        run_ingest(paths, SOURCES["customers"], AS_OF, "empty", "spark")


def test_a_link_in_a_file_uri_location_is_refused(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("customer_id\nC1\n")
    (landing / "customers.csv").symlink_to(outside)
    with pytest.raises(LandingFileError, match=r"customers\.csv: symbolic link"):
        lake_files(session(tmp_path / "home"), landing.as_uri(), "customers")
