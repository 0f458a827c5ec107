"""The landing sensor (off by default): its baseline is the files present when it is
switched on; a new, changed or removed file starts one nightly run once the folder has
stayed the same for one interval; nothing else starts a run."""

import os

import dagster as dg

from orchestration.run.schedules import landing_sensor
from orchestration.settings import default_as_of


def tick(cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor)
    result = landing_sensor(context)
    return result, context.cursor


def test_a_new_file_starts_one_run_once_it_has_settled(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    (landing / "transactions").mkdir(parents=True)
    (landing / "customers.csv").write_text("customer_id\nC1\n")
    monkeypatch.setenv("TIERING_LANDING", str(landing))
    assert landing_sensor.default_status == dg.DefaultSensorStatus.STOPPED

    result, cursor = tick(None)
    assert isinstance(result, dg.SkipReason) and "baseline" in result.skip_message
    result, cursor = tick(cursor)
    assert isinstance(result, dg.SkipReason) and "no new landing file" in result.skip_message

    new = landing / "transactions" / "2026-11.csv"
    new.write_text("transaction_id,customer_id\nT1,C1\n")
    result, cursor = tick(cursor)  # first seen: it may still be being written
    assert isinstance(result, dg.SkipReason) and "settle" in result.skip_message
    new.write_text("transaction_id,customer_id\nT1,C1\nT2,C1\n")  # it was
    os.utime(new, ns=(1, 2))
    result, cursor = tick(cursor)
    assert isinstance(result, dg.SkipReason) and "settle" in result.skip_message
    result, cursor = tick(cursor)  # unchanged for one interval: one run
    assert isinstance(result, dg.RunRequest)
    assert result.tags["tiering/as_of_date"] == str(default_as_of())
    assert result.tags["tiering/trigger"] == "landing_sensor"
    first_key = result.run_key
    result, cursor = tick(cursor)
    assert isinstance(result, dg.SkipReason) and "no new landing file" in result.skip_message

    new.unlink()  # a removed file is a change too
    result, cursor = tick(cursor)
    assert isinstance(result, dg.SkipReason) and "settle" in result.skip_message
    result, cursor = tick(cursor)
    assert isinstance(result, dg.RunRequest) and result.run_key != first_key


def test_a_file_that_is_not_a_landing_file_starts_nothing(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "customers.csv").write_text("customer_id\nC1\n")
    monkeypatch.setenv("TIERING_LANDING", str(landing))
    _, cursor = tick(None)
    (landing / "notes.txt").write_text("not a source")
    (landing / "customers_backup.txt").write_text("not csv or parquet")
    for _ in range(2):
        result, cursor = tick(cursor)
        assert isinstance(result, dg.SkipReason) and "no new landing file" in result.skip_message
