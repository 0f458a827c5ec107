"""Incremental ingest: a run reads only new or changed landing files, and its tables
are exactly those of reading every file again (a full reload into a new warehouse).

Each scenario ingests a landing folder, changes it (or the run's as-of date, or the
customers), ingests again into the same warehouse, and compares every table ingest
writes (raw, quarantine, unknown columns, the source manifest and the per-file
counts) with a full reload of the final folder, the run-dependent lineage columns
(load time, run id) aside.
"""

import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from contracts.landing import SOURCES
from orchestration.ingest.load import IngestResult, run_ingest
from orchestration.settings import resolve_paths
from tests.conftest import open_db, query, rows_without

AS_OF = dt.date(2026, 10, 31)
HEADER = "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
CUSTOMERS = (
    "customer_id,customer_type,full_name,birth_date,occupation_risk_class,onboarded_date\n"
    "C1,individual,张三,1980-01-02,2,2020-01-01\n"
    "C2,individual,李四,1981-03-04,1,2021-05-06\n"
)
JANUARY = (
    HEADER + "T1,C1,2026-01-01 10:00:00,purchase,10.50\n"
    "T2,C2,2026-01-02 10:00:00,premium,200\n"
    "T3,C1,2026-01-03 10:00:00,gift,5\n"  # unknown type
    "T2,C2,2026-01-02 10:00:00,premium,200\n"  # exact duplicate
)
FEBRUARY = (
    HEADER + "T4,C1,2026-02-01 10:00:00,purchase,7\n"
    "T1,C2,2026-02-02 10:00:00,purchase,99\n"  # T1 again, other content: a key conflict
    "T5,C3,2026-02-03 10:00:00,purchase,1\n"  # unknown customer (until C3 arrives)
    "T6,C1,2026-11-01 09:00:00,purchase,3\n"  # after the as-of date
)
#: tables compared, with the columns that differ between runs by design left out
LINEAGE = ("_loaded_at", "_run_id", "loaded_at", "run_id")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ingest(landing: Path, home: Path, as_of: dt.date = AS_OF) -> dict[str, IngestResult]:
    paths = resolve_paths(home, landing)
    return {n: run_ingest(paths, SOURCES[n], as_of, "run") for n in ("customers", "transactions")}


def tables(home: Path) -> dict[str, list[tuple]]:
    """Every table ingest writes, without lineage columns, in a stable order (one
    connection: opening the encrypted warehouse is most of the cost on this data)."""
    with open_db(home / "warehouse.duckdb") as con:
        return {
            table: rows_without(con, table, LINEAGE)
            for table in (
                "raw.customers",
                "raw.transactions",
                "quarantine.customers",
                "quarantine.transactions",
                "quarantine.transactions_extra_columns",
                "raw.source_manifest",
                "ingest.landing_files",
            )
        }


def full_reload(home: Path, landing: Path, as_of: dt.date = AS_OF) -> dict[str, list[tuple]]:
    """The tables of a new warehouse (with ``home``'s keys, so the same tokens) that
    reads every file of ``landing``."""
    full = home.parent / "full"
    shutil.copytree(home / "keys", full / "keys")
    ingest(landing, full, as_of)
    return tables(full)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    write(folder, "customers.csv", CUSTOMERS)
    write(folder, "transactions/2026-01.csv", JANUARY)
    write(folder, "transactions/2026-02.csv", FEBRUARY)
    return folder


def _change(landing: Path) -> None:
    # a corrected February: T4's amount, T1's conflict withdrawn, a new bad row
    write(
        landing,
        "transactions/2026-02.csv",
        HEADER + "T4,C1,2026-02-01 10:00:00,purchase,8\nT7,C2,2026-02-09 10:00:00,purchase,x\n",
    )


def _remove(landing: Path) -> None:
    (landing / "transactions" / "2026-01.csv").unlink()  # T1's first version leaves


