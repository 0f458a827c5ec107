"""dbt unit tests (every band boundary and rule, on fixed inputs) against a built warehouse.

The nightly build skips them (they do not depend on the night's data); CI runs them here.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.config import TieringConfig
from orchestration.transform.assets import dbt_env
from orchestration.transform.project import prepare_manifest, project_dir
from tests.conftest import AS_OF, copy_home


def test_all_dbt_unit_tests_pass(minimal_run, tmp_path):
    # Unit tests read fixtures, not data: any built warehouse has the relations they
    # need, so they run on a copy of the minimal run's home (dbt opens the warehouse
    # for writing; other tests read the shared one), with a copy of its parse state
    # (same project and profile: dbt parses only partially).
    home = copy_home(minimal_run, tmp_path / "home")
    target = tmp_path / "target"
    target.mkdir()
    shutil.copy(home / "dbt" / "target" / "partial_parse.msgpack", target)
    config = TieringConfig(as_of_date=str(AS_OF), home=str(home))
    env = {**os.environ, **dbt_env(config)}
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
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=project_dir(),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    # dbt prefixes its lines with a timestamp: find the closing "Done. PASS=…" line
    summary = [line for line in proc.stdout.splitlines() if "Done. PASS=" in line][-1]
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    expected = len(manifest["unit_tests"])
    assert expected >= 38, expected  # every band edge and rule of the tier models
    # dbt counts the project's on-run-start hooks among the passes (the Spark
    # hand-over's registration, which does nothing on DuckDB)
    hooks = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "operation")
    assert f"PASS={expected + hooks} " in summary and "ERROR=0" in summary, summary
