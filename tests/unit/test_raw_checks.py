"""The raw stage's pure checks (conservation of rows, the circuit breaker) and the
contract check of a table (pandera, gathered into one query)."""

import dagster as dg
import duckdb
import ibis
import pandera.ibis as pa
import pytest
from ibis.backends.sql.datatypes import DuckDBType
from pandera.backends.ibis.checks import IbisCheckBackend
from pandera.errors import SchemaErrors

from orchestration.contract_check import Contract, describe_schema_errors, validate_table
from orchestration.ingest.checks import circuit_breaker, conservation


def manifest(read, loaded, quarantined, duplicate, source="transactions"):
    return {
        "source": source,
        "rows_read": read,
        "rows_loaded": loaded,
        "rows_quarantined": quarantined,
        "rows_duplicate": duplicate,
    }


def test_conservation_holds_when_every_row_is_accounted_for():
    ok, text = conservation(manifest(100, 90, 7, 3), {"raw": 90, "quarantine": 7}, 0.01)
    assert ok
    assert text == (
        "read 100 = loaded 90 + quarantined 7 + duplicates 3; tables hold raw 90, quarantine 7"
    )


@pytest.mark.parametrize(
    ("m", "counts"),
    [
        (manifest(100, 90, 7, 2), {"raw": 90, "quarantine": 7}),  # one row lost
        (manifest(100, 90, 7, 3), {"raw": 89, "quarantine": 7}),  # raw table short
        (manifest(100, 90, 7, 3), {"raw": 90, "quarantine": 8}),  # quarantine table long
    ],
)
def test_conservation_fails_on_any_lost_or_extra_row(m, counts):
    ok, text = conservation(m, counts, 0.01)
    assert not ok
    assert text.startswith("rows not conserved: read 100")


def test_breaker_counts_defective_rows_not_held_back_ones():
    counts = {
        "defective": 1,
        "reasons": {"FUTURE_DATE:transaction_ts": 40, "INVALID_NUMBER:amount": 1},
    }
    ok, text = circuit_breaker(manifest(100, 59, 41, 0), counts, 0.01)
    assert ok
    assert "1 of 100 rows rejected as defective (1.00%, limit 1.00%)" in text
    assert "40 held back (dated after the as-of date, or of a customer onboarded" in text
    assert "FUTURE_DATE:transaction_ts 40, INVALID_NUMBER:amount 1" in text


def test_breaker_trips_above_the_limit_and_not_on_an_empty_source():
    counts = {"defective": 2, "reasons": {"INVALID_NUMBER:amount": 2}}
    ok, text = circuit_breaker(manifest(100, 98, 2, 0), counts, 0.01)
    assert not ok and "(2.00%, limit 1.00%)" in text
    ok, text = circuit_breaker(manifest(0, 0, 0, 0), {"defective": 0, "reasons": {}}, 0.01)
    assert ok and "top reasons: none" in text


def test_schema_errors_are_described_per_column_and_check_with_examples():
    schema = pa.DataFrameSchema(
        {
            "score": pa.Column(int, pa.Check.in_range(0, 100)),
            "code": pa.Column(str, pa.Check.isin(["A", "B"])),
        },
        name="marts.t",
    )
    table = ibis.memtable({"score": [5, 101, 250, 7], "code": ["A", "B", "Z", "A"]})
    with pytest.raises(SchemaErrors) as info:
        schema.validate(table, lazy=True)
    text, rows = describe_schema_errors("marts.t", info.value)
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("marts.t: column 'code' failed isin")
    assert "(1 case(s), e.g. Z)" in lines[0]
    assert lines[1].startswith("marts.t: column 'score' failed in_range")
    assert "(2 case(s), e.g. 101; 250)" in lines[1]
    assert [(r["column"], r["cases"]) for r in rows] == [("code", 1), ("score", 2)]


# validate_table: the data checks of a table in one query, pandera's report on failure

ROWS = "select * from (values (1, 'A', 'x1', 5), (2, 'B', 'x2', null)) as v(id, code, ref, score)"
VIOLATIONS = {
    "score above the range": (
        "update t set score = 101",
        "score",
        "in_range(0, 100)",
        "(2 case(s), e.g. 101; 101)",
    ),
    "score below the minimum": (
        "update t set score = -1 where id = 1",
        "score",
        "in_range(0, 100)",
        "(1 case(s), e.g. -1)",
    ),
    "code not listed": ("update t set code = 'Z' where id = 1", "code", "isin(['A', 'B'])", "Z)"),
    "ref not matching": (
        "update t set ref = 'y1' where id = 1",
        "ref",
        "str_matches('^x[0-9]$')",
        "(1 case(s), e.g. y1)",
    ),
    "code missing": ("update t set code = null where id = 1", "code", "not_nullable", "None)"),
    # the key's values of every row that shares it
    "id duplicated": (
        "update t set id = 2",
        "(table)",
        "multiple_fields_uniqueness",
        "(2 case(s), e.g. 2; 2)",
    ),
}


def _contract() -> Contract:
    schema = pa.DataFrameSchema(
        {
            "id": pa.Column(DuckDBType.from_string("INTEGER"), nullable=False),
            "code": pa.Column(
                DuckDBType.from_string("VARCHAR"), pa.Check.isin(["A", "B"]), nullable=False
            ),
            "ref": pa.Column(
                DuckDBType.from_string("VARCHAR"), pa.Check.str_matches("^x[0-9]$"), nullable=True
            ),
            "score": pa.Column(
                DuckDBType.from_string("INTEGER"), pa.Check.in_range(0, 100), nullable=True
            ),
        },
        unique=["id"],
        strict=True,
    )
    return Contract(dg.AssetKey(["raw", "t"]), "main", "t", schema)


def _validate(con, monkeypatch) -> tuple[dg.AssetCheckResult, int]:
    """The result, and how many checks pandera ran one by one."""
    calls = []
    original = IbisCheckBackend.postprocess
    monkeypatch.setattr(
        IbisCheckBackend, "postprocess", lambda self, *a: calls.append(1) or original(self, *a)
    )
    return validate_table(ibis.duckdb.from_connection(con), _contract()), len(calls)


def test_a_valid_table_passes_in_one_query_without_pandera_running_each_check(monkeypatch):
    con = duckdb.connect()
    con.execute(f"create table t as {ROWS}")
    result, one_by_one = _validate(con, monkeypatch)
    assert result.passed and result.metadata["rows"].value == 2
    assert one_by_one == 0
    con.execute("delete from t")  # empty: nothing to hold against, the schema holds
    result, _ = _validate(con, monkeypatch)
    assert result.passed and result.metadata["rows"].value == 0


@pytest.mark.parametrize("violation", sorted(VIOLATIONS))
def test_each_violation_fails_with_pandera_naming_the_column_and_check(violation, monkeypatch):
    change, column, check, example = VIOLATIONS[violation]
    con = duckdb.connect()
    con.execute(f"create table t as {ROWS}")
    con.execute(change)
    result, one_by_one = _validate(con, monkeypatch)
    assert not result.passed
    line = f"main.t: column {column!r} failed {check} "
    assert result.description.startswith(line) and result.description.endswith(example)
    assert len(result.description.splitlines()) == 1  # that check alone
    assert one_by_one > 0  # the report comes from pandera's own checks


def test_a_missing_column_fails_as_a_schema_error(monkeypatch):
    con = duckdb.connect()
    con.execute(f"create table t as select id, code, ref from ({ROWS})")
    result, _ = _validate(con, monkeypatch)
    assert not result.passed
    assert "score" in result.description
