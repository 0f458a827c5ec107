"""The month-end backfill job: one partition per calendar month, each rated as of its
last day, with the nightly job's assets, executor and run-queue tag. (Launching a
backfill through the webserver and the history it gives: tests/ui/test_backfill.py.)"""

import datetime as dt

import pytest

from orchestration.definitions import defs
from orchestration.run.schedules import (
    BACKFILL_JOB_NAME,
    NIGHTLY_JOB_NAME,
    WAREHOUSE_TAG,
    month_end,
)


@pytest.mark.parametrize(
    ("key", "as_of"),
    [
        ("2026-08", "2026-08-31"),
        ("2024-02", "2024-02-29"),
        ("2026-02", "2026-02-28"),
        ("2026-12", "2026-12-31"),
    ],
)
def test_a_month_partition_is_rated_as_of_its_last_day(key, as_of):
    assert month_end(key) == dt.date.fromisoformat(as_of)
    config = defs.resolve_job_def(BACKFILL_JOB_NAME).partitioned_config
    assert config.get_run_config_for_partition_key(key) == {
        "resources": {"tiering": {"config": {"as_of_date": as_of}}}
    }
    assert config.get_tags_for_partition_key(key)["tiering/as_of_date"] == as_of


def test_the_months_run_up_to_the_last_month_that_has_ended():
    partitions = defs.resolve_job_def(BACKFILL_JOB_NAME).partitions_def
    # 30 Nov 17:00 UTC is 1 Dec 01:00 in Shanghai: November has ended there
    keys = partitions.get_partition_keys(current_time=dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC))
    assert keys[0] == "2020-01" and keys[-1] == "2026-11"
    keys = partitions.get_partition_keys(current_time=dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC))
    assert keys[-1] == "2026-10"


def test_the_backfill_runs_the_nightly_assets_one_writer_at_a_time():
    nightly = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    backfill = defs.resolve_job_def(BACKFILL_JOB_NAME)
    assert backfill.asset_layer.executable_asset_keys == nightly.asset_layer.executable_asset_keys
    assert backfill.executor_def.name == "in_process"
    assert WAREHOUSE_TAG.items() <= backfill.tags.items()
