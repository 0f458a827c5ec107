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
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandera.ibis as pa
from ibis.common.exceptions import IbisError
from pandera.api.ibis.types import IbisData
from pandera.backends.ibis.register import register_ibis_backends
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from orchestration.config import TieringConfig
from orchestration.warehouse import connect

MAX_FAILURE_EXAMPLES = 5


def _failure_cells(exc: SchemaErrors) -> list[tuple[str, str, int, list[str]]]:
    """(column, check, number of failing values, examples) per failure case.

    pandera's ibis backend reports a data check's failures with column
    ``'failure_case'`` and the case as ``{column: value}``; the pandas backend (and
    schema-level failures) give the column and the bare value. A not-null or
    uniqueness failure comes as one case holding the (unexecuted) table of the
    failing rows: its rows are read here, the column's values or the unique key's.
    """
    cells = []
    keys = (exc.schema.unique or []) if exc.schema is not None else []
    keys = [keys] if isinstance(keys, str) else list(keys)
    for column, check, case in exc.failure_cases[["column", "check", "failure_case"]].itertuples(
        index=False
    ):
        if isinstance(case, dict) and len(case) == 1:
            ((column, case),) = case.items()
        col = "(table)" if column is None or column != column else str(column)  # NaN -> table
        if isinstance(case, ibis.Table):
            shown = [col] if col in case.columns else [k for k in keys if k in case.columns]
            examples = case.select(*(shown or case.columns)).limit(MAX_FAILURE_EXAMPLES)
            values = [", ".join(map(str, v.values())) for v in examples.to_pyarrow().to_pylist()]
            cells.append((col, str(check), case.count().to_pyarrow().as_py(), values))
        else:
            cells.append((col, str(check), 1, [str(case)]))
    return cells


def describe_schema_errors(table: str, exc: SchemaErrors) -> tuple[str, list[dict]]:
    """Turn pandera's error report into one line per failed column and check."""
    grouped: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for column, check, count, cases in _failure_cells(exc):
        total, examples = grouped.get((column, check), (0, []))
        grouped[(column, check)] = (total + count, examples + cases)
    lines, rows = [], []
    for (column, check), (count, cases) in sorted(grouped.items()):
        examples = cases[:MAX_FAILURE_EXAMPLES]
        lines.append(
            f"{table}: column {column!r} failed {check} "
            f"({count} case(s), e.g. {'; '.join(examples)})"
        )
        rows.append(
            {"table": table, "column": column, "check": check, "cases": count, "examples": examples}
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


def _column_predicates(expr: ibis.Table, schema: pa.DataFrameSchema) -> list[ir.BooleanScalar]:
    """Every data check of ``schema`` as one boolean reduction over ``expr``: true
    when the check holds on every row (NULL for an empty table).

    The predicates come from pandera's own ibis check functions (the built-in checks
    project the checked column of the table they are given), so they mean exactly
    what pandera's checks mean; a check of another shape raises
    :class:`NotImplementedError` and the table is validated by pandera alone.
    """
    register_ibis_backends()  # pandera's check functions for ibis tables
    predicates = []
    for name, column in schema.columns.items():
        values = expr[name]
        if not column.nullable:
            missing = values.isnull()
            if values.type().is_floating():
                missing |= values.isnan()
            predicates.append((~missing).all())
        for check in column.checks:
            # a built-in check's function as pandera's own Check.__call__ looks it up
            # (the dispatcher may have gained the ibis types since the check was made)
            builtin = getattr(check._check_fn, "__name__", None)
            if check.element_wise or not check.is_builtin_check(builtin):
                raise NotImplementedError(f"check {check} of {name!r}")
            function = check.get_builtin_check_fn(builtin)
            out = function(IbisData(expr, name), **check._check_kwargs).op()
            if not (
                isinstance(out, ops.Project) and out.parent == expr.op() and name in out.values
            ):
                raise NotImplementedError(f"check {check} of {name!r}")
            holds = out.values[name].to_expr()
            if check.ignore_na:
                holds |= values.isnull()
            predicates.append(holds.all())
    if schema.checks:
        raise NotImplementedError("table-level checks")
    return predicates


def _data_checks_hold(expr: ibis.Table, schema: pa.DataFrameSchema) -> tuple[int, bool | None]:
    """(rows, whether every data check holds) in one query over the table; ``None``
    when the checks cannot be gathered into one query.

    pandera runs one query per check (about 200 per run, each compiled by ibis: half
    the time of the checks at the demo size, and one scan of the table per check at
    100M rows). Gathered, a table is scanned once; only a table that fails is
    validated check by check, for pandera's report of what failed and where.
    """
    try:
        predicates = _column_predicates(expr, schema)
    except NotImplementedError:
        return expr.count().to_pyarrow().as_py(), None
    measures = [p.name(f"check_{i}") for i, p in enumerate(predicates)]
    if schema.unique:
        keys = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique)
        distinct = ibis.struct({k: expr[k] for k in keys}).nunique()
        measures.append((distinct == expr.count()).name("unique"))
    row = expr.aggregate([expr.count().name("rows"), *measures]).to_pyarrow().to_pylist()[0]
    rows = row.pop("rows")
    # an empty table's reductions are NULL: nothing to hold against
    return rows, all(v is None or v for v in row.values())


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
    try:
        n_rows, holds = _data_checks_hold(expr, contract.schema)
    except IbisError:
        n_rows, holds = expr.count().to_pyarrow().as_py(), None  # e.g. a missing column
    # The data checks pandera still runs: none when they all hold (the columns and
    # types are checked all the same); all of them, for the report, when one fails.
    # pandera's ibis backend reads `all()` of an empty column as a failure (NULL),
    # so an empty table (an absent optional source) is checked for its schema only.
    depth = ValidationDepth.SCHEMA_AND_DATA if n_rows and not holds else ValidationDepth.SCHEMA_ONLY
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
