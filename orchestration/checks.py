"""Contracts wired as blocking Dagster asset checks.

- raw stage: the pandera schema of ``raw.<source>`` (types, nullability, codes,
  bounds, unique key), the conservation of rows (read = loaded + quarantined +
  duplicates) and the quarantine circuit breaker;
- marts: the pandera schema of every tier table.

All run inside DuckDB through pandera's ibis backend. A failing check is blocking,
so nothing downstream of the table (ultimately the publication) runs, and its
description names the table, the column, the check and example values.
"""

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import ibis
import pandera.ibis as pa
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from contracts.landing import SOURCES
from contracts.marts import MART_SCHEMAS
from contracts.raw import RAW_SCHEMAS
from orchestration.ingest import defective_rows, raw_key, top_reasons
from orchestration.resources import TieringConfig
from orchestration.warehouse import connect

MAX_FAILURE_EXAMPLES = 5


def describe_schema_errors(table: str, exc: SchemaErrors) -> tuple[str, list[dict]]:
    """Turn pandera's error report into one line per failed check."""
    lines, rows = [], []
    cases = exc.failure_cases
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
        examples = [str(v) for v in group["failure_case"].head(MAX_FAILURE_EXAMPLES)]
        col = "(table)" if column != column or column is None else column  # NaN -> table
        lines.append(f"{table}: column {col!r} failed {check} "
                     f"({len(group)} case(s), e.g. {', '.join(examples)})")
        rows.append({"table": table, "column": col, "check": str(check),
                     "cases": len(group), "examples": examples})
    return "\n".join(lines), rows


def validate_table(warehouse: Path, schema_name: str, table: str,
                   schema: pa.DataFrameSchema) -> dg.AssetCheckResult:
    """Validate ``schema_name.table`` in the database and report every failure."""
    qualified = f"{schema_name}.{table}"
    con = ibis.duckdb.connect(str(warehouse), read_only=True)
    try:
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
                    passed=False, description=text[:4000],
                    metadata={"rows": n_rows, "failures": dg.MetadataValue.json(rows)})
    finally:
        con.disconnect()
    return dg.AssetCheckResult(passed=True, metadata={"rows": n_rows})


def _contract_check(asset_key: dg.AssetKey, schema_name: str, table: str,
                    schema: pa.DataFrameSchema) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset_key, name="pandera_contract", blocking=True,
                    description=f"pandera contract of {schema_name}.{table}")
    def _check(tiering: TieringConfig) -> dg.AssetCheckResult:
        return validate_table(tiering.paths.warehouse, schema_name, table, schema)

    return _check


def _manifest_check(source: str, name: str, description: str,
                    evaluate: Callable[[dict, dict, float], tuple[bool, str]]
                    ) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=raw_key(source), name=name, blocking=True, description=description)
    def _check(tiering: TieringConfig) -> dg.AssetCheckResult:
        with connect(tiering.paths.warehouse, read_only=True) as con:
            cur = con.execute("select * from raw.source_manifest where source = ?", [source])
            names = [d[0] for d in cur.description]
            found = cur.fetchone()
            if found is None:
                return dg.AssetCheckResult(passed=False,
                                           description=f"no manifest row for {source}")
            manifest = dict(zip(names, found, strict=True))
            counts = {
                "raw": con.execute(f"select count(*) from raw.{source}").fetchone()[0],
                "quarantine": con.execute(
                    f"select count(*) from quarantine.{source}").fetchone()[0],
            }
            counts["reasons"] = top_reasons(con, source)
            counts["defective"] = defective_rows(con, source)
        passed, text = evaluate(manifest, counts, tiering.max_quarantine_share)
        return dg.AssetCheckResult(
            passed=passed, description=text,
            metadata={k: manifest[k] for k in
                      ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")})

    return _check


def conservation(manifest: dict, counts: dict, _threshold: float) -> tuple[bool, str]:
    read, loaded = manifest["rows_read"], manifest["rows_loaded"]
    quarantined, dup = manifest["rows_quarantined"], manifest["rows_duplicate"]
    ok = (read == loaded + quarantined + dup and counts["raw"] == loaded
          and counts["quarantine"] == quarantined)
    text = (f"read {read:,} = loaded {loaded:,} + quarantined {quarantined:,} + "
            f"duplicates {dup:,}; tables hold raw {counts['raw']:,}, "
            f"quarantine {counts['quarantine']:,}")
    return ok, ("" if ok else "rows not conserved: ") + text


def circuit_breaker(manifest: dict, counts: dict, threshold: float) -> tuple[bool, str]:
    read, quarantined = manifest["rows_read"], manifest["rows_quarantined"]
    defective = counts["defective"]
    share = defective / read if read else 0.0
    reasons = ", ".join(f"{k} {v:,}" for k, v in counts["reasons"].items()) or "none"
    held = quarantined - defective
    text = (f"{manifest['source']}: {defective:,} of {read:,} rows rejected as defective "
            f"({share:.2%}, limit {threshold:.2%})"
            + (f", {held:,} held back as dated after the as-of date" if held else "")
            + f"; top reasons: {reasons}")
    return share <= threshold, text


raw_checks = [
    check
    for name in SOURCES
    for check in (
        _contract_check(raw_key(name), "raw", name, RAW_SCHEMAS[name]),
        _manifest_check(name, "rows_conserved", "rows read = loaded + quarantined + duplicates",
                        conservation),
        _manifest_check(name, "quarantine_within_limit",
                        "circuit breaker: quarantined share <= max_quarantine_share",
                        circuit_breaker),
    )
]

mart_checks = [
    _contract_check(dg.AssetKey(["marts", table]), "marts", table, schema)
    for table, schema in MART_SCHEMAS.items()
]
