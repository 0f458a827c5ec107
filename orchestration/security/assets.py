"""The monthly governance job: a restore drill, then the access review.

``restore_drill`` backs the home up into a temporary folder and restores it into a
temporary home (:func:`orchestration.security.backup.restore_drill`); a failed drill
is recorded in the access log and fails its own check, and the review still runs and
reports it. ``governance_review`` writes the review of the run's date; its blocking
check fails when no review was attested within the period (the previous month's
review was not attested in time by information security).

The job carries the warehouse writer tag: the drill holds each store open while it
copies it, so it queues behind a nightly run instead of racing it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.config import TieringConfig
from orchestration.run.schedules import WAREHOUSE_TAG
from orchestration.security import backup, governance, review
from orchestration.settings import BUSINESS_TZ, asset_labels

GOVERNANCE_GROUP = "governance"
GOVERNANCE_JOB_NAME = "governance_monthly"
#: the date of the review a run writes (set by the schedule; else today in Shanghai).
REVIEW_DATE_TAG = "tiering/review_date"


def _review_date(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> dt.date:
    tag = context.run.tags.get(REVIEW_DATE_TAG)
    return dt.date.fromisoformat(tag) if tag else governance.business_today()


@dg.asset(
    group_name=GOVERNANCE_GROUP,
    # no customer information: grants, the access log's entries, fingerprints
    **asset_labels(GOVERNANCE_GROUP, ()),
    description="Back up every store into a temporary folder, restore it into a temporary "
    "home and compare the table fingerprints; the outcome goes to the access log.",
    check_specs=[dg.AssetCheckSpec("restore_drill_succeeded", asset="restore_drill")],
)
def restore_drill(
    context: dg.AssetExecutionContext, tiering: TieringConfig
) -> dg.MaterializeResult:
    result = backup.restore_drill(tiering.paths)
    (context.log.info if result.ok else context.log.error)(result.message)
    return dg.MaterializeResult(
        metadata={
            "ok": result.ok,
            "message": result.message,
            "seconds": result.seconds,
            "stores": dg.MetadataValue.json(result.stores),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="restore_drill_succeeded",
                passed=result.ok,
                severity=dg.AssetCheckSeverity.ERROR,
                description=result.message,
            )
        ],
    )


@dg.asset(
    group_name=GOVERNANCE_GROUP,
    # no customer information: grants, the access log's entries, fingerprints
    **asset_labels(GOVERNANCE_GROUP, ()),
    deps=[restore_drill],
    description="The monthly access review (governance/reviews/<date>.md and .csv) for the "
    "supervising body, attested by information security.",
)
def governance_review(
    context: dg.AssetExecutionContext, tiering: TieringConfig
) -> dg.MaterializeResult:
    today = _review_date(context)
    md_path, csv_path = review.write_review(tiering.paths, today)
    context.log.info("review written: %s", md_path)
    return dg.MaterializeResult(
        metadata={
            "review_date": str(today),
            "markdown": dg.MetadataValue.path(str(md_path)),
            "csv": dg.MetadataValue.path(str(csv_path)),
        }
    )


@dg.asset_check(
    asset=governance_review,
    blocking=True,
    description="Fails when no review dated within the last 31 days was attested by "
    "information security (`tiering access attest`).",
)
def review_attested_in_time(
    context: dg.AssetCheckExecutionContext, tiering: TieringConfig
) -> dg.AssetCheckResult:
    today = _review_date(context)
    reason = review.overdue_reason(tiering.paths, today)
    return dg.AssetCheckResult(
        passed=reason is None,
        severity=dg.AssetCheckSeverity.ERROR,
        description=reason or "a review within the period is attested",
        metadata={"as_of": str(today)},
    )


governance_job = dg.define_asset_job(
    name=GOVERNANCE_JOB_NAME,
    selection=dg.AssetSelection.groups(GOVERNANCE_GROUP),
    description="Restore drill, then the monthly access review.",
    executor_def=dg.in_process_executor,
    tags=WAREHOUSE_TAG,
)


@dg.schedule(
    job=governance_job,
    cron_schedule="0 6 1 * *",
    execution_timezone=BUSINESS_TZ,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def governance_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """06:00 on the 1st of each month in Shanghai, after the nightly run."""
    day = context.scheduled_execution_time.astimezone(ZoneInfo(BUSINESS_TZ)).date()
    return dg.RunRequest(run_key=f"review={day}", tags={REVIEW_DATE_TAG: str(day)})


governance_assets = [restore_drill, governance_review]
governance_checks = [review_attested_in_time]
