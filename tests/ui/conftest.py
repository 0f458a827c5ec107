"""The UI lane (``make test-ui``): what people look at, the run report in a browser,
the Dagster UI's metadata, and a month-end backfill launched through the UI's API.
They read the same three nightly runs of a small generated landing, at three
consecutive month-ends (so the migration, the trend and the plots over runs have
several points), recorded in one Dagster instance."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from orchestration.demo import generate
from tests.conftest import run_job

MONTH_ENDS = ("2026-08-31", "2026-09-30", "2026-10-31")


@dataclass
class NightlyRuns:
    home: Path
    instance: dg.DagsterInstance


@pytest.fixture(scope="session")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("ui") / "landing"
    generate(landing, customers=150, months=12, seed=11, as_of=dt.date(2026, 10, 31))
    return landing


@pytest.fixture(scope="session")
def nightly_runs(tmp_path_factory, landing):
    base = tmp_path_factory.mktemp("nightly")
    with dg.DagsterInstance.ephemeral() as instance:
        for as_of in MONTH_ENDS:
            # the last run with dbt's data tests, so the report lists every check
            run = run_job(
                base / "home", landing, as_of, dbt_tests=as_of == MONTH_ENDS[-1], instance=instance
            )
            assert run.exit_code == 0, run.output[-4000:]
        yield NightlyRuns(home=base / "home", instance=instance)