def _redeliver(landing: Path) -> None:
    shutil.copy(landing / "transactions/2026-01.csv", landing / "transactions/2026-01_resent.csv")


def _new_bad_rows(landing: Path) -> None:
    write(
        landing,
        "transactions/2026-03.csv",
        HEADER.replace("\n", ",note\n")  # and a column the contract does not know
        + "T8,C1,2026-03-01 10:00:00,purchase,-4,a\n"  # negative
        "T9,C2,2026-13-01 10:00:00,purchase,4,b\n"  # no such month
        "T4,C1,2026-02-01 10:00:00,purchase,7,\n",  # duplicate of a stored row
    )


def _new_customer(landing: Path) -> None:
    with (landing / "customers.csv").open("a", encoding="utf-8") as fh:
        fh.write("C3,individual,王五,1990-07-08,3,2022-01-01\n")


def _withdraw_customer(landing: Path) -> None:
    # C2 leaves the customers file: its stored transactions become UNKNOWN_CUSTOMER
    lines = (landing / "customers.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (landing / "customers.csv").write_text(
        "".join(line for line in lines if not line.startswith("C2,")), encoding="utf-8"
    )


SCENARIOS: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    # what changes in the folder, and which transaction files the second run reads
    "a changed file replaces exactly its rows": (_change, {"transactions/2026-02.csv"}),
    "a removed file removes its rows": (_remove, set()),
    "a re-delivered file counts as duplicates": (_redeliver, {"transactions/2026-01_resent.csv"}),
    "a new file with bad rows is quarantined": (_new_bad_rows, {"transactions/2026-03.csv"}),
    "a new customer's rows are loaded": (_new_customer, set()),
    "a withdrawn customer's loaded rows are quarantined": (_withdraw_customer, set()),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_second_night_equals_a_full_reload(scenario, landing: Path, tmp_path: Path):
    change, read = SCENARIOS[scenario]
    home = tmp_path / "home"
    ingest(landing, home)
    change(landing)
    results = ingest(landing, home)
    assert set(results["transactions"].files_read) == read
    assert tables(home) == full_reload(home, landing)


def test_an_unchanged_folder_is_not_read_again_and_a_touched_file_neither(
    landing: Path, tmp_path: Path
):
    home = tmp_path / "home"
    first = ingest(landing, home)
    assert set(first["transactions"].files_read) == {
        "transactions/2026-01.csv",
        "transactions/2026-02.csv",
    }
    before = tables(home)
    again = ingest(landing, home)
    assert again["transactions"].files_read == [] and again["customers"].files_read == []
    # a new modification time with the same bytes (a copy, a touch): compared by
    # content, not read again
    path = landing / "transactions" / "2026-01.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    touched = ingest(landing, home)
    assert touched["transactions"].files_read == []
    after = tables(home)
    assert after == full_reload(home, landing)
    # the same rows; only the file's recorded time moved
    assert {k: v for k, v in after.items() if k != "ingest.landing_files"} == {
        k: v for k, v in before.items() if k != "ingest.landing_files"
    }


@pytest.mark.parametrize(
    ("as_of", "sql", "expected"),
    [
        pytest.param(
            dt.date(2026, 11, 30),
            "select count(*) from raw.transactions where transaction_id = 'T6'",
            [(1,)],
            id="a later as-of date releases the rows it held back",
        ),
        pytest.param(
            dt.date(2026, 1, 2),
            "select transaction_id from raw.transactions order by 1",
            [("T1",), ("T2",)],  # T4 (February) left raw
            id="an earlier as-of date holds back rows already loaded",
        ),
    ],
)
def test_another_as_of_date_moves_stored_rows_without_reading_a_file(
    as_of: dt.date, sql: str, expected: list[tuple], landing: Path, tmp_path: Path
):
    """The same files run for another date: rows already stored move between raw
    and the quarantine (a later date releases what was after the first one; a past
    date re-run holds back rows already in raw), though no file is read again."""
    home = tmp_path / "home"
    ingest(landing, home)
    results = ingest(landing, home, as_of)
    assert results["transactions"].files_read == []
    assert tables(home) == full_reload(home, landing, as_of)
    assert query(home / "warehouse.duckdb", sql) == expected


