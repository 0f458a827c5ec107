"""Two attached DuckDB stores compared table by table, row by row.

Used where two runs must have produced the same tables: the Spark engine against
DuckDB (tests/spark) and the benchmark's engines (tests/benchmarks/bench_pipeline.py).
Columns that record when or by which run a row was written are left out.
"""

from __future__ import annotations

import duckdb

#: run-dependent columns: when and by which run a row was written
LINEAGE = frozenset(
    {"_invocation_id", "_loaded_at", "_run_id", "published_at", "loaded_at", "run_id"}
)


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> list[tuple[str, str]]:
    schema, table = name.split(".")
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...] = ()
) -> list[str]:
    """``schema.table`` of every table of ``catalog`` (of ``schemas`` when given)."""
    return [
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ? order by 1, 2",
            [catalog],
        ).fetchall()
        if not schemas or schema in schemas
    ]


def table_differences(
    con: duckdb.DuckDBPyConnection, name: str, left: str, right: str
) -> list[str]:
    """How table ``name`` (``schema.table``) differs between the catalogs ``left`` and
    ``right``: its columns (names and types, in order), or the rows only in one of
    them (counted with duplicates, all columns but lineage) with up to four examples.
    Empty when they are the same."""
    left_columns, right_columns = _columns(con, left, name), _columns(con, right, name)
    if not right_columns:
        return [f"{name}: missing in {right}"]
    if left_columns != right_columns:
        return [f"{name}: columns differ: {left} {left_columns} {right} {right_columns}"]
    compared = ", ".join(f'"{c}"' for c, _ in left_columns if c not in LINEAGE)
    left_only, right_only = (
        con.execute(
            f"select count(*) from (select {compared} from {a}.{name} "
            f"except all select {compared} from {b}.{name})"
        ).fetchone()[0]
        for a, b in ((left, right), (right, left))
    )
    if not (left_only or right_only):
        return []
    examples = con.execute(
        f"(select '{left}' as side, {compared} from {left}.{name} "
        f"except all select '{left}', {compared} from {right}.{name}) "
        f"union all (select '{right}', {compared} from {right}.{name} "
        f"except all select '{right}', {compared} from {left}.{name}) order by 2, 1 limit 4"
    ).fetchall()
    return [f"{name}: {left_only} row(s) only in {left}, {right_only} only in {right}: {examples}"]
