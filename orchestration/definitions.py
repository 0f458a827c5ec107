"""The Dagster code location: assembles the modules, nothing else."""

import datetime as dt

import dagster as dg

from orchestration.checks import mart_checks, raw_checks
from orchestration.dbt import dbt_resource, tiering_dbt_assets
from orchestration.ingest import landing_specs, manifest_spec, raw_assets
from orchestration.publish import build_published_asset
from orchestration.resources import TieringConfig
from orchestration.schedules import nightly_job, nightly_schedule, previous_business_day

defs = dg.Definitions(
    assets=[*landing_specs, *raw_assets, manifest_spec, tiering_dbt_assets,
            build_published_asset(tiering_dbt_assets)],
    asset_checks=[*raw_checks, *mart_checks],
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    resources={
        "dbt": dbt_resource,
        # Runs launched by hand from the UI default to yesterday in Shanghai; the
        # schedule and the CLI always pass the as-of date explicitly.
        "tiering": TieringConfig(as_of_date=str(previous_business_day(dt.datetime.now(dt.UTC)))),
    },
)
