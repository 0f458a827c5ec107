"""The Dagster instance under ``$TIERING_HOME/dagster``.

Its ``dagster.yaml`` makes the warehouse safe for a nightly job:
- the run queue admits one run tagged ``tiering/warehouse`` at a time, so two runs
  never write the warehouse together;
- the ``tiering_warehouse`` pool (every step that opens the warehouse) has one
  slot;
- a failed run is retried once (the job carries ``dagster/max_retries: 1``).
"""

import os
from pathlib import Path

import dagster as dg

DAGSTER_YAML = """\
# Written by the tiering CLI; edit freely, it is not overwritten.
telemetry:
  enabled: false
concurrency:
  runs:
    tag_concurrency_limits:
      - key: "tiering/warehouse"
        limit: 1
  pools:
    default_limit: 1
run_retries:
  enabled: true
  max_retries: 1
"""


def ensure_instance(dagster_home: Path) -> dg.DagsterInstance:
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dg.DagsterInstance.from_config(str(dagster_home))
