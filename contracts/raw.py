"""Raw-stage contracts: pandera (ibis backend) schemas of the ``raw.<source>`` tables.

Built from the landing contract, so there is one definition of every column. They
run inside DuckDB as Dagster asset checks; ingest has already quarantined bad
rows, so a failure here means the ingest itself is wrong, and it blocks the run.
"""

from __future__ import annotations

import pandera.ibis as pa
from ibis.backends.sql.datatypes import DuckDBType

from contracts.landing import LINEAGE_COLUMNS, SOURCES, TOKEN_PATTERN, Source


def _checks(col) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if col.info_class == "A":
        # raw holds the token of a class A value, never the value itself
        return [pa.Check.str_matches(f"^{TOKEN_PATTERN}$")]
    if col.allowed:
        checks.append(pa.Check.isin(list(col.allowed)))
    if col.allowed_per:
        # the codes of every value of the other column (the ingest checks the pairs)
        _, per_value = col.allowed_per
        checks.append(pa.Check.isin(sorted({c for _, codes in per_value for c in codes})))
    if col.min is not None:
        checks.append(pa.Check.ge(col.min))
    if col.max is not None:
        checks.append(pa.Check.le(col.max))
    if col.pattern:
        checks.append(pa.Check.str_matches(f"^(?:{col.pattern})$"))
    return checks


def raw_schema(source: Source) -> pa.DataFrameSchema:
    columns = {
        c.stored_name: pa.Column(
            DuckDBType.from_string(c.stored_type),
            _checks(c),
            nullable=not c.required,
            description=c.description or None,
        )
        for c in source.columns
    }
    for name, sql_type in LINEAGE_COLUMNS:
        columns[name] = pa.Column(DuckDBType.from_string(sql_type), nullable=False)
    return pa.DataFrameSchema(
        columns,
        name=f"raw.{source.name}",
        unique=list(source.key),
        strict=True,
        description=source.description,
    )


RAW_SCHEMAS: dict[str, pa.DataFrameSchema] = {name: raw_schema(s) for name, s in SOURCES.items()}
