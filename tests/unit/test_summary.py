"""The run summary's own figures, on a small in-memory warehouse."""

import duckdb

from orchestration.run.summary import (
    overrides_in_force,
    overrides_line,
    unmapped_education_levels,
    unmapped_education_line,
)


def test_unmapped_education_levels_are_counted():
    con = duckdb.connect()
    assert unmapped_education_levels(con) is None  # no tiers (a failed run): no line
    con.execute("create schema marts")
    con.execute(
        "create table marts.customer_education_tier as select * from (values "
        "('C1', '博士后', true), ('C2', '博士后', true), ('C3', '大学', true), "
        "('C4', '本科', false), ('C5', null, false)) "
        "as t (customer_id, education_level, education_level_unmapped)"
    )
    assert unmapped_education_levels(con) == (3, 2)
    line = unmapped_education_line((3, 2))
    assert line.startswith("unmapped education levels: 3 customers, 2 distinct value(s)")
    assert unmapped_education_line((0, 0)) == "unmapped education levels: 0"


def test_manual_overrides_in_force_are_counted_per_scheme():
    con = duckdb.connect()
    assert overrides_in_force(con) is None  # no tiers (a failed run): no line
    con.execute("create schema marts")
    con.execute(
        "create table marts.customer_tier_overrides as select * from (values "
        "('C1', 'value_tier'), ('C2', 'value_tier'), ('C1', 'credit_grade')) "
        "as t (customer_id, scheme)"
    )
    assert overrides_in_force(con) == {"credit_grade": 1, "value_tier": 2}
    assert overrides_line({"credit_grade": 1, "value_tier": 2}) == (
        "manual overrides in force: 3 (credit_grade 1, value_tier 2; marts.customer_tier_overrides)"
    )
    assert overrides_line({}) == "manual overrides in force: 0"
