"""The nightly job and its schedule.

The job runs every asset from the landing files to the published artefact in one
process (DuckDB allows one writer; dbt runs as a subprocess of that step). The
schedule fires at 02:00 Asia/Shanghai and rates customers as of the previous day.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from orchestration.settings import BUSINESS_TZ, previous_day

NIGHTLY_JOB_NAME = "nightly_tiering"
#: tag shared by every run that writes the warehouse; the run queue admits one at a
#: time (see orchestration/run/instance.py).
WAREHOUSE_TAG = {"tiering/warehouse": "writer"}

#: the monthly governance assets (review, restore drill) have a job of their own
#: (orchestration/security/assets.py) and are not part of the night.
GOVERNANCE_GROUP = "governance"

nightly_job = dg.define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(GOVERNANCE_GROUP),
    description="Landing files -> raw -> staging -> intermediate -> tiers -> history -> "
    "marts -> published artefact.",
    executor_def=dg.in_process_executor,
    tags={**WAREHOUSE_TAG, "dagster/max_retries": "1"},
)


def run_config_for(as_of: dt.date, **settings: object) -> dg.RunConfig:
    return dg.RunConfig(
        resources={"tiering": {"config": {"as_of_date": as_of.isoformat(), **settings}}}
    )


@dg.schedule(
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone=BUSINESS_TZ,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    as_of = previous_day(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"as_of={as_of}",
        run_config=run_config_for(as_of),
        tags={"tiering/as_of_date": str(as_of)},
    )
