"""The publication as a Dagster asset, downstream of every published dbt model."""

import dagster as dg

from contracts.marts import PUBLISHED_LAYERS
from orchestration.publish.artefact import publish
from orchestration.settings import TieringConfig

PUBLISHED_KEY = dg.AssetKey(["published", "tiers"])


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
        description="Read-only BI artefact: every marts table in "
        "$TIERING_HOME/published/tiers.duckdb and parquet/<table>.parquet, "
        "swapped in atomically after every blocking check passed.",
    )
    def published_tiers(
        context: dg.AssetExecutionContext, tiering: TieringConfig
    ) -> dg.MaterializeResult:
        paths = tiering.paths
        pub = publish(
            paths.warehouse, paths.published, tiering.as_of.isoformat(), context.run.run_id
        )
        context.log.info(f"published {len(pub.tables)} tables to {pub.path}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(pub.path)),
                "parquet": dg.MetadataValue.path(str(pub.parquet_dir)),
                "as_of_date": pub.as_of_date,
                "row_counts": dg.MetadataValue.json(pub.tables),
            }
        )

    return published_tiers
