"""The run service: generate demo data, run the nightly job once, or both.

Used by the ``tiering`` command and by the tests. ``run_nightly`` executes the same
Dagster job the schedule launches, in this process, and records the run in the
Dagster instance under ``$TIERING_HOME/dagster`` so it shows in ``make ui``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from orchestration.demo import DEFAULT_AS_OF as DEMO_AS_OF
from orchestration.run.resource import prepare_home
from orchestration.security.stores import make_private
from orchestration.settings import Paths, duckdb_settings, duckdb_settings_in_force, engine_of
from orchestration.warehouse import exclusive_run

#: written beside generated demo files: what was generated, for `tiering demo`.
GENERATED_MARKER = "_generated.json"

Say = Callable[[str], None]


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def generate_landing(
    out: Path,
    customers: int,
    months: int,
    seed: int,
    as_of: dt.date,
    progress: Say = say,
    *,
    fmt: str = "csv",
) -> dict[str, int]:
    from orchestration.demo import generate

    started = time.monotonic()
    progress(
        f"generating {customers:,} customers x {months} months (seed {seed}, "
        f"as of {as_of}) into {out}"
    )
    counts = generate(
        out,
        customers=customers,
        months=months,
        seed=seed,
        as_of=as_of,
        progress=progress,
        fmt=fmt,
    )
    (out / GENERATED_MARKER).write_text(
        json.dumps(
            {
                "customers": customers,
                "months": months,
                "seed": seed,
                "as_of": str(as_of),
                "rows": counts,
            },
            indent=2,
        )
    )
    progress(
        "generated "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        + f" in {time.monotonic() - started:.1f}s"
    )
    return counts


def run_nightly(
    paths: Paths,
    as_of: dt.date,
    progress: Say = say,
    *,
    instance: dg.DagsterInstance | None = None,
    engine: str | None = None,
):
    """Run the nightly job for ``as_of`` on ``paths``; print and return its outcome.

    The run is recorded in the Dagster instance of the home (``make ui`` shows it),
    unless another ``instance`` is given (tests pass an ephemeral one). Connections
    opened around the job (restore journal, summary) spill under ``paths.home``; the
    job's own take the settings of its run config. ``engine``: where the dbt models
    run (None: ``$TIERING_ENGINE``, else DuckDB).
    """
    with duckdb_settings_in_force(duckdb_settings(paths.home)):
        return _run_nightly(paths, as_of, progress, instance=instance, engine=engine_of(engine))


def _run_nightly(
    paths: Paths,
    as_of: dt.date,
    progress: Say,
    *,
    instance: dg.DagsterInstance | None,
    engine: str,
):
    from orchestration.definitions import defs
    from orchestration.run.instance import LAUNCHED_BY_CLI, ensure_instance, fail_dead_cli_runs
    from orchestration.run.schedules import NIGHTLY_JOB_NAME, run_config_for
    from orchestration.run.summary import RunOutcome, print_summary

    # Production keys are checked before anything is written (the instance included);
    # then everything the run creates under the home is private (umask 027).
    prepare_home(paths, progress)
    owned = instance is None
    instance = instance or ensure_instance(paths.dagster_home)
    progress(
        f"nightly run as of {as_of}: landing {paths.landing}, warehouse {paths.warehouse}"
        + (f", models on {engine}" if engine != "duckdb" else "")
    )
    started = time.monotonic()
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    run_config = run_config_for(
        as_of, home=str(paths.home), landing=str(paths.landing), engine=engine
    )
    run_config.loggers = {"console": {"config": {"log_level": "INFO"}}}
    try:
        with exclusive_run(paths.home, say=progress):
            for run_id in fail_dead_cli_runs(instance):
                progress(f"run {run_id} was killed before it finished; marked failed")
            result = job.execute_in_process(
                run_config=run_config,
                instance=instance,
                raise_on_error=False,
                tags={"tiering/as_of_date": str(as_of), **LAUNCHED_BY_CLI},
            )
        outcome = RunOutcome.from_result(result, paths, time.monotonic() - started)
        print_summary(outcome, paths)
    finally:
        if owned:
            instance.dispose()
    return outcome


def demo_as_of(
    paths: Paths, customers: int, months: int, seed: int, progress: Say = say
) -> dt.date:
    """The as-of date of ``tiering demo``, generating the demo data when there is none."""
    marker = paths.landing / GENERATED_MARKER
    if marker.exists():
        progress(f"using demo data in {paths.landing} (delete it to regenerate)")
        return dt.date.fromisoformat(json.loads(marker.read_text())["as_of"])
    if paths.landing.exists() and any(paths.landing.iterdir()):
        progress(f"landing folder {paths.landing} has files; running on them as of {DEMO_AS_OF}")
        return DEMO_AS_OF
    generate_landing(paths.landing, customers, months, seed, DEMO_AS_OF, progress)
    return DEMO_AS_OF


class DocsError(RuntimeError):
    """The dbt docs site could not be built (the message says why)."""


def build_docs(paths: Paths, as_of: dt.date, progress: Say = say) -> Path:
    """Build the dbt docs site of the project against the home's warehouse (its catalog:
    tables, columns, types, row counts; never a value) as one self-contained page,
    ``$TIERING_HOME/dbt/docs/static_index.html``, and return its path.

    It holds the run lock while dbt reads the warehouse, so it waits for a running job
    instead of failing on the warehouse's lock.
    """
    import os
    import subprocess

    from orchestration.config import TieringConfig
    from orchestration.transform.assets import dbt_env
    from orchestration.transform.project import dbt_command, prepare_manifest, project_dir

    if not paths.warehouse.exists():
        raise DocsError(f"no warehouse at {paths.warehouse}: run `tiering run` first")
    make_private(paths.home)
    target = paths.home / "dbt" / "docs"
    target.mkdir(parents=True, exist_ok=True)
    # start from the prepared parse state: dbt parses only what changed
    prepared = prepare_manifest().parent / "partial_parse.msgpack"
    if prepared.exists():
        (target / prepared.name).write_bytes(prepared.read_bytes())
    config = TieringConfig(as_of_date=as_of.isoformat(), home=str(paths.home))
    env = {**os.environ, **dbt_env(config)}
    command = dbt_command(["docs", "generate", "--static"], target)
    progress(f"building the dbt docs of {paths.warehouse}")
    with exclusive_run(paths.home, say=progress):
        done = subprocess.run(
            command, cwd=project_dir(), env=env, capture_output=True, text=True, check=False
        )
    page = target / "static_index.html"
    if done.returncode != 0 or not page.exists():
        tail = "\n".join(done.stdout.splitlines()[-15:])
        raise DocsError(f"dbt docs generate failed (exit {done.returncode}):\n{tail}")
    progress(f"dbt docs: {page} (one page: open it in a browser, no server needed)")
    return page
