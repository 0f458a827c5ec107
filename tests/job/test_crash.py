"""Crash safety: SIGKILL a real run at several points; the last published artefact stays
intact and readable, and the next run completes normally."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import AS_OF, CORE_TIER_TABLES, SKIP_DBT_TESTS, open_db, run_job

NEXT_AS_OF = "2026-10-30"
#: (name, log text after which the run is killed, extra delay in seconds, whether the
#: kill certainly comes before the publication). The last two may land before or
#: after the atomic swap; either way the artefact must be one whole run's data.
KILL_POINTS = [
    ("during ingest", "customers: read", 0.0, True),
    ("during the dbt build", "START sql table model marts", 0.0, True),
    ("after dbt, around the checks and publication", "Finished dbt command", 0.3, False),
    ("at a random moment", "nightly run as of", None, False),
]
#: the random kill moment is drawn from this seed; a failure message names it, and
#: TIERING_TEST_SEED=<seed> repeats that moment.
SEED = int(os.environ.get("TIERING_TEST_SEED") or random.SystemRandom().randrange(10**6))


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
def published_home(small_landing, tmp_path) -> Path:
    """A home with a published artefact as of AS_OF, made by a run of its own (not a
    copy of nightly_run's), so this test runs on its own pytest-xdist worker."""
    run = run_job(tmp_path / "home", small_landing, dbt_tests=False)
    assert run.exit_code == 0, run.output[-4000:]
    assert artefact_state(run.artefact) == str(AS_OF)
    return run.home


def test_sigkill_at_any_point_keeps_the_artefact_and_the_next_run_recovers(
    published_home, small_landing
):
    artefact = published_home / "published" / "confidential" / "tiers.duckdb"
    killed_before_publication = 0
    random_delay = random.Random(SEED).uniform(0, 25)
    print(f"random kill point: {random_delay:.2f}s after the start (TIERING_TEST_SEED={SEED})")
    for name, marker, fixed_delay, before_publication in KILL_POINTS:
        delay = random_delay if fixed_delay is None else fixed_delay
        name = f"{name} ({delay:.2f}s after {marker!r}, TIERING_TEST_SEED={SEED})"
        before = artefact_state(artefact)
        killed = kill_when(start_run(published_home, small_landing), marker, delay)
        state = artefact_state(artefact)  # opens, reads, and is one run's data
        if before_publication:
            assert killed and state == before, f"killed {name}: artefact changed"
            killed_before_publication += 1
        else:
            assert state in (before, NEXT_AS_OF), name
    assert killed_before_publication == 2
    proc = start_run(published_home, small_landing)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert artefact_state(artefact) == NEXT_AS_OF
    assert not list(artefact.parent.glob(".*.tmp"))
