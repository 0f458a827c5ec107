"""Idempotence: the same inputs give exactly the same warehouse and artefact, whether a
date is run twice, a file is delivered twice, or a run is resumed after a failure.

The reruns leave dbt's data tests out (the first run, nightly_run, had them): they
compare every table of the warehouse and the artefact instead."""

import shutil

from tests.conftest import run_job, table_checksums


def test_running_the_same_as_of_twice_changes_nothing(nightly_run):
    before_wh = table_checksums(nightly_run.warehouse)
    before_pub = table_checksums(nightly_run.artefact)
    again = run_job(nightly_run.home, nightly_run.landing, dbt_tests=False)
    assert again.exit_code == 0, again.output
    assert table_checksums(again.warehouse) == before_wh
    assert table_checksums(again.artefact) == before_pub


def test_redelivered_file_gives_the_same_tiers(nightly_run, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(nightly_run.landing, landing)
    month = sorted((landing / "transactions").glob("*.csv"))[-1]
    shutil.copy(month, month.with_name("resent_" + month.name))
    run = run_job(tmp_path / "home", landing, dbt_tests=False)
    assert run.exit_code == 0, run.output
    assert table_checksums(run.artefact) == table_checksums(nightly_run.artefact)
    resent_rows = sum(1 for _ in month.open(encoding="utf-8")) - 1
    assert f"{resent_rows:>8,}" in run.output  # counted as duplicates in the summary


def test_resuming_after_a_failed_run_gives_the_clean_result(nightly_run, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(nightly_run.landing, landing)
    customers = landing / "customers.csv"
    good = customers.read_bytes()
    customers.write_text("customer_id,full_name\n")  # header only: every child row unknown
    # the same keys as the first run's home, so the tokens can be compared
    shutil.copytree(nightly_run.home / "keys", tmp_path / "home" / "keys")
    failed = run_job(tmp_path / "home", landing, dbt_tests=False)
    assert failed.exit_code == 1 and "NOT published" in failed.output
    customers.write_bytes(good)
    resumed = run_job(tmp_path / "home", landing, dbt_tests=False)
    assert resumed.exit_code == 0, resumed.output
    assert table_checksums(resumed.warehouse) == table_checksums(nightly_run.warehouse)
    assert table_checksums(resumed.artefact) == table_checksums(nightly_run.artefact)
