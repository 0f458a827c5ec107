"""The Spark session the dbt project's ``spark`` target starts can run the project's
largest query shapes, not just the demo's.

The fast-up/slow-down fold (``history.tier_hysteresis``) is a recursive CTE with one
level per month of history and one row per customer, scheme and month. Spark's
defaults stop a recursion at 100 levels or 1,000,000 rows: the fold of 500,000
customers on two smoothed schemes, or of 100 months of history, would fail. The
profile lifts both limits; this test runs such a recursion through the profile itself
(``dbt show --target spark``), so it fails if the settings are lost.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from orchestration.transform.project import dbt_command, project_dir
from orchestration.transform.spark import dbt_spark_env

pytestmark = pytest.mark.spark

#: 8,000 anchor rows folded over 150 levels: 1,200,000 rows, past both defaults
ANCHOR_ROWS, LEVELS = 8_000, 150


def test_profile_runs_recursions_past_sparks_default_limits(tmp_path):
    query = (
        "with recursive fold (id, level) as ("
        f"select id, 1 from range({ANCHOR_ROWS}) "
        f"union all select id, level + 1 from fold where level < {LEVELS}) "
        "select count(*) as fold_rows, max(level) as levels from fold"
    )
    env = {
        **os.environ,
        **dbt_spark_env(tmp_path / "home"),
        "TIERING_AS_OF_DATE": "2026-10-31",
    }
    proc = subprocess.run(
        dbt_command(
            [
                "show",
                "--target",
                "spark",
                "--inline",
                query,
                "--output",
                "json",
                "--log-format",
                "text",
            ],
            tmp_path / "target",
        ),
        cwd=project_dir(),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    shown = json.loads(proc.stdout[proc.stdout.index("{") : proc.stdout.rindex("}") + 1])
    assert shown["show"] == [{"fold_rows": ANCHOR_ROWS * LEVELS, "levels": LEVELS}], shown
