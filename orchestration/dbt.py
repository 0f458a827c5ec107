"""The dbt project as Dagster assets (staging -> intermediate -> marts, seeds, history).

Asset keys and groups come from the dbt folder a model lives in, so
``models/marts/customer_star_tier.sql`` is ``marts/customer_star_tier`` in group
``marts``. dbt sources carry ``meta.dagster.asset_key`` = ``raw/<source>``, which
joins the ingest assets and the dbt models into one lineage graph. dbt data tests
become asset checks; a failing test fails the dbt step, so nothing downstream runs.
"""

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import DBT_PROJECT_DIR, TieringConfig, pii_key

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# `dagster dev` re-parses on load so edits show up; `make` builds the manifest once.
dbt_project.prepare_if_dev()

#: resource types that become assets, and the group of those not under models/.
_GROUP_BY_TYPE = {"seed": "seeds", "snapshot": "history"}


def nightly_build_args() -> tuple[str, ...]:
    """``dbt build`` flags of the nightly run: everything but the unit tests.

    dbt's own ``DBT_EXCLUDE_RESOURCE_TYPES``, when set, decides instead (a CLI flag
    would override it), e.g. ``"unit_test test"`` for a throwaway backfill.
    """
    if os.environ.get("DBT_EXCLUDE_RESOURCE_TYPES"):
        return ()
    return ("--exclude-resource-type", "unit_test")


class TieringDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        resource_type = props["resource_type"]
        if resource_type == "source":
            return spec
        # fqn = [project, folder, ..., name]; the first folder is the layer.
        layer = _GROUP_BY_TYPE.get(resource_type) or props["fqn"][1]
        return spec.replace_attributes(key=dg.AssetKey([layer, props["name"]]), group_name=layer)


def dbt_env(tiering: TieringConfig) -> dict[str, str]:
    """Environment the dbt subprocess needs: warehouse path and the PII token key."""
    return {
        "TIERING_WAREHOUSE": str(tiering.paths.warehouse),
        # dbt scrubs DBT_ENV_SECRET_* values from its logs.
        "DBT_ENV_SECRET_PII_KEY": pii_key(),
    }


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=TieringDbtTranslator(),
            project=dbt_project)
def tiering_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                       tiering: TieringConfig):
    # dbt reads its profile from the environment of the subprocess it runs in.
    os.environ.update(dbt_env(tiering))
    dbt_vars = json.dumps({"as_of_date": tiering.as_of_date})
    # dbt unit tests pin the rules on fixed inputs: they do not depend on the night's
    # data, so they run in CI (`make test`, tests/test_dbt_unit_tests.py), not nightly.
    yield from dbt.cli(["build", "--vars", dbt_vars, *nightly_build_args()],
                       context=context).stream()


def _dbt_executable() -> str:
    """The dbt installed beside this Python (the venv), so an unactivated venv works."""
    for candidate in (Path(sys.prefix) / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return "dbt"


dbt_resource = DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable())
