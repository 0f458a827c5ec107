"""Ingest: every row read ends in raw, quarantine (with a reason) or the duplicate count."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from contracts.landing import SOURCES
from orchestration.ingest.files import LandingFileError, find_files
from orchestration.ingest.load import run_ingest
from orchestration.security.keys import KeyStore
from orchestration.security.tokens import token
from orchestration.security.vault import reveal
from orchestration.settings import resolve_paths
from tests.conftest import query

AS_OF = dt.date(2026, 10, 31)
CUSTOMERS = (
    "customer_id,customer_type,full_name,birth_date,occupation_risk_class,onboarded_date\n"
    "C1,individual,张三,1980-01-02,2,2020-01-01\n"
    "C2,individual,李四,1981-03-04,1,2021-05-06\n"
)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def ingest_all(landing: Path, warehouse: Path, names=("customers", "transactions")) -> dict:
    return {
        n: run_ingest(resolve_paths(warehouse.parent, landing), SOURCES[n], AS_OF, "run-1")
        for n in names
    }


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    write(folder, "customers.csv", CUSTOMERS)
    return folder


def test_bad_rows_are_quarantined_with_file_row_and_reason(landing: Path, tmp_path: Path):
    write(
        landing,
        "transactions.csv",
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        "T1,C1,2026-01-01 10:00:00,purchase,10.50\n"  # ok
        "T2,C9,2026-01-01 10:00:00,purchase,10.50\n"  # unknown customer
        "T3,C1,2026-01-01 10:00:00,gift,10.50\n"  # unknown type
        "T4,C1,2026-01-01 10:00:00,purchase,-1\n"  # negative amount
        "T5,C1,2026-13-01 10:00:00,purchase,1\n"  # bad date
        "T6,C1,2026-01-01 10:00:00,purchase,1x\n"  # bad number
        "T7,C1,2026-11-01 00:00:00,purchase,1\n"  # after the as-of date
        ",C1,2026-01-01 10:00:00,purchase,1\n"  # missing key
        "T1,C1,2026-01-01 10:00:00,purchase,10.50\n"  # exact duplicate of T1
        "T1,C2,2026-01-01 10:00:00,purchase,99.00\n",
    )  # same key, other content
    wh = tmp_path / "warehouse.duckdb"
    result = ingest_all(landing, wh)["transactions"]
    assert (
        result.rows_read,
        result.rows_loaded,
        result.rows_quarantined,
        result.rows_duplicate,
    ) == (10, 1, 8, 1)
    got = query(
        wh,
        "select _source_file, _source_row, reason_code, reason "
        "from quarantine.transactions order by _source_row",
    )
    assert got == [
        ("transactions.csv", 2, "UNKNOWN_CUSTOMER", "UNKNOWN_CUSTOMER:customer_id"),
        ("transactions.csv", 3, "UNKNOWN_CODE", "UNKNOWN_CODE:transaction_type"),
        ("transactions.csv", 4, "NEGATIVE_AMOUNT", "NEGATIVE_AMOUNT:amount"),
        ("transactions.csv", 5, "INVALID_DATE", "INVALID_DATE:transaction_ts"),
        ("transactions.csv", 6, "INVALID_NUMBER", "INVALID_NUMBER:amount"),
        ("transactions.csv", 7, "FUTURE_DATE", "FUTURE_DATE:transaction_ts"),
        ("transactions.csv", 8, "MISSING_REQUIRED", "MISSING_REQUIRED:transaction_id"),
        ("transactions.csv", 10, "KEY_CONFLICT", "KEY_CONFLICT:transaction_id"),
    ]
    # the original text is kept, not the cast value
    assert query(wh, "select amount from quarantine.transactions where _source_row = 6") == [
        ("1x",)
    ]
    assert query(wh, "select transaction_id, amount, _source_row from raw.transactions") == [
        ("T1", pytest.approx(10.5), 1)
    ]


def test_reingesting_the_same_files_does_not_duplicate(landing: Path, tmp_path: Path):
    write(
        landing,
        "transactions.csv",
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        "T1,C1,2026-01-01 10:00:00,purchase,10.50\n",
    )
    wh = tmp_path / "warehouse.duckdb"
    ingest_all(landing, wh)
    ingest_all(landing, wh)
    assert query(wh, "select count(*) from raw.transactions") == [(1,)]
    assert query(wh, "select count(*) from raw.customers") == [(2,)]


def test_redelivered_file_under_another_name_is_counted_as_duplicates(landing, tmp_path):
    body = (
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        "T1,C1,2026-01-01 10:00:00,purchase,10.50\n"
        "T2,C2,2026-01-02 10:00:00,premium,200\n"
    )
    write(landing, "transactions/day1.csv", body)
    write(landing, "transactions/day1_resent.csv", body)
    result = ingest_all(landing, tmp_path / "warehouse.duckdb")["transactions"]
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (4, 2, 2)
    assert result.rows_quarantined == 0


def test_missing_required_column_fails_naming_file_and_column(landing, tmp_path):
    write(
        landing,
        "transactions.csv",
        "transaction_id,customer_id,transaction_ts,amount\nT1,C1,2026-01-01,1\n",
    )
    with pytest.raises(LandingFileError, match=r"transactions\.csv.*transaction_type"):
        ingest_all(landing, tmp_path / "warehouse.duckdb")


def test_failed_ingest_keeps_the_previous_raw_table(landing, tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    good = write(
        landing,
        "transactions.csv",
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        "T1,C1,2026-01-01 10:00:00,purchase,10.50\n",
    )
    ingest_all(landing, wh)
    good.write_text("transaction_id,customer_id\nT1,C1\n")
    with pytest.raises(LandingFileError):
        ingest_all(landing, wh)
    assert query(wh, "select transaction_id from raw.transactions") == [("T1",)]


def test_empty_file_fails(landing, tmp_path):
    write(landing, "transactions.csv", "")
    with pytest.raises(LandingFileError, match=r"transactions\.csv: empty file"):
        ingest_all(landing, tmp_path / "warehouse.duckdb")


def test_missing_mandatory_source_fails_and_optional_source_is_empty(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "customers.csv", CUSTOMERS)
    wh = tmp_path / "warehouse.duckdb"
    run_ingest(resolve_paths(wh.parent, landing), SOURCES["customers"], AS_OF, "r")
    result = run_ingest(resolve_paths(wh.parent, landing), SOURCES["balances"], AS_OF, "r")
    assert not result.is_present
    assert query(
        wh, "select is_present, rows_read from raw.source_manifest where source = 'balances'"
    ) == [(False, 0)]
    assert query(wh, "select count(*) from raw.balances") == [(0,)]
    with pytest.raises(LandingFileError, match="mandatory source 'transactions'"):
        run_ingest(resolve_paths(wh.parent, landing), SOURCES["transactions"], AS_OF, "r")


def test_encodings_bom_gbk_crlf_and_quoted_newlines(tmp_path):
    landing = tmp_path / "landing"
    write(
        landing,
        "customers/a_bom.csv",
        '\ufeffcustomer_id,full_name,city\r\nC1,张三,"上海,浦东"\r\n',
        "utf-8",
    )
    write(
        landing, "customers/b_gbk.csv", 'customer_id,full_name,city\nC2,李四,"北京\n朝阳"\n', "gbk"
    )
    paths = resolve_paths(tmp_path, landing)
    result = run_ingest(paths, SOURCES["customers"], AS_OF, "r")
    assert result.rows_loaded == 2
    pii = KeyStore(tmp_path).key("pii")
    assert query(
        paths.warehouse, "select customer_id, full_name_token, city from raw.customers order by 1"
    ) == [("C1", token(pii, "张三"), "上海,浦东"), ("C2", token(pii, "李四"), "北京\n朝阳")]
    assert reveal(paths, "C2") == {"full_name": "李四"}


def test_undecodable_file_fails_with_a_clear_message(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    write(landing, "customers.csv", "customer_id,full_name\nC1,张三\n", "utf-16")
    monkeypatch.setenv("TIERING_ENCODING_CUSTOMERS", "utf-8")
    with pytest.raises(LandingFileError, match=r"customers\.csv: not readable as utf-8"):
        run_ingest(resolve_paths(tmp_path, landing), SOURCES["customers"], AS_OF, "r")


def test_unknown_column_is_kept_aside_and_reported(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "customers.csv", "customer_id,shoe_size\nC1,42\n")
    wh = tmp_path / "warehouse.duckdb"
    result = run_ingest(resolve_paths(wh.parent, landing), SOURCES["customers"], AS_OF, "r")
    assert result.extra_columns == ["customers.csv:shoe_size"]
    # the name and a token stay in the warehouse; the value is in the vault only
    value_token = token(KeyStore(tmp_path).key("pii"), "42")
    assert query(
        wh,
        "select _source_file, _source_row, column_name, value_token "
        "from quarantine.customers_extra_columns",
    ) == [("customers.csv", 1, "shoe_size", value_token)]
    assert query(resolve_paths(tmp_path).vault, "select column_name, value from token_values") == [
        ("extra:shoe_size", "42")
    ]


def test_corporate_columns_are_optional_typed_and_checked(tmp_path):
    """The companies' business facts (corporate credit rule) are optional: a customers
    file of an earlier contract without them still loads (NULL), one with them loads
    them typed, and a negative amount or an unknown market position is quarantined."""
    landing = tmp_path / "landing"
    write(landing, "customers/a_old.csv", "customer_id,customer_type\nP1,individual\n")
    write(
        landing,
        "customers/b_new.csv",
        "customer_id,customer_type,registered_capital,annual_revenue,market_position,"
        "years_in_business\n"
        "K1,corporate,5000000.00,12000000.50,major,12\n"
        "K2,corporate,,,,\n"
        "K3,corporate,-1,,,\n"
        "K4,corporate,,,dominant,\n",
    )
    paths = resolve_paths(tmp_path, landing)
    result = run_ingest(paths, SOURCES["customers"], AS_OF, "r")
    assert (result.rows_loaded, result.rows_quarantined) == (3, 2)
    assert query(
        paths.warehouse,
        "select customer_id, registered_capital, annual_revenue, market_position, "
        "years_in_business from raw.customers order by 1",
    ) == [
        ("K1", Decimal("5000000.00"), Decimal("12000000.50"), "major", 12),
        ("K2", None, None, None, None),
        ("P1", None, None, None, None),
    ]
    assert query(
        paths.warehouse, "select customer_id, reason from quarantine.customers order by 1"
    ) == [
        ("K3", "NEGATIVE_AMOUNT:registered_capital"),
        ("K4", "UNKNOWN_CODE:market_position"),
    ]


def test_parquet_files_are_read(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 'C' || i as customer_id, date '2020-01-01' as onboarded_date "
            f"from range(3) t(i)) to '{landing / 'customers.parquet'}' (format parquet)"
        )
    result = run_ingest(resolve_paths(tmp_path, landing), SOURCES["customers"], AS_OF, "r")
    assert result.rows_loaded == 3


def test_find_files_matches_prefix_and_folder_only(tmp_path):
    landing = tmp_path / "landing"
    for name in (
        "customers.csv",
        "customers_2026.csv",
        "customersegments.csv",
        "transactions.csv",
        "customers/x.parquet",
        "customers/notes.txt",
    ):
        write(landing, name, "x\n")
    found = [p.relative_to(landing).as_posix() for p in find_files(landing, "customers")]
    assert found == ["customers.csv", "customers/x.parquet", "customers_2026.csv"]


def test_class_a_values_are_only_tokens_in_raw_and_quarantine_and_clear_in_the_vault(tmp_path):
    landing = tmp_path / "landing"
    write(
        landing,
        "customers.csv",
        "customer_id,full_name,national_id,phone,birth_date\n"
        "C1,王小明,11010119900101123X,13800138000,1990-01-01\n"
        "C2,赵六,110101199202021234,13912345678,not-a-date\n",  # quarantined
    )
    paths = resolve_paths(tmp_path, landing)
    result = run_ingest(paths, SOURCES["customers"], AS_OF, "r")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    pii = KeyStore(tmp_path).key("pii")
    assert query(paths.warehouse, "select national_id_token from quarantine.customers") == [
        (token(pii, "110101199202021234"),)
    ]
    assert reveal(paths, "C1") == {
        "full_name": "王小明",
        "national_id": "11010119900101123X",
        "phone": "13800138000",
    }
    # not one byte of a clear value in the (encrypted) warehouse file
    data = paths.warehouse.read_bytes()
    for value in ("王小明", "赵六", "11010119900101123X", "110101199202021234", "13912345678"):
        assert value.encode() not in data


def test_a_file_name_with_glob_characters_is_loaded_in_full(landing: Path, tmp_path: Path):
    header = "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
    # DuckDB would read "[1]" as a character class matching "transactions_1.csv"
    write(landing, "transactions_[1].csv", header + "T1,C1,2026-01-01 10:00:00,purchase,1\n")
    write(landing, "transactions_1.csv", header + "T2,C1,2026-01-02 10:00:00,purchase,2\n")
    write(landing, "transactions_*.csv", header + "T3,C2,2026-01-03 10:00:00,purchase,3\n")
    result = ingest_all(landing, tmp_path / "warehouse.duckdb")["transactions"]
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (3, 3, 0)
    assert query(
        tmp_path / "warehouse.duckdb",
        "select _source_file, transaction_id from raw.transactions order by 2",
    ) == [
        ("transactions_[1].csv", "T1"),
        ("transactions_1.csv", "T2"),
        ("transactions_*.csv", "T3"),
    ]


@pytest.mark.parametrize("where", ["file", "folder"])
def test_symlinks_out_of_the_landing_folder_are_refused(landing: Path, tmp_path: Path, where):
    outside = tmp_path / "elsewhere"
    secret = write(outside, "transactions.csv", "transaction_id\nT9\n")
    if where == "file":
        (landing / "transactions.csv").symlink_to(secret)
        named = "transactions.csv"
    else:
        (landing / "transactions").symlink_to(outside)
        named = "transactions"
    with pytest.raises(LandingFileError, match=rf"{named}.*symbolic link.*refused"):
        ingest_all(landing, tmp_path / "warehouse.duckdb")


def test_rows_of_a_held_back_customer_are_held_back_not_defects(tmp_path: Path):
    """Re-running a past date on today's files: a customer onboarded after the as-of
    date is held back, and so are their rows (not UNKNOWN_CUSTOMER defects)."""
    landing = tmp_path / "landing"
    write(
        landing,
        "customers.csv",
        CUSTOMERS + "C3,individual,王五,1990-01-01,1,2026-11-15\n"  # onboarded after AS_OF
        "C4,individual,赵六,1990-01-01,9,2026-11-15\n",  # also out of range: defective
    )
    write(
        landing,
        "transactions.csv",
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        "T1,C1,2026-01-01 10:00:00,purchase,1\n"
        "T2,C3,2026-10-01 10:00:00,purchase,1\n"  # customer held back
        "T3,C4,2026-10-01 10:00:00,purchase,1\n"  # customer rejected: unknown
        "T4,C9,2026-10-01 10:00:00,purchase,1\n",  # never delivered: unknown
    )
    wh = tmp_path / "warehouse.duckdb"
    ingest_all(landing, wh)
    assert query(wh, "select customer_id, reason_code from quarantine.transactions order by 1") == [
        ("C3", "CUSTOMER_HELD_BACK"),
        ("C4", "UNKNOWN_CUSTOMER"),
        ("C9", "UNKNOWN_CUSTOMER"),
    ]
    from orchestration.ingest.load import defective_rows
    from orchestration.warehouse import connect

    with connect(wh) as con:
        assert defective_rows(con, "transactions") == 2
        assert defective_rows(con, "customers") == 1


def test_overrides_are_checked_against_the_scheme_registry(landing: Path, tmp_path: Path):
    """A manual override names a scheme of the registry and a code of that scheme's
    codes seed, and ends no earlier than it starts; otherwise it is quarantined with the
    named reason and counted as a defect. One starting after the as-of date is held
    back (not a defect); an expired one is loaded (the models let it lapse)."""
    write(
        landing,
        "overrides.csv",
        "override_id,customer_id,scheme,tier_code,override_reason,approved_by,valid_from,"
        "valid_until\n"
        "OV1,C1,value_tier,VIP,战略合作客户,零售业务部 E10217,2026-10-01,2026-12-31\n"
        "OV2,C1,vip_level,VIP,no such scheme,E1,2026-10-01,\n"
        "OV3,C1,value_tier,STAR_7,a star level is no value tier,E1,2026-10-01,\n"
        "OV4,C1,value_tier,UNRATED,a status is no tier,E1,2026-10-01,\n"
        "OV5,C2,credit_grade,D,ends before it starts,E2,2026-10-01,2026-09-30\n"
        "OV6,C2,credit_grade,D,starts after the as-of date,E2,2026-11-01,\n"
        "OV7,C2,loyalty_tier,HIGH,expired,E3,2026-07-01,2026-09-30\n"
        "OV8,C2,pipeline_stage,E,a stage the need status forces,E4,2026-10-31,\n"
        "OV9,C2,effective_star_level,STAR_6,an effective scheme,E4,2026-10-31,2026-10-31\n"
        "OV10,C1,loyalty_tier,HIGH,,E3,2026-10-01,\n",
    )
    wh = tmp_path / "warehouse.duckdb"
    result = ingest_all(landing, wh, names=("customers", "overrides"))["overrides"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (10, 4, 6)
    assert query(wh, "select override_id, reason from quarantine.overrides order by 1") == [
        ("OV10", "MISSING_REQUIRED:override_reason"),
        ("OV2", "UNKNOWN_CODE:scheme"),
        ("OV3", "UNKNOWN_CODE:tier_code"),
        ("OV4", "UNKNOWN_CODE:tier_code"),
        ("OV5", "INVALID_PERIOD:valid_until"),
        ("OV6", "FUTURE_DATE:valid_from"),
    ]
    assert query(wh, "select override_id from raw.overrides order by 1") == [
        ("OV1",),
        ("OV7",),
        ("OV8",),
        ("OV9",),
    ]
    from orchestration.ingest.load import defective_rows
    from orchestration.warehouse import connect

    with connect(wh) as con:
        assert defective_rows(con, "overrides") == 5  # the held-back OV6 is no defect


@pytest.mark.parametrize(
    "ts, loaded",
    [
        ("2026-10-31T20:00:00Z", None),  # 04:00 on 1 November in Shanghai: after the date
        ("2026-10-31 15:59:59+00:00", dt.datetime(2026, 10, 31, 23, 59, 59)),
        ("2026-10-31T23:30:00+08:00", dt.datetime(2026, 10, 31, 23, 30)),
        ("2026-11-01T00:30:00+0900", dt.datetime(2026, 10, 31, 23, 30)),
        ("2026-10-31 23:30:00", dt.datetime(2026, 10, 31, 23, 30)),  # no offset: business time
        ("2026-10-31", dt.datetime(2026, 10, 31)),  # a date alone is not an offset
    ],
)
def test_timestamps_with_an_offset_are_converted_to_business_time(tmp_path: Path, ts, loaded):
    landing = tmp_path / "landing"
    write(landing, "customers.csv", CUSTOMERS)
    write(
        landing,
        "transactions.csv",
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        f"T1,C1,{ts},purchase,1\n",
    )
    wh = tmp_path / "warehouse.duckdb"
    ingest_all(landing, wh)
    rows = query(wh, "select transaction_ts from raw.transactions")
    if loaded is None:
        assert rows == []
        assert query(wh, "select reason from quarantine.transactions") == [
            ("FUTURE_DATE:transaction_ts",)
        ]
    else:
        assert rows == [(loaded,)]
