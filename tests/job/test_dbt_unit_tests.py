"""dbt against a built warehouse: the dbt unit tests (every band boundary and rule, on
fixed inputs), and the DuckDB settings of dbt's own connection.

The nightly build skips the unit tests (they do not depend on the night's data); CI
runs them here.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.settings import TieringConfig
from orchestration.transform.assets import dbt_env
from orchestration.transform.project import prepare_manifest, project_dir
from tests.conftest import AS_OF, copy_home


def _dbt(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    target = tmp_path / "target"
    return subprocess.run(
        [
            str(Path(sys.prefix) / "bin" / "dbt"),
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=project_dir(),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_dbt_connection_has_the_runs_duckdb_settings(minimal_run, tmp_path):
    """The run config's DuckDB settings reach dbt's connection (through the plugin)."""
    home = copy_home(minimal_run, tmp_path / "home")
    (tmp_path / "target").mkdir()
    shutil.copy(home / "dbt" / "target" / "partial_parse.msgpack", tmp_path / "target")
    config = TieringConfig(
        as_of_date=str(AS_OF),
        home=str(home),
        duckdb_memory_limit="777MiB",
        duckdb_threads=3,
        duckdb_temp_directory=str(tmp_path / "spill"),
    )
    sql = (
        "select current_setting('memory_limit') as memory_limit, "
        "current_setting('threads') as threads, "
        "current_setting('temp_directory') as temp_directory, "
        "current_setting('temp_file_encryption') as temp_file_encryption"
    )
    proc = _dbt(
        ["show", "--inline", sql, "--output", "json", "--log-format", "json"],
        dbt_env(config),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    shown = [
        json.loads(line)["data"]["preview"]
        for line in proc.stdout.splitlines()
        if '"preview"' in line
    ]
    (row,) = json.loads(shown[-1])
    assert row["memory_limit"] == "777.0 MiB"
    assert row["threads"] == 3
    assert Path(row["temp_directory"]).parent == tmp_path / "spill"
    assert row["temp_file_encryption"] is True


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
    assert f"PASS={expected} " in summary and "ERROR=0" in summary, summary
