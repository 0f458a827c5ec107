"""The nightly job and what launches it: the schedule, the landing sensor, and the
month-end backfill.

The job runs every asset from the landing files to the published artefact in one
process (DuckDB allows one writer; dbt runs as a subprocess of that step). The
schedule fires at 02:00 Asia/Shanghai and rates customers as of the previous day. The
optional landing sensor (off by default) starts the same job when landing files
arrive. ``month_end_backfill`` is the same selection partitioned by calendar month:
a backfill over a range of months, launched from the UI (the job's Partitions tab,
or the Backfills page), queues one run per month-end, as of that month's last day;
the run queue admits one warehouse writer at a time, in the order the runs were
queued, so the months are rated one after another, as nightly runs would have.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from contracts.landing import SOURCES
from orchestration.ingest.files import LandingFileError, local_files
from orchestration.settings import BUSINESS_TZ, is_uri, previous_day, resolve_paths

NIGHTLY_JOB_NAME = "nightly_tiering"
#: tag shared by every run that writes the warehouse; the run queue admits one at a
#: time (see orchestration/run/instance.py).
WAREHOUSE_TAG = {"tiering/warehouse": "writer"}

#: the monthly governance assets (review, restore drill) have a job of their own
#: (orchestration/security/assets.py) and are not part of the night.
GOVERNANCE_GROUP = "governance"
#: how often the landing sensor looks at the landing folder (when switched on)
LANDING_SENSOR_INTERVAL_S = 120

#: the month-end backfill job
BACKFILL_JOB_NAME = "month_end_backfill"
#: first month a backfill can rate (YYYY-MM); TIERING_BACKFILL_FROM, read when the code
#: location loads, moves it
DEFAULT_BACKFILL_FROM = "2020-01"

#: everything from the landing files to the published artefact
NIGHTLY_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.groups(GOVERNANCE_GROUP)

nightly_job = dg.define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=NIGHTLY_SELECTION,
    description="Landing files -> raw -> staging -> intermediate -> tiers -> history -> "
    "marts -> published artefact.",
    executor_def=dg.in_process_executor,
    tags={**WAREHOUSE_TAG, "dagster/max_retries": "1"},
)


def run_config_for(as_of: dt.date, **settings: object) -> dg.RunConfig:
    return dg.RunConfig(
        resources={"tiering": {"config": {"as_of_date": as_of.isoformat(), **settings}}}
    )


def month_end(partition_key: str) -> dt.date:
    """The as-of date of a month partition: the last day of that month
    (``"2026-08"`` -> 2026-08-31)."""
    first = dt.datetime.strptime(partition_key, "%Y-%m").date()
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _month_end_run_config(partition_key: str) -> dict:
    config = run_config_for(month_end(partition_key)).to_config_dict()
    return {key: value for key, value in config.items() if value}


def _month_end_tags(partition_key: str) -> dict[str, str]:
    return {"tiering/as_of_date": str(month_end(partition_key)), "tiering/trigger": "backfill"}


#: one partition per calendar month, up to the last month that has ended (in the
#: business time zone)
month_partitions = dg.MonthlyPartitionsDefinition(
    start_date=os.environ.get("TIERING_BACKFILL_FROM", DEFAULT_BACKFILL_FROM),
    fmt="%Y-%m",
    timezone=BUSINESS_TZ,
)

month_end_backfill_job = dg.define_asset_job(
    name=BACKFILL_JOB_NAME,
    selection=NIGHTLY_SELECTION,
    description="The nightly job as of month-ends: select a range of months and launch a "
    "backfill; each month is rated as of its last day, one run after another.",
    config=dg.PartitionedConfig(
        partitions_def=month_partitions,
        run_config_for_partition_key_fn=_month_end_run_config,
        tags_for_partition_key_fn=_month_end_tags,
    ),
    executor_def=dg.in_process_executor,
    tags={**WAREHOUSE_TAG, "dagster/max_retries": "1"},
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


def landing_fingerprint(landing: Path) -> str:
    """A hash of the landing files of every source: path, size and modification time.
    A new, changed or removed file changes it; reading the files is left to the run.
    A folder of this machine only (a lake location is run by the schedule)."""
    entries = []
    for source in SOURCES:
        try:
            files = local_files(landing, source)
        except LandingFileError as exc:  # a refused link: the run will say so too
            entries.append(f"{source}: {exc}")
            continue
        entries += [f"{f.relative}\t{f.size}\t{f.mtime_ns}" for f in files]
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


@dg.sensor(
    job=nightly_job,
    minimum_interval_seconds=LANDING_SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Off by default. Starts the nightly job (as of yesterday) when a landing "
    "file arrives, changes or is removed, once the folder has stayed the same for one "
    "interval (a file still being written does not start a run). The files present when "
    "the sensor is switched on are its baseline.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    landing = resolve_paths().landing
    if is_uri(landing):
        # listing a lake takes a Spark session; the daemon's sensor loop does not start one
        return dg.SkipReason(
            f"the landing sensor watches a local folder; {landing} is a lake location "
            "(run it by the nightly schedule)"
        )
    now = landing_fingerprint(landing)
    cursor = json.loads(context.cursor) if context.cursor else None
    if cursor is None:
        context.update_cursor(json.dumps({"launched": now, "seen": now}))
        return dg.SkipReason(f"baseline recorded: the files now in {landing}")
    if now == cursor["launched"]:
        if now != cursor["seen"]:
            context.update_cursor(json.dumps({**cursor, "seen": now}))
        return dg.SkipReason(f"no new landing file in {landing}")
    if now != cursor["seen"]:
        context.update_cursor(json.dumps({**cursor, "seen": now}))
        return dg.SkipReason("landing files changed; waiting one interval for them to settle")
    as_of = previous_day(dt.datetime.now(dt.UTC))
    context.update_cursor(json.dumps({"launched": now, "seen": now}))
    return dg.RunRequest(
        run_key=f"landing={now[:16]}",
        run_config=run_config_for(as_of),
        tags={"tiering/as_of_date": str(as_of), "tiering/trigger": "landing_sensor"},
    )
