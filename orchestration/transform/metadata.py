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
build's events are yielded after it, in their order).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from orchestration.transform.registry import TierScheme, tier_schemes
from orchestration.warehouse import connect, quote_ident


def schemes_by_model() -> dict[str, list[TierScheme]]:
    """``{model: its schemes}`` of the registry (tier models and effective marts)."""
    out: dict[str, list[TierScheme]] = defaultdict(list)
    for scheme in tier_schemes():
        out[scheme.model].append(scheme)
    return dict(out)


def tier_metadata(
    warehouse: Path, models: Mapping[str, list[TierScheme]], as_of: dt.date
) -> dict[str, dict[str, object]]:
    """``{model: metadata}`` of the models in ``models`` that exist in the warehouse
    (read-only, one connection; a dbt model's name is unique in the project, whatever
    its schema)."""
    out: dict[str, dict[str, object]] = {}
    with connect(warehouse, read_only=True) as con:
        schema_of: dict[str, str] = {}
        present: set[tuple[str, str]] = set()
        for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()"
        ).fetchall():
            schema_of[table] = schema
            present.add((table, column))
        for model, schemes in models.items():
            schemes = [s for s in schemes if (model, s.code_column) in present]
            if not schemes:
                continue
            table = f"{quote_ident(schema_of[model])}.{quote_ident(model)}"
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            entries: list[dg.TableRecord] = []
            numbers: dict[str, object] = {}
            for scheme in schemes:
                for code, n in con.execute(
                    f"select coalesce({quote_ident(scheme.code_column)}, 'NULL') as code, "
                    f"count(*) from {table} group by 1 order by 1"
                ).fetchall():
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
                if (model, "rule_version") in present
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
