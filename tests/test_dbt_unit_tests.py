"""dbt unit tests (every band boundary and rule, on fixed inputs) against a built warehouse.

The nightly build skips them (they do not depend on the night's data); CI runs them here.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.dbt import dbt_env
from orchestration.resources import DBT_PROJECT_DIR, TieringConfig

from tests.conftest import AS_OF


def test_all_dbt_unit_tests_pass(nightly_run, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(nightly_run.warehouse, warehouse)
    env = {**os.environ, **dbt_env(TieringConfig(as_of_date=str(AS_OF), home=str(tmp_path)))}
    dbt = Path(sys.prefix) / "bin" / "dbt"
    proc = subprocess.run(
        [
            str(dbt),
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            json.dumps({"as_of_date": str(AS_OF)}),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    # dbt prefixes its lines with a timestamp: find the closing "Done. PASS=…" line
    summary = [line for line in proc.stdout.splitlines() if "Done. PASS=" in line][-1]
    assert "ERROR=0" in summary and "PASS=" in summary, summary
    passed = int(summary.split("PASS=")[1].split()[0])
    assert passed >= 19, summary  # the rule boundaries of the four core tiers at least
