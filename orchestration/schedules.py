"""The nightly job and its schedule.

The job runs every asset from the landing files to the published artefact in one
process (DuckDB allows one writer; dbt runs as a subprocess of that step). The
schedule fires at 02:00 Asia/Shanghai and rates customers as of the previous
business day.
"""

import datetime as dt

import dagster as dg

NIGHTLY_JOB_NAME = "nightly_tiering"
BUSINESS_TZ = "Asia/Shanghai"
#: tag shared by every run that writes the warehouse; the run queue admits one at a
#: time (see orchestration/instance.py).
WAREHOUSE_TAG = {"tiering/warehouse": "writer"}

nightly_job = dg.define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(include_sources=False),
    description="Landing files -> raw -> staging -> intermediate -> marts -> published artefact.",
    executor_def=dg.in_process_executor,
    tags={**WAREHOUSE_TAG, "dagster/max_retries": "1"},
)


def previous_business_day(moment: dt.datetime) -> dt.date:
    """As-of date of a run started at ``moment``: the day before, in Asia/Shanghai."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(BUSINESS_TZ)) if moment.tzinfo else moment
    return local.date() - dt.timedelta(days=1)


def run_config_for(as_of: dt.date | str, **settings: object) -> dg.RunConfig:
    return dg.RunConfig(resources={"tiering": {"config": {"as_of_date": str(as_of), **settings}}})


@dg.schedule(job=nightly_job, cron_schedule="0 2 * * *", execution_timezone=BUSINESS_TZ,
             default_status=dg.DefaultScheduleStatus.STOPPED)
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    as_of = previous_business_day(context.scheduled_execution_time)
    return dg.RunRequest(run_key=f"as_of={as_of}", run_config=run_config_for(as_of),
                         tags={"tiering/as_of_date": str(as_of)})