def test_a_night_updates_raw_in_place_and_rows_keep_the_run_that_loaded_them(
    landing: Path, tmp_path: Path
):
    """raw is brought up to date, not rebuilt: the rows of unchanged files keep the
    run id of the night that loaded them; a new file's rows and a released row (T6,
    dated after the first night's as-of date) carry the run that loaded them."""
    home = tmp_path / "home"
    paths = resolve_paths(home, landing)
    for source in ("customers", "transactions"):
        run_ingest(paths, SOURCES[source], AS_OF, "night-1")
    _new_bad_rows(landing)
    later = dt.date(2026, 11, 30)
    for source in ("customers", "transactions"):
        run_ingest(paths, SOURCES[source], later, "night-2")
    runs = dict(
        query(
            home / "warehouse.duckdb",
            "select transaction_id, _run_id from raw.transactions",
        )
    )
    assert runs == {"T1": "night-1", "T2": "night-1", "T4": "night-1", "T6": "night-2"}
    assert tables(home) == full_reload(home, landing, later)


def test_a_removed_first_version_lets_the_later_one_win(landing: Path, tmp_path: Path):
    home = tmp_path / "home"
    ingest(landing, home)
    assert query(
        home / "warehouse.duckdb",
        "select customer_id from raw.transactions where transaction_id = 'T1'",
    ) == [("C1",)]
    _remove(landing)
    ingest(landing, home)
    assert query(
        home / "warehouse.duckdb",
        "select customer_id, _source_file from raw.transactions where transaction_id = 'T1'",
    ) == [("C2", "transactions/2026-02.csv")]


def test_every_file_keeps_its_counts_and_they_add_up(landing: Path, tmp_path: Path):
    home = tmp_path / "home"
    ingest(landing, home)
    _change(landing)
    write(landing, "transactions/2026-03.csv", HEADER)  # a file with no rows yet
    ingest(landing, home)
    rows = query(
        home / "warehouse.duckdb",
        "select file, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
        "from ingest.landing_files where source = 'transactions' order by file",
    )
    assert rows == [
        ("transactions/2026-01.csv", 4, 2, 1, 1),
        ("transactions/2026-02.csv", 2, 1, 1, 0),
        ("transactions/2026-03.csv", 0, 0, 0, 0),
    ]
    manifest = query(
        home / "warehouse.duckdb",
        "select rows_read, rows_loaded, rows_quarantined, rows_duplicate "
        "from raw.source_manifest where source = 'transactions'",
    )
    assert manifest == [tuple(sum(r[i] for r in rows) for i in range(1, 5))]


def test_a_new_contract_encoding_key_or_duckdb_re_reads_every_file(monkeypatch):
    from orchestration.ingest import load

    source = SOURCES["transactions"]
    base = load.store_version(source, b"k" * 32)
    assert load.store_version(source, b"k" * 32) == base
    assert load.store_version(source, b"j" * 32) != base  # another token key
    # another engine read the files (its content hashes are not DuckDB's)
    assert load.store_version(source, b"k" * 32, "spark") != base
    changed = dataclasses.replace(source, columns=source.columns[:-1])  # another contract
    assert load.store_version(changed, b"k" * 32) != base
    monkeypatch.setenv("TIERING_ENCODING_TRANSACTIONS", "gbk")
    assert load.store_version(source, b"k" * 32) != base
    monkeypatch.delenv("TIERING_ENCODING_TRANSACTIONS")
    monkeypatch.setattr(load.duckdb, "__version__", "0.0.0")  # content hashes may change
    assert load.store_version(source, b"k" * 32) != base
