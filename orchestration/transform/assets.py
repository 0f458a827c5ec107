"""The dbt project as Dagster assets (staging -> intermediate -> tiers -> history -> marts).

Asset keys and groups come from the dbt folder a model lives in, so
``models/tiers/customer_star_tier.sql`` is ``tiers/customer_star_tier`` in group
``tiers``. dbt sources carry ``meta.dagster.asset_key`` = ``raw/<source>``, which
joins the ingest assets and the dbt models into one lineage graph. dbt data tests
become asset checks; a failing test fails the dbt step, so nothing downstream runs.
"""

import contextlib
import functools
import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from orchestration.config import TieringConfig
from orchestration.security.keys import KeyStore
from orchestration.security.stores import remove_other_access
from orchestration.settings import INFO_CLASS_TAG, asset_labels, dbt_threads
from orchestration.transform import seeds, spark
from orchestration.transform.metadata import schemes_by_model, tier_metadata
from orchestration.transform.project import dbt_executable, prepare_manifest, project_dir

#: groups of the resource types that do not live under models/.
_GROUP_BY_TYPE = {"seed": "seeds"}

dbt_project = DbtProject(
    project_dir=project_dir(), profiles_dir=project_dir(), target_path=prepare_manifest().parent
)


def nightly_build_args(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """``dbt build`` flags of the nightly run: everything but the unit tests.

    dbt unit tests pin the rules on fixed inputs and do not depend on the night's
    data, so they run in CI. dbt's own ``DBT_EXCLUDE_RESOURCE_TYPES``, when set,
    decides instead (a CLI flag would override it), e.g. ``"unit_test test"`` for a
    throwaway backfill.
    """
    environ = os.environ if environ is None else environ
    if environ.get("DBT_EXCLUDE_RESOURCE_TYPES"):
        return ()
    return ("--exclude-resource-type", "unit_test")


def runs_data_tests(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the nightly build runs dbt's data tests (unless
    ``DBT_EXCLUDE_RESOURCE_TYPES`` leaves them out)."""
    environ = os.environ if environ is None else environ
    return "test" not in environ.get("DBT_EXCLUDE_RESOURCE_TYPES", "").replace(",", " ").split()


class TieringDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        resource_type = props["resource_type"]
        if resource_type == "source":
            return spec
        # fqn = [project, folder, ..., name]; the first folder is the layer.
        layer = _GROUP_BY_TYPE.get(resource_type) or props["fqn"][1]
        classes = column_classes(props)
        labels = asset_labels(layer, classes.values())
        return spec.replace_attributes(
            key=dg.AssetKey([layer, props["name"]]),
            group_name=layer,
            owners=labels["owners"],
            tags={**spec.tags, **labels["tags"]},
            metadata={**spec.metadata, **_column_schema_with_classes(spec.metadata, classes)},
        )


def column_classes(props: Mapping[str, Any]) -> dict[str, str]:
    """Column -> information class of a model or seed (its yml ``meta.info_class``;
    seeds hold rules: C unless their yml says otherwise)."""
    default = "C" if props["resource_type"] == "seed" else None
    out = {}
    for name, column in (props.get("columns") or {}).items():
        meta = column.get("meta") or (column.get("config") or {}).get("meta") or {}
        info_class = meta.get("info_class", default)
        if info_class:
            out[name] = str(info_class)
    return out


def _column_schema_with_classes(
    metadata: Mapping[str, Any], classes: Mapping[str, str]
) -> dict[str, Any]:
    """dagster-dbt's column schema (names, types, descriptions from the yml) with each
    column's information class as a column tag, as the UI shows it."""
    schema = metadata.get("dagster/column_schema")
    if schema is None:
        return {}
    value = schema.value if isinstance(schema, dg.TableSchemaMetadataValue) else schema
    columns = [
        dg.TableColumn(
            name=c.name,
            type=c.type,
            description=c.description,
            tags={**c.tags, INFO_CLASS_TAG: classes[c.name]} if c.name in classes else c.tags,
        )
        for c in value.columns
    ]
    return {"dagster/column_schema": dg.TableSchema(columns=columns)}


def dbt_env(tiering: TieringConfig) -> dict[str, str]:
    """Environment the dbt subprocess needs: warehouse path and key, as-of date, and
    the run's DuckDB settings (memory limit, threads, spill folder; the dbt plugin
    applies them to dbt's connection).

    The as-of date goes in the environment, not in ``--vars``: a changed var makes
    dbt parse the whole project again, while macro ``as_of_date()`` reads the
    variable only when executing, so partial parsing stays valid between runs.
    """
    if tiering.engine_name == "spark":
        # Spark reads the Parquet hand-over of raw.*, never the warehouse: no key
        return {
            "TIERING_AS_OF_DATE": tiering.as_of.isoformat(),
            **spark.dbt_spark_env(tiering.paths.home),
        }
    return {
        "TIERING_WAREHOUSE": str(tiering.paths.warehouse),
        "TIERING_AS_OF_DATE": tiering.as_of.isoformat(),
        # The warehouse's encryption key; dbt scrubs DBT_ENV_SECRET_* values from its
        # logs and refuses them in model SQL, so it never reaches target/.
        "DBT_ENV_SECRET_WAREHOUSE_KEY": KeyStore(tiering.paths.home).text("warehouse"),
        **tiering.duckdb.environment(),
    }


@contextlib.contextmanager
def subprocess_env(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in the environment for the duration of the block, then restore it.

    dagster-dbt has no ``env`` argument: it copies ``os.environ`` when it starts the
    dbt subprocess. So the values are set only around that call, never left behind
    for other code of the process to pick up.
    """
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=TieringDbtTranslator(),
    project=dbt_project,
)
def tiering_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, tiering: TieringConfig
):
    # the rule seeds are reloaded only when they changed (orchestration.transform.seeds)
    warehouse = tiering.paths.warehouse
    engine = tiering.engine_name
    load = seeds.SeedLoad(
        seeds.manifest_seed_fingerprint(dbt_project.manifest_path),
        tested=runs_data_tests(),
        run_id=context.run.run_id,
    )
    recorded = seeds.recorded_load(warehouse)
    # on Spark the seeds live in Spark's catalogue: loaded by every build
    skip_seeds = engine == "duckdb" and seeds.can_skip(
        recorded, load.fingerprint, testing=load.tested
    )
    if skip_seeds:
        context.log.info(
            f"rule seeds unchanged since run {recorded.run_id}: not reloaded"
            + (", their dbt tests passed then" if recorded.tested else "")
        )
    else:
        seeds.forget(warehouse)
    # one model at a time once the warehouse outgrows the memory limit (dbt's threads
    # share one DuckDB limit; orchestration.settings.dbt_threads)
    threads = dbt_threads(tiering.duckdb, warehouse)
    if engine == "spark":
        # the ingest's Spark session (if this process ran the ingest) gives way to
        # the one dbt starts
        from orchestration.ingest.spark import stop_session

        stop_session()
        handed = spark.export_raw(warehouse, tiering.paths.home)
        context.log.info(
            "raw tables handed to Spark as Parquet: "
            + ", ".join(f"{table} {rows:,}" for table, rows in handed.items())
        )
    context.log.info(f"dbt builds on {engine}, {threads} model(s) at a time")
    with subprocess_env(dbt_env(tiering)):
        # The run's dbt artefacts (compiled SQL, run results, logs) go under the home,
        # replaced by each run, not into the (possibly read-only) installed project.
        invocation = dbt.cli(
            [
                "build",
                *nightly_build_args(),
                # only for Spark: naming the default target makes dbt parse the whole
                # project again instead of reusing the prepared parse state
                *(("--target", spark.TARGETS[engine]) if engine != "duckdb" else ()),
                "--threads",
                str(threads),
                *(("--exclude", "resource_type:seed") if skip_seeds else ()),
            ],
            context=context,
            target_path=tiering.paths.dbt_target,
        )
    # dagster-dbt has just copied the prepared parse state (partial_parse.msgpack)
    # into the run's target folder with the project file's mode, not the home's umask
    remove_other_access(tiering.paths.dbt_target)
    # The build's events are kept until it ends: the tier models' outputs then get their
    # distribution (orchestration.transform.metadata), read once dbt has let go of the
    # warehouse. Outputs must stay in dependency order, so every event waits.
    events: list[Any] = []
    try:
        events.extend(invocation.stream())
    except Exception:
        yield from events  # what was built before the failure is recorded
        raise
    # reached only when the build succeeded (stream() raises on a failed build)
    if engine == "spark":
        # Spark's tables into the warehouse, typed as the yml declares them: the checks,
        # the tier metadata and the publication read them there
        target = Path(invocation.target_path)
        remove_other_access(spark.spark_home(tiering.paths.home))
        spark.import_results(
            warehouse,
            tiering.paths.home,
            spark.built_tables(target / "run_results.json", target / "manifest.json"),
            spark.declared_columns(target / "manifest.json"),
            say=context.log.info,
        )
    yield from with_tier_metadata(context, events, warehouse, tiering)
    if not skip_seeds and engine == "duckdb":
        seeds.record(warehouse, load)


def with_tier_metadata(
    context: dg.AssetExecutionContext,
    events: Sequence[Any],
    warehouse: Path,
    tiering: TieringConfig,
) -> Iterator[Any]:
    """``events`` with the tier distribution added to the outputs of the tier models."""
    schemes = schemes_by_model()
    tier_outputs: dict[str, str] = {}  # output name -> model
    for event in events:
        if isinstance(event, dg.Output):
            model = context.asset_key_for_output(event.output_name).path[-1]
            if model in schemes:
                tier_outputs[event.output_name] = model
    found = (
        tier_metadata(warehouse, {m: schemes[m] for m in tier_outputs.values()}, tiering.as_of)
        if tier_outputs
        else {}
    )
    for event in events:
        model = tier_outputs.get(event.output_name) if isinstance(event, dg.Output) else None
        if model in found:
            event = event.with_metadata({**event.metadata, **found[model]})
        yield event


class TieringDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs the job does not need.

    - dagster-dbt runs ``dbt --version`` in a subprocess once per resource instance,
      i.e. once per run (about 2 s, a tenth of a small run). The executable is the
      dbt of this environment (:func:`dbt_executable`), so its version is dbt-core's.
    - It also loads a dbt adapter in this process (about 1.3 s), used only by
      ``fetch_row_counts()`` / ``fetch_column_metadata()``, which the job does not
      call; the dbt subprocess has its own.
    """

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        if self.dbt_executable != dbt_executable():
            return super()._cli_version
        return version.parse(importlib.metadata.version("dbt-core"))


dbt_resource = TieringDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
