"""The Dagster code location: assembles the sub-packages, nothing else."""

import dagster as dg

from orchestration.ingest.assets import landing_specs, manifest_spec, raw_assets
from orchestration.ingest.checks import raw_checks
from orchestration.publish.assets import build_published_asset
from orchestration.run.resource import TieringRun
from orchestration.run.schedules import (
    landing_sensor,
    month_end_backfill_job,
    nightly_job,
    nightly_schedule,
)
from orchestration.security.assets import (
    governance_assets,
    governance_checks,
    governance_job,
    governance_schedule,
)
from orchestration.transform.assets import dbt_resource, tiering_dbt_assets
from orchestration.transform.checks import mart_checks

defs = dg.Definitions(
    assets=[
        *landing_specs,
        *raw_assets,
        manifest_spec,
        tiering_dbt_assets,
        build_published_asset(tiering_dbt_assets),
        *governance_assets,
    ],
    asset_checks=[*raw_checks, *mart_checks, *governance_checks],
    jobs=[nightly_job, month_end_backfill_job, governance_job],
    schedules=[nightly_schedule, governance_schedule],
    sensors=[landing_sensor],
    # A run launched by hand from the UI without an as-of date rates the day before
    # it starts (read when it starts); the schedule, the backfill and the CLI always
    # pass one.
    resources={"dbt": dbt_resource, "tiering": TieringRun()},
)
