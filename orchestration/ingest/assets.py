"""One Dagster asset per landing source: ``landing/<source>`` -> ``raw/<source>``.

The ingest itself is :mod:`orchestration.ingest.load`; this module only wraps it
as assets with their metadata (rows read / loaded / quarantined / duplicates).
"""

import dagster as dg

from contracts.landing import SOURCES, Source
from orchestration.config import TieringConfig
from orchestration.ingest.files import LandingFileError
from orchestration.ingest.load import IngestResult, run_ingest
from orchestration.security.classification import TOKEN_CLASS
from orchestration.settings import asset_labels


def _result_metadata(result: IngestResult) -> dict[str, dg.MetadataValue]:
    return {
        "present": dg.MetadataValue.bool(result.is_present),
        "files": dg.MetadataValue.int(len(result.files)),
        # incremental ingest: the files this run read (new or changed) and dropped
        # (removed from the landing folder); the others were unchanged, not read
        "files_read": dg.MetadataValue.json(result.files_read),
        "files_dropped": dg.MetadataValue.json(result.files_dropped),
        "rows_read": dg.MetadataValue.int(result.rows_read),
        "rows_loaded": dg.MetadataValue.int(result.rows_loaded),
        "rows_quarantined": dg.MetadataValue.int(result.rows_quarantined),
        "rows_duplicate": dg.MetadataValue.int(result.rows_duplicate),
        "quarantine_share": dg.MetadataValue.float(round(result.quarantine_share, 6)),
        "top_reasons": dg.MetadataValue.json(result.top_reasons),
        "extra_columns": dg.MetadataValue.json(result.extra_columns),
        "dagster/row_count": dg.MetadataValue.int(result.rows_loaded),
    }


def landing_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["landing", source])


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


def _build_raw_asset(source: Source) -> dg.AssetsDefinition:
    deps = [landing_key(source.name)]
    if source.child_of_customers:
        deps.append(raw_key("customers"))  # unknown customer_id is checked against it

    @dg.asset(
        key=raw_key(source.name),
        group_name="raw",
        deps=deps,
        kinds={"duckdb"},
        # a class A value is stored as its token (class B)
        **asset_labels(
            "raw", (TOKEN_CLASS if c.info_class == "A" else c.info_class for c in source.columns)
        ),
        description=f"{source.description} Typed rows of the landing files; rejected "
        f"rows go to quarantine.{source.name}.",
    )
    def _raw(context: dg.AssetExecutionContext, tiering: TieringConfig) -> dg.MaterializeResult:
        paths = tiering.paths
        try:
            result = run_ingest(
                paths, source, tiering.as_of, context.run.run_id, tiering.engine_name
            )
        except LandingFileError as exc:
            raise dg.Failure(description=f"ingest of {source.name} failed: {exc}") from exc
        unchanged = len(result.files) - len(result.files_read)
        context.log.info(
            f"{source.name}: {len(result.files_read)} new or changed file(s) read "
            f"(by {tiering.engine_name}), "
            f"{unchanged} unchanged, {len(result.files_dropped)} removed; "
            f"{result.rows_read:,} rows from {len(result.files)} file(s); "
            f"loaded {result.rows_loaded:,}, quarantined {result.rows_quarantined:,}, "
            f"duplicates {result.rows_duplicate:,}"
            + ("" if result.is_present else " (source absent: empty table)")
        )
        if result.extra_columns:
            context.log.warning(
                f"{source.name}: unknown columns kept aside in "
                f"quarantine.{source.name}_extra_columns: {result.extra_columns}"
            )
        return dg.MaterializeResult(metadata=_result_metadata(result))

    return _raw


landing_specs = [
    dg.AssetSpec(
        landing_key(s.name),
        group_name="landing",
        kinds={"csv", "parquet"},
        **asset_labels("landing", (c.info_class for c in s.columns)),
        description=f"Landing files of source {s.name!r} "
        f"({'mandatory' if s.mandatory else 'optional'}).",
    )
    for s in SOURCES.values()
]
raw_assets = [_build_raw_asset(s) for s in SOURCES.values()]
#: written by every ingest asset (one row per source); dbt reads it to tell an absent
#: optional source from an empty one.
manifest_spec = dg.AssetSpec(
    dg.AssetKey(["raw", "source_manifest"]),
    group_name="raw",
    kinds={"duckdb"},
    deps=[raw_key(s) for s in SOURCES],
    **asset_labels("raw", ()),
    description="Per source and run: present?, files, rows read / loaded / quarantined / "
    "duplicate, unknown columns.",
)
