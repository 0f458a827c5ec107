"""The dbt side's pure pieces: build flags, run vars, the subprocess environment,
and when the manifest is prepared again."""

import os
import shutil

from orchestration.config import TieringConfig
from orchestration.security.keys import KeyStore
from orchestration.transform.assets import dbt_env, nightly_build_args, subprocess_env
from orchestration.transform.project import fingerprint, manifest_is_current, project_dir


def test_nightly_build_skips_unit_tests_unless_dbt_is_told_otherwise():
    assert nightly_build_args({}) == ("--exclude-resource-type", "unit_test")
    assert nightly_build_args({"DBT_EXCLUDE_RESOURCE_TYPES": "unit_test test"}) == ()


def test_dbt_env_points_at_the_home_and_the_date_and_keeps_the_key_secret(tmp_path):
    config = TieringConfig(as_of_date="1998-06-30", home=str(tmp_path))
    env = dbt_env(config)
    assert env["TIERING_WAREHOUSE"] == str(tmp_path / "warehouse.duckdb")
    # the date travels in the environment, not in --vars (which forces a full re-parse)
    assert env["TIERING_AS_OF_DATE"] == "1998-06-30" == config.as_of.isoformat()
    # dbt scrubs the values of DBT_ENV_SECRET_* variables from its logs
    # the warehouse key is the only key dbt gets (class A was tokenised at ingest),
    # under a name dbt scrubs from its logs
    assert [k for k in env if "KEY" in k] == ["DBT_ENV_SECRET_WAREHOUSE_KEY"]
    assert env["DBT_ENV_SECRET_WAREHOUSE_KEY"] == KeyStore(tmp_path).text("warehouse")


def test_subprocess_env_is_restored_after_the_call(monkeypatch):
    monkeypatch.setenv("TIERING_WAREHOUSE", "before")
    monkeypatch.delenv("DBT_ENV_SECRET_WAREHOUSE_KEY", raising=False)
    with subprocess_env({"TIERING_WAREHOUSE": "during", "DBT_ENV_SECRET_WAREHOUSE_KEY": "k"}):
        assert os.environ["TIERING_WAREHOUSE"] == "during"
        assert os.environ["DBT_ENV_SECRET_WAREHOUSE_KEY"] == "k"
    assert os.environ["TIERING_WAREHOUSE"] == "before"
    assert "DBT_ENV_SECRET_WAREHOUSE_KEY" not in os.environ


def test_manifest_is_prepared_again_when_a_project_file_changes(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(project_dir(), root, ignore=shutil.ignore_patterns("target", "logs"))
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    assert not manifest_is_current(target, root)  # no fingerprint yet
    (target / "tiering_fingerprint.txt").write_text(fingerprint(root) + "\n")
    assert manifest_is_current(target, root)
    seed = root / "seeds" / "star_level_bands.csv"
    seed.write_text(seed.read_text() + "\n")
    assert not manifest_is_current(target, root)
    # the parse output itself is not part of the project
    before = fingerprint(root)
    (root / "target").mkdir()
    (root / "target" / "run_results.json").write_text("{}")
    (root / "logs").mkdir()
    (root / "logs" / "dbt.log").write_text("")
    assert fingerprint(root) == before
