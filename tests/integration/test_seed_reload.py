"""The rule seeds are reloaded only when they changed (orchestration.transform.seeds).

The whole-job side is in tests/job: a rerun whose seeds were changed reloads them
(test_reruns), the nightly runs of test_history after the first leave them out."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from orchestration.transform import seeds
from orchestration.transform.assets import dbt_project, runs_data_tests
from orchestration.warehouse import connect

MANIFEST = {
    "nodes": {
        "seed.tiering.star_level_bands": {
            "resource_type": "seed",
            "checksum": {"name": "sha256", "checksum": "aa"},
            "config": {"column_types": {"lower_bound": "decimal(18,2)"}},
            "relation_name": '"warehouse"."seeds"."star_level_bands"',
        },
        "model.tiering.customer_star_tier": {
            "resource_type": "model",
            "checksum": {"name": "sha256", "checksum": "bb"},
            "config": {},
            "relation_name": '"warehouse"."tiers"."customer_star_tier"',
        },
    }
}


def _edited(edit) -> dict:
    manifest = copy.deepcopy(MANIFEST)
    edit(manifest["nodes"])
    return manifest


@pytest.mark.parametrize(
    "edit",
    [
        lambda n: n["seed.tiering.star_level_bands"]["checksum"].update(checksum="ab"),
        lambda n: n["seed.tiering.star_level_bands"]["config"].update(column_types={}),
        lambda n: n.update({"seed.tiering.extra": n["seed.tiering.star_level_bands"]}),
        lambda n: n.pop("seed.tiering.star_level_bands"),
    ],
    ids=["a seed file", "its column types", "a new seed", "a removed seed"],
)
def test_the_fingerprint_changes_with_what_a_seed_table_holds(edit):
    assert seeds.seed_fingerprint(_edited(edit)) != seeds.seed_fingerprint(MANIFEST)


def test_the_fingerprint_ignores_the_models():
    def edit(nodes):
        nodes["model.tiering.customer_star_tier"]["checksum"]["checksum"] = "cc"

    assert seeds.seed_fingerprint(_edited(edit)) == seeds.seed_fingerprint(MANIFEST)


def test_the_projects_seeds_have_a_fingerprint():
    fingerprint = seeds.manifest_seed_fingerprint(dbt_project.manifest_path)
    assert len(fingerprint) == 64 and fingerprint != seeds.seed_fingerprint({"nodes": {}})


@pytest.mark.parametrize(
    ("recorded", "testing", "skip"),
    [
        (None, False, False),  # a new warehouse
        (seeds.SeedLoad("f", tested=True, run_id="r1"), True, True),
        (seeds.SeedLoad("f", tested=True, run_id="r1"), False, True),
        (seeds.SeedLoad("g", tested=True, run_id="r1"), False, False),  # changed seeds
        # loaded by a build without data tests: a build with tests loads them again
        (seeds.SeedLoad("f", tested=False, run_id="r1"), True, False),
        (seeds.SeedLoad("f", tested=False, run_id="r1"), False, True),
    ],
)
def test_a_build_leaves_the_seeds_out_only_when_the_recorded_load_will_do(recorded, testing, skip):
    assert seeds.can_skip(recorded, "f", testing=testing) is skip


@pytest.mark.parametrize(
    ("excluded", "testing"),
    [(None, True), ("unit_test", True), ("unit_test test", False), ("test,unit_test", False)],
)
def test_data_tests_run_unless_dbt_is_told_to_leave_them_out(excluded, testing):
    environ = {} if excluded is None else {"DBT_EXCLUDE_RESOURCE_TYPES": excluded}
    assert runs_data_tests(environ) is testing


def test_the_record_lives_in_the_warehouse_and_is_forgotten_before_a_load(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    assert seeds.recorded_load(warehouse) is None  # no warehouse yet
    seeds.forget(warehouse)  # nothing to forget: creates nothing
    assert not warehouse.exists()
    with connect(warehouse) as con:
        con.execute("create table t (x int)")
    assert seeds.recorded_load(warehouse) is None  # a warehouse of an older version
    load = seeds.SeedLoad("f" * 64, tested=True, run_id="run-1")
    seeds.record(warehouse, load)
    assert seeds.recorded_load(warehouse) == load
    later = seeds.SeedLoad("e" * 64, tested=False, run_id="run-2")
    seeds.record(warehouse, later)  # one record: the last load
    assert seeds.recorded_load(warehouse) == later
    # a build that loads the seeds forgets the record first: if it fails or is killed,
    # the next build loads them again
    seeds.forget(warehouse)
    assert seeds.recorded_load(warehouse) is None
