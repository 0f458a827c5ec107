"""pandera contracts as blocking Dagster asset checks, validated inside DuckDB.

Shared by the raw stage (schemas from the landing contract) and the tiers and marts
(schemas derived from the dbt manifest). pandera's ibis backend runs the checks in
the database; a failure's description names the table, the column, the check and
example values.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import ibis
import pandera.ibis as pa
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from orchestration.security.keys import KeyStore
from orchestration.security.stores import attach_sql
from orchestration.settings import TieringConfig

MAX_FAILURE_EXAMPLES = 5


def _failure_cells(exc: SchemaErrors) -> list[tuple[str, str, str]]:
    """(column, check, failing value) per failure case.

    pandera's ibis backend reports a data check's failures with column
    ``'failure_case'`` and the case as ``{column: value}``; the pandas backend (and
    schema-level failures) give the column and the bare value. Both are read here.
    """
    cells = []
    for column, check, case in exc.failure_cases[["column", "check", "failure_case"]].itertuples(
        index=False
    ):
        if isinstance(case, dict) and len(case) == 1:
            ((column, case),) = case.items()
        col = "(table)" if column is None or column != column else str(column)  # NaN -> table
        cells.append((col, str(check), str(case)))
    return cells


def describe_schema_errors(table: str, exc: SchemaErrors) -> tuple[str, list[dict]]:
    """Turn pandera's error report into one line per failed column and check."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for column, check, case in _failure_cells(exc):
        grouped.setdefault((column, check), []).append(case)
    lines, rows = [], []
    for (column, check), cases in sorted(grouped.items()):
        examples = cases[:MAX_FAILURE_EXAMPLES]
        lines.append(
            f"{table}: column {column!r} failed {check} "
            f"({len(cases)} case(s), e.g. {', '.join(examples)})"
        )
        rows.append(
            {
                "table": table,
                "column": column,
                "check": check,
                "cases": len(cases),
                "examples": examples,
            }
        )
    return "\n".join(lines), rows


def validate_table(
    warehouse: Path, schema_name: str, table: str, schema: pa.DataFrameSchema
) -> dg.AssetCheckResult:
    """Validate ``schema_name.table`` in the database and report every failure."""
    qualified = f"{schema_name}.{table}"
    con = ibis.duckdb.connect()
    try:
        # the warehouse is encrypted: attached read-only with its home's key
        key = KeyStore(Path(warehouse).parent).text("warehouse")
        con.raw_sql(attach_sql(Path(warehouse), key, "warehouse", read_only=True))
        con.raw_sql("use warehouse")
        if table not in con.list_tables(database=schema_name):
            return dg.AssetCheckResult(passed=False, description=f"{qualified} does not exist")
        expr = con.table(table, database=schema_name)
        n_rows = expr.count().to_pyarrow().as_py()
        # pandera's ibis backend reads `all()` of an empty column as a failure (NULL),
        # so an empty table (an absent optional source) is checked for its schema only.
        depth = ValidationDepth.SCHEMA_AND_DATA if n_rows else ValidationDepth.SCHEMA_ONLY
        with config_context(validation_depth=depth):
            try:
                schema.validate(expr, lazy=True)
            except SchemaErrors as exc:
                text, rows = describe_schema_errors(qualified, exc)
                return dg.AssetCheckResult(
                    passed=False,
                    description=text[:4000],
                    metadata={"rows": n_rows, "failures": dg.MetadataValue.json(rows)},
                )
    finally:
        con.disconnect()
    return dg.AssetCheckResult(passed=True, metadata={"rows": n_rows})


def contract_check(
    asset_key: dg.AssetKey, schema_name: str, table: str, schema: pa.DataFrameSchema
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="pandera_contract",
        blocking=True,
        description=f"pandera contract of {schema_name}.{table}",
    )
    def _check(tiering: TieringConfig) -> dg.AssetCheckResult:
        return validate_table(tiering.paths.warehouse, schema_name, table, schema)

    return _check
