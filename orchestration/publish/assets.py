"""The publication as a Dagster asset, downstream of every published dbt model."""

import json

import dagster as dg

from contracts.marts import PUBLISHED_LAYERS
from orchestration.config import TieringConfig
from orchestration.publish.artefact import publish, remove_unsplit_artefact
from orchestration.publish.report import CheckResult
from orchestration.security import access_log, governance
from orchestration.settings import INFO_CLASS_TAG, asset_labels
from orchestration.transform.assets import dbt_project

PUBLISHED_KEY = dg.AssetKey(["published", "tiers"])
#: the actor the access log records for what the nightly job does.
JOB_ACTOR = "tiering-job"


def run_check_results(context: dg.AssetExecutionContext) -> list[CheckResult]:
    """The asset checks evaluated so far in this run (the run report lists them)."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    results = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        check = event.asset_check_evaluation_data
        results.append(
            CheckResult(
                asset=check.asset_key.to_user_string(),
                name=check.check_name,
                passed=check.passed,
                severity=check.severity.value,
            )
        )
    return results


def build_published_asset(upstream: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The publication asset, downstream of every ``tiers/*`` and ``marts/*`` asset."""
    mart_keys = sorted(
        (k for k in upstream.keys if k.path[0] in PUBLISHED_LAYERS),
        key=lambda k: k.to_user_string(),
    )

    @dg.asset(
        key=PUBLISHED_KEY,
        group_name="published",
        deps=mart_keys,
        kinds={"duckdb", "parquet"},
        # the artefacts hold the published tables: their highest class is the artefacts'
        **asset_labels(
            "published", (upstream.specs_by_key[k].tags.get(INFO_CLASS_TAG) for k in mart_keys)
        ),
        description="One encrypted BI artefact per clearance: "
        "$TIERING_HOME/published/<general|confidential|restricted>/tiers.duckdb and "
        "parquet/<table>.parquet, scanned for customer identifiers and swapped in "
        "atomically after every blocking check passed, each with its run report "
        "(report.html: charts of the tiers, aggregates only); each publication is "
        "recorded in the access log.",
    )
    def published_tiers(
        context: dg.AssetExecutionContext, tiering: TieringConfig
    ) -> dg.MaterializeResult:
        paths = tiering.paths
        removed = remove_unsplit_artefact(paths.published)
        if removed:
            context.log.warning(
                f"removed the single all-audience artefact of an older version: {removed}"
            )
        # a revocation rotates its clearance's key at the next publication (logged)
        rotated = governance.rotate_pending_keys(paths, actor=JOB_ACTOR)
        if rotated:
            context.log.info(f"keys rotated after a revocation: {rotated}")
        manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
        pubs = publish(
            paths,
            manifest,
            tiering.as_of.isoformat(),
            context.run.run_id,
            general_unencrypted=tiering.publish_general_unencrypted,
            checks=run_check_results(context),
        )
        head = ""
        for clearance, pub in pubs.items():
            head = access_log.append(
                paths,
                "publication",
                JOB_ACTOR,
                {
                    "clearance": clearance,
                    "run_id": pub.run_id,
                    "as_of_date": pub.as_of_date,
                    "file_sha256": pub.file_sha256,
                    "column_list_sha256": pub.column_list_sha256,
                    "columns": pub.columns,
                    "encrypted": pub.encrypted,
                },
            )
            context.log.info(
                f"published {len(pub.tables)} tables for clearance {clearance} to {pub.path}"
                + ("" if pub.encrypted else " (NOT encrypted: publish_general_unencrypted)")
            )
        return dg.MaterializeResult(
            metadata={
                **{f"{c}_path": dg.MetadataValue.path(str(p.path)) for c, p in pubs.items()},
                **{
                    f"{c}_report": dg.MetadataValue.path(str(p.report))
                    for c, p in pubs.items()
                    if p.report
                },
                **{f"{c}_row_counts": dg.MetadataValue.json(p.tables) for c, p in pubs.items()},
                "as_of_date": tiering.as_of.isoformat(),
                "access_log_head": head,
                "keys_rotated": dg.MetadataValue.json(rotated),
            }
        )

    return published_tiers
