"""Crash safety: SIGKILL a real run (``tiering run``) at several points; the last
published artefact stays intact and readable, the next run completes normally, and the
home's Dagster instance (what ``make ui`` shows) records every run, the killed ones
marked failed by the run after them."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import AS_OF, CORE_TIER_TABLES, SKIP_DBT_TESTS, copy_home, open_db

NEXT_AS_OF = "2026-10-30"
#: (name, log text after which the run is killed, extra delay in seconds, whether the
#: kill certainly comes before the publication). The first two stop ingest and the dbt
#: build; the last falls at a random moment of the checks and the publication (they
#: take about 5 s after dbt), before or after the atomic swap: either way the artefact
#: must be one whole run's data.
KILL_POINTS = [
    ("during ingest", "new or changed file(s) read", 0.0, True),
    ("during the dbt build", "START sql", 0.0, True),
    ("around the checks and the publication", "Finished dbt command", None, False),
]
#: the random kill moment is drawn from this seed; a failure message names it, and
#: TIERING_TEST_SEED=<seed> repeats that moment.
SEED = int(os.environ.get("TIERING_TEST_SEED") or random.SystemRandom().randrange(10**6))
#: the random moment: up to this many seconds after dbt finished
RANDOM_WINDOW_S = 6.0


def artefact_state(artefact: Path) -> str:
    """The as-of date of the artefact, after checking every table agrees with it."""
    with open_db(artefact) as con:
        as_of = str(con.execute("select as_of_date from _publication").fetchone()[0])
        for table in CORE_TIER_TABLES:
            dates = con.execute(f"select distinct as_of_date::varchar from {table}").fetchall()
            assert dates == [(as_of,)], (table, dates)
    return as_of


def start_run(home: Path, landing: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--home",
            str(home),
            "--landing",
            str(landing),
            "--as-of",
            NEXT_AS_OF,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill takes dbt down too
        # dbt's data tests are left out: what is under test is the swap, not the data
        env={**os.environ, **SKIP_DBT_TESTS, "PYTHONUNBUFFERED": "1"},
    )


def recorded_runs(home: Path) -> list[tuple[str, dg.DagsterRunStatus, str]]:
    """(job, status, as-of date) of the runs in the home's Dagster instance, newest first."""
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    try:
        return [
            (run.job_name, run.status, run.tags.get("tiering/as_of_date", ""))
            for run in instance.get_runs()
        ]
    finally:
        instance.dispose()


def kill_when(proc: subprocess.Popen, marker: str, delay: float) -> bool:
    """SIGKILL the run's whole process group once ``marker`` is logged (+ delay)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if marker in line:
            time.sleep(delay)
            break
    finished = proc.poll() is not None
    if not finished:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return not finished


@pytest.fixture
def published_home(nightly_run, tmp_path) -> Path:
    """A home with a published artefact as of AS_OF: a copy of the shared nightly run's."""
    home = copy_home(nightly_run, tmp_path / "home")
    assert artefact_state(home / "published" / "confidential" / "tiers.duckdb") == str(AS_OF)
    return home


def test_sigkill_at_any_point_keeps_the_artefact_and_the_next_run_recovers(
    published_home, small_landing
):
    artefact = published_home / "published" / "confidential" / "tiers.duckdb"
    killed_before_publication = 0
    killed = []
    random_delay = random.Random(SEED).uniform(0, RANDOM_WINDOW_S)
    print(f"random kill point: {random_delay:.2f}s after dbt (TIERING_TEST_SEED={SEED})")
    for name, marker, fixed_delay, before_publication in KILL_POINTS:
        delay = random_delay if fixed_delay is None else fixed_delay
        name = f"{name} ({delay:.2f}s after {marker!r}, TIERING_TEST_SEED={SEED})"
        before = artefact_state(artefact)
        killed.append(kill_when(start_run(published_home, small_landing), marker, delay))
        state = artefact_state(artefact)  # opens, reads, and is one run's data
        if before_publication:
            assert killed[-1] and state == before, f"killed {name}: artefact changed"
            killed_before_publication += 1
        else:
            assert state in (before, NEXT_AS_OF), name
    assert killed_before_publication == 2
    proc = start_run(published_home, small_landing)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert artefact_state(artefact) == NEXT_AS_OF
    assert not list(artefact.parent.glob(".*.tmp"))
    # Every run is recorded. A run killed before the publication was found dead and
    # marked failed by the next one; the random kill may also come after the run
    # recorded its success (it then stays a success).
    runs = recorded_runs(published_home)
    assert [(job, as_of) for job, _, as_of in runs] == [("nightly_tiering", NEXT_AS_OF)] * 4
    statuses = [status for _, status, _ in reversed(runs)]
    failure, success = dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.SUCCESS
    assert statuses[:2] == [failure, failure] and statuses[3] == success, statuses
    assert statuses[2] in ((failure, success) if killed[2] else (success,)), statuses
    if statuses[2] == failure:  # only the recovery run could have found it dead
        assert "was killed before it finished; marked failed" in out
