"""What the Dagster UI shows of a tier table after each build.

Every materialisation of a tier asset (a model of the scheme registry) carries:

- ``dagster/row_count``: its rows (one per customer);
- ``as_of_date`` and ``rule_version`` (the rule versions of its rows);
- ``tier_distribution``: a table of customers and shares per scheme and tier code;
- one number per scheme and tier, ``tiers/<scheme>/<code>``: numeric metadata, which
  the UI plots run over run on the asset's page (how many customers each tier holds
  each night).

The dbt subprocess holds the warehouse while it builds, so the job reads these after
the build, in one connection, and attaches them to the models' outputs then (the
build's events are yielded after it, in their order). The per-scheme counts are the
same query as the run summary's (:func:`scheme_distribution`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.transform.registry import TierScheme, tier_schemes
from orchestration.warehouse import connect, quote_ident, table_columns


def schemes_by_model() -> dict[str, list[TierScheme]]:
    """``{model: its schemes}`` of the registry (tier models and effective marts)."""
    out: dict[str, list[TierScheme]] = defaultdict(list)
    for scheme in tier_schemes():
        out[scheme.model].append(scheme)
    return dict(out)


#: the schema of the tier tables (the tiers and the effective marts alike)
TIERS_SCHEMA = "marts"


def scheme_distribution(
    con: duckdb.DuckDBPyConnection, table: str, scheme: TierScheme, columns: set[str]
) -> list[tuple[str | None, str | None, int]]:
    """(code, English label, customers) of ``scheme`` in the tier table ``table`` (whose
    ``columns`` are given), best tier first (by rank, else the most frequent first).
    The run summary prints it; the tier assets' metadata carry it."""
    code = quote_ident(scheme.code_column)
    label = quote_ident(scheme.label_column) if scheme.label_column in columns else code
    order = (
        f"min({quote_ident(scheme.rank_column)})"
        if scheme.rank_column in columns
        else "count(*) desc"
    )
    return con.execute(
        f"select {code}, any_value({label}), count(*) "
        f"from {TIERS_SCHEMA}.{quote_ident(table)} group by {code} order by {order}, {code}"
    ).fetchall()


def tier_metadata(
    warehouse: Path, models: Mapping[str, list[TierScheme]], as_of: dt.date
) -> dict[str, dict[str, object]]:
    """``{model: metadata}`` of the tier tables of ``models`` that are in the warehouse
    (read-only, one connection)."""
    out: dict[str, dict[str, object]] = {}
    with connect(warehouse, read_only=True) as con:
        for model, schemes in models.items():
            columns = table_columns(con, model, TIERS_SCHEMA)
            schemes = [s for s in schemes if s.code_column in columns]
            if not schemes:
                continue
            table = f"{TIERS_SCHEMA}.{quote_ident(model)}"
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            entries: list[dg.TableRecord] = []
            numbers: dict[str, object] = {}
            for scheme in schemes:
                for code, _, n in scheme_distribution(con, model, scheme, columns):
                    code = code or "NULL"
                    entries.append(
                        dg.TableRecord(
                            {
                                "scheme": scheme.scheme,
                                "tier_code": code,
                                "customers": n,
                                "share": round(n / rows, 4) if rows else 0.0,
                            }
                        )
                    )
                    numbers[f"tiers/{scheme.scheme}/{code}"] = dg.MetadataValue.int(n)
            versions = (
                [
                    v
                    for (v,) in con.execute(
                        f"select distinct rule_version from {table} order by 1"
                    ).fetchall()
                ]
                if "rule_version" in columns
                else []
            )
            out[model] = {
                "dagster/row_count": dg.MetadataValue.int(rows),
                "as_of_date": as_of.isoformat(),
                "rule_version": ", ".join(str(v) for v in versions if v is not None),
                "tier_distribution": dg.MetadataValue.table(
                    entries,
                    schema=dg.TableSchema(
                        columns=[
                            dg.TableColumn("scheme", "string"),
                            dg.TableColumn("tier_code", "string"),
                            dg.TableColumn("customers", "int"),
                            dg.TableColumn("share", "float"),
                        ]
                    ),
                ),
                **numbers,
            }
    return out
