"""pandera contracts as blocking Dagster asset checks, validated inside DuckDB.

Shared by the raw stage (schemas from the landing contract) and the tiers and marts
(schemas derived from the dbt manifest). pandera's ibis backend runs the checks in
the database; a failure's description names the table, the column, the check and
example values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg
import duckdb
import ibis
import pandera.ibis as pa
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from orchestration.settings import TieringConfig
from orchestration.warehouse import connect

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


#: the name of a table's pandera check, under its asset (``raw/customers:pandera_contract``)
CONTRACT_CHECK = "pandera_contract"


#: a check of :func:`stage_checks` besides the contracts: (open warehouse, run config)
#: -> its result
CheckFn = Callable[[duckdb.DuckDBPyConnection, TieringConfig], dg.AssetCheckResult]


@dataclass(frozen=True)
class Contract:
    """The pandera schema of one table of the warehouse and the asset it belongs to."""

    asset_key: dg.AssetKey
    schema_name: str
    table: str
    schema: pa.DataFrameSchema

    @property
    def check_key(self) -> dg.AssetCheckKey:
        return dg.AssetCheckKey(self.asset_key, CONTRACT_CHECK)

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            CONTRACT_CHECK,
            asset=self.asset_key,
            blocking=True,
            description=f"pandera contract of {self.schema_name}.{self.table}",
        )


def validate_table(backend: ibis.BaseBackend, contract: Contract) -> dg.AssetCheckResult:
    """Validate ``contract``'s table through ``backend`` (ibis on the open warehouse)
    and report every failure."""
    qualified = f"{contract.schema_name}.{contract.table}"
    result = functools.partial(
        dg.AssetCheckResult, asset_key=contract.asset_key, check_name=CONTRACT_CHECK
    )
    if contract.table not in backend.list_tables(database=contract.schema_name):
        return result(passed=False, description=f"{qualified} does not exist")
    expr = backend.table(contract.table, database=contract.schema_name)
    n_rows = expr.count().to_pyarrow().as_py()
    # pandera's ibis backend reads `all()` of an empty column as a failure (NULL),
    # so an empty table (an absent optional source) is checked for its schema only.
    depth = ValidationDepth.SCHEMA_AND_DATA if n_rows else ValidationDepth.SCHEMA_ONLY
    with config_context(validation_depth=depth):
        try:
            contract.schema.validate(expr, lazy=True)
        except SchemaErrors as exc:
            text, rows = describe_schema_errors(qualified, exc)
            return result(
                passed=False,
                description=text[:4000],
                metadata={"rows": n_rows, "failures": dg.MetadataValue.json(rows)},
            )
    return result(passed=True, metadata={"rows": n_rows})


def stage_checks(
    name: str,
    description: str,
    contracts: Sequence[Contract],
    more: Sequence[tuple[dg.AssetCheckSpec, CheckFn]] = (),
) -> dg.AssetChecksDefinition:
    """The blocking checks of one stage as one step: every table's pandera contract,
    and ``more`` checks (spec, function of the open warehouse and the run config),
    on one read-only connection to the warehouse.

    One step per stage rather than one per check: each step costs Dagster's step
    overhead and opening the encrypted warehouse (about 0.1 s together), which at 34
    checks was a tenth of a small run. Each check still has its own key, result and
    blocking flag in the UI; a subset of the checks (the UI's selection) runs only
    the selected ones.
    """
    others = {dg.AssetCheckKey(spec.asset_key, spec.name): fn for spec, fn in more}

    @dg.multi_asset_check(
        specs=[*(c.spec() for c in contracts), *(spec for spec, _ in more)],
        name=name,
        description=description,
        can_subset=True,
    )
    def _checks(context, tiering: TieringConfig):  # context: AssetCheckExecutionContext
        selected = context.selected_asset_check_keys
        with connect(tiering.paths.warehouse, read_only=True) as con:
            backend = ibis.duckdb.from_connection(con)
            for contract in contracts:
                if contract.check_key in selected:
                    yield validate_table(backend, contract)
            for key, fn in others.items():
                if key in selected:
                    yield fn(con, tiering)

    return _checks
