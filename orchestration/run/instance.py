"""The Dagster instance under ``$TIERING_HOME/dagster``.

Its ``dagster.yaml`` makes the warehouse safe for a nightly job:
- the run queue admits one run tagged ``tiering/warehouse`` at a time, so two runs
  launched from the UI or the schedule never write the warehouse together (runs of
  ``tiering run`` also hold an OS file lock, see ``orchestration.warehouse.exclusive_run``);
- run monitoring marks a run whose process died as failed, so the queue moves on;
- a failed run is retried once (the job carries ``dagster/max_retries: 1``).

Steps within a run never overlap: the job uses the in-process executor.
"""

from pathlib import Path

import dagster as dg

#: tag of runs started by ``tiering run``; a STARTED one found while holding the run
#: lock belongs to a process that died.
LAUNCHED_BY_CLI = {"tiering/launched_by": "cli"}

DAGSTER_YAML = """\
# Written by the tiering CLI; edit freely, it is not overwritten.
telemetry:
  enabled: false
concurrency:
  runs:
    tag_concurrency_limits:
      - key: "tiering/warehouse"
        limit: 1
run_monitoring:
  enabled: true
  max_resume_run_attempts: 0
run_retries:
  enabled: true
  max_retries: 1
"""


def ensure_instance(dagster_home: Path) -> dg.DagsterInstance:
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return dg.DagsterInstance.from_config(str(dagster_home))


def fail_dead_cli_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark CLI runs left STARTED by a killed process as failed; return their ids.

    Only call this while holding the run lock: then no other CLI run is alive.
    """
    key, value = next(iter(LAUNCHED_BY_CLI.items()))
    stale = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[
                dg.DagsterRunStatus.STARTED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.CANCELING,
            ],
            tags={key: value},
        )
    )
    for run in stale:
        instance.report_run_failed(run, "the process running it died; found by the next run")
    return [run.run_id for run in stale]
