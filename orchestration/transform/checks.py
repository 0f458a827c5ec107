"""pandera contracts of the published tables (tiers and marts), from the dbt manifest.

dbt enforces each model's contract and runs its tests while building; these
blocking checks validate the built tables once more in DuckDB, with schemas derived
from the same manifest (see :mod:`contracts.marts`), so the publication never copies
a table that does not match its contract.
"""

import json

import dagster as dg

from contracts.marts import mart_schemas, published_models
from orchestration.contract_check import Contract, stage_checks
from orchestration.transform.assets import dbt_project


def _build() -> dg.AssetChecksDefinition:
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    schemas = mart_schemas(manifest)
    return stage_checks(
        "published_table_contracts",
        "pandera contracts of the tables the publication copies",
        [
            Contract(
                dg.AssetKey([node["fqn"][1], node["name"]]),
                node["schema"],
                node["name"],
                schemas[node["name"]],
            )
            for node in published_models(manifest)
        ],
    )


mart_checks = [_build()]
