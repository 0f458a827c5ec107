"""The UI lane (``make test-ui``): what people look at, the run report in a browser
and the Dagster UI's metadata. Both read the same two nightly runs of a small
generated landing, two month-ends apart (so the migration, the trend and the plots
over runs have two points), recorded in one Dagster instance."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from orchestration.demo import generate
from tests.conftest import run_job

MONTH_ENDS = ("2026-09-30", "2026-10-31")


@dataclass
class TwoRuns:
    home: Path
    instance: dg.DagsterInstance


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("ui")
    landing = base / "landing"
    generate(landing, customers=150, months=12, seed=11, as_of=dt.date(2026, 10, 31))
    with dg.DagsterInstance.ephemeral() as instance:
        for as_of in MONTH_ENDS:
            # the last run with dbt's data tests, so the report lists every check
            run = run_job(
                base / "home", landing, as_of, dbt_tests=as_of == MONTH_ENDS[-1], instance=instance
            )
            assert run.exit_code == 0, run.output[-4000:]
        yield TwoRuns(home=base / "home", instance=instance)
