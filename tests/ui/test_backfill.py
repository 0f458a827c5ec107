"""A month-end backfill launched the way the Dagster UI launches it gives the same
history as nightly runs.

The test starts ``dagster dev`` on a fresh home (as ``make ui`` does: webserver,
daemon, code server, the home's instance with its run queue), asks the webserver's
GraphQL API for a backfill of the ``month_end_backfill`` job over three months (the
mutation the UI's "Launch backfill" dialog sends), and waits for the backfill daemon
and the run queue to run the months. Meanwhile the session's nightly runs rate the
same landing as of the same three month-ends in process. Then:

- every month ran once, as of its last day, and the runs never overlapped (the queue
  admits one warehouse writer at a time) and ran in month order;
- the history tables (monthly ratings, the fast up / slow down fold, the SCD2 history,
  the migration) and the current marts are the same in both homes, row by row.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import requests

from orchestration.run.instance import ensure_instance
from orchestration.run.schedules import BACKFILL_JOB_NAME
from tests.conftest import DUCKDB_THREADS, free_port, open_db, rows_without
from tests.ui.conftest import MONTH_ENDS

pytestmark = pytest.mark.ui

MONTHS = [as_of[:7] for as_of in MONTH_ENDS]
#: tables compared between the homes, with the run-dependent lineage columns left out
COMPARED = {
    "history.tier_monthly_ratings": ("_invocation_id", "_loaded_at"),
    "history.tier_hysteresis": (),
    "marts.customer_tier_history": (),
    "marts.tier_migration": (),
    "marts.customer_star_tier_effective": (),
    "marts.customer_tiers": (),
}
LAUNCH = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on PartitionSetNotFoundError { message }
    ... on UnauthorizedError { message }
  }
}"""
STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { status }
    ... on PythonError { message }
  }
}"""
#: how long the three backfill runs may take (about 30 s each on 2 cores)
BACKFILL_TIMEOUT_S = 600


@dataclass
class LaunchedBackfill:
    home: Path
    backfill_id: str
    server: subprocess.Popen
    log: Path
    url: str

    def graphql(self, query: str, **variables) -> dict:
        answer = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=120
        ).json()
        assert "errors" not in answer, answer
        return answer["data"]

    def status(self) -> str:
        answer = self.graphql(STATUS, id=self.backfill_id)["partitionBackfillOrError"]
        assert answer["__typename"] == "PartitionBackfill", answer
        return answer["status"]


def _wait_for_server(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-4000:]
        try:
            if requests.get(f"{url}/server_info", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    pytest.fail(f"dagster dev did not answer on {url}:\n{log.read_text()[-4000:]}")


def _stop(server: subprocess.Popen) -> None:
    """Stop dagster dev and everything it started (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        time.sleep(1)  # what is left of the group (a code server) goes now
        os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def launched_backfill(tmp_path_factory, landing):
    """``dagster dev`` on a fresh home, with a backfill of MONTHS launched through its
    GraphQL API; stopped at the end of the module."""
    base = tmp_path_factory.mktemp("backfill")
    home, log = base / "home", base / "dagster_dev.log"
    ensure_instance(home / "dagster")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIERING_", "DAGSTER_"))}
    env.pop("DBT_EXCLUDE_RESOURCE_TYPES", None)  # the product's default build
    bin_dir = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        DAGSTER_HOME=str(home / "dagster"),
        TIERING_HOME=str(home),
        TIERING_LANDING=str(landing),
        TIERING_DUCKDB_THREADS=DUCKDB_THREADS,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(Path(bin_dir) / "dagster"),
                "dev",
                "-m",
                "orchestration.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=base,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_server(url, server, log)
        params = {
            "selector": {
                "partitionSetName": f"{BACKFILL_JOB_NAME}_partition_set",
                "repositorySelector": {
                    "repositoryLocationName": "orchestration.definitions",
                    "repositoryName": "__repository__",
                },
            },
            "partitionNames": MONTHS,
        }
        backfill = LaunchedBackfill(home, "", server, log, url)
        launched = backfill.graphql(LAUNCH, params=params)["launchPartitionBackfill"]
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        backfill.backfill_id = launched["backfillId"]
        yield backfill
    finally:
        _stop(server)


@pytest.fixture(scope="module")
def backfill_runs(launched_backfill, nightly_runs):
    """The backfill's runs, oldest first, once the backfill has completed. The nightly
    runs (requested after the launch) rate the same months meanwhile."""
    bf = launched_backfill
    instance = dg.DagsterInstance.from_config(str(bf.home / "dagster"))
    try:
        deadline = time.monotonic() + BACKFILL_TIMEOUT_S
        while True:
            status = bf.status()
            runs = instance.get_runs(
                filters=dg.RunsFilter(tags={"dagster/backfill": bf.backfill_id})
            )
            if status != "REQUESTED" and all(r.is_finished for r in runs):
                break
            assert bf.server.poll() is None, bf.log.read_text()[-4000:]
            assert time.monotonic() < deadline, (status, runs, bf.log.read_text()[-4000:])
            time.sleep(2)
        records = instance.get_run_records(
            filters=dg.RunsFilter(tags={"dagster/backfill": bf.backfill_id})
        )
        return status, sorted(records, key=lambda r: r.create_timestamp)
    finally:
        instance.dispose()


def test_the_backfill_runs_each_month_end_once_one_after_another(backfill_runs):
    status, records = backfill_runs
    assert status == "COMPLETED_SUCCESS"
    runs = [r.dagster_run for r in records]
    assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * len(MONTHS)
    assert [r.job_name for r in runs] == [BACKFILL_JOB_NAME] * len(MONTHS)
    assert [r.tags["dagster/partition"] for r in runs] == MONTHS
    assert [r.tags["tiering/as_of_date"] for r in runs] == list(MONTH_ENDS)
    for earlier, later in zip(records, records[1:], strict=False):
        assert earlier.end_time <= later.start_time  # the queue admitted one at a time


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_the_backfill_gives_the_same_history_as_nightly_runs(
    backfill_runs, nightly_runs, launched_backfill, table
):
    with open_db(nightly_runs.home / "warehouse.duckdb") as con:
        nightly = rows_without(con, table, COMPARED[table])
    with open_db(launched_backfill.home / "warehouse.duckdb") as con:
        backfilled = rows_without(con, table, COMPARED[table])
    assert nightly, table
    assert backfilled == nightly, table
