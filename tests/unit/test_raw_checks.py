"""The raw stage's pure checks: conservation of rows and the circuit breaker."""

import ibis
import pandera.ibis as pa
import pytest
from pandera.errors import SchemaErrors

from orchestration.contract_check import describe_schema_errors
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
    assert "(2 case(s), e.g. 101, 250)" in lines[1]
    assert [(r["column"], r["cases"]) for r in rows] == [("code", 1), ("score", 2)]
