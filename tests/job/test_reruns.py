"""Idempotence: the same inputs give exactly the same warehouse and artefact, whether a
date is run twice, a file is delivered twice, or a run is resumed after a failure.

The reruns leave dbt's data tests out (the first run, nightly_run, had them): they
compare every table of the warehouse and the artefact instead."""

import shutil
from pathlib import Path

from orchestration.security.keys import CLEARANCES
from tests.conftest import VOLATILE_COLUMNS, copy_home, open_db, run_job, table_checksums


def column_checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Per column of every table of a published artefact (``table.column``; not
    ``_publication``, which names the run): row count and an order-independent hash
    of its values, so a difference names the column."""
    with open_db(path) as con:
        columns = con.execute(
            "select c.table_name, c.column_name from information_schema.columns as c "
            "inner join information_schema.tables as t on c.table_catalog = t.table_catalog "
            "and c.table_schema = t.table_schema and c.table_name = t.table_name "
            "where c.table_catalog = 'db' and t.table_type = 'BASE TABLE' "
            "and c.table_name <> '_publication' order by 1, c.ordinal_position"
        ).fetchall()
        return {
            f"{table}.{column}": con.execute(
                f'select count(*), coalesce(sum(hash("{column}")::hugeint), 0) from "{table}"'
            ).fetchone()
            for table, column in columns
            if column not in VOLATILE_COLUMNS
        }


def test_running_the_same_as_of_twice_changes_nothing(nightly_run, monkeypatch, tmp_path):
    """Also the determinism of the figures: the rerun computes with 8 DuckDB threads
    and every table scan cut into 2,048-row tasks (so even this small landing is
    aggregated by several threads, in whatever order they finish), and every column
    of every published artefact must come out the same as the first run's (default
    threads). A score summed in DOUBLE differed by 0.01 between two such runs."""
    before_wh = table_checksums(nightly_run.warehouse)
    before_pub = {c: column_checksums(nightly_run.artefact_of(c)) for c in CLEARANCES}
    monkeypatch.setenv("TIERING_DUCKDB_THREADS", "8")
    monkeypatch.setenv("TIERING_DUCKDB_VERIFY_PARALLELISM", "1")
    # run again in a copy of the home: other tests read the shared one meanwhile
    home = copy_home(nightly_run, tmp_path / "home")
    # The rule seeds are reloaded only when their files changed since the last load
    # (orchestration.transform.seeds). Make the copy's seeds look changed: a rule edited
    # in the warehouse and the record of another load. The rerun must reload them, or
    # the star labels below come out wrong.
    with open_db(home / "warehouse.duckdb", read_only=False) as con:
        con.execute("update seeds.star_level_bands set label_en = 'edited' where tier_rank = 2")
        con.execute("update ingest.seed_fingerprint set fingerprint = 'of other seed files'")
    again = run_job(home, nightly_run.landing, dbt_tests=False)
    assert again.exit_code == 0, again.output
    assert "rule seeds unchanged" not in again.output
    assert table_checksums(again.warehouse) == before_wh
    for clearance, before in before_pub.items():
        after = column_checksums(again.artefact_of(clearance))
        assert len(after) > 250, clearance
        changed = sorted(c for c in before.keys() | after.keys() if before.get(c) != after.get(c))
        assert changed == [], clearance


def test_resuming_after_a_failed_run_with_a_redelivered_file_gives_the_clean_result(
    nightly_run, tmp_path
):
    """A run that failed is resumed with the files fixed, one month of transactions
    delivered twice (under another name): the result is the clean run's, the resent
    rows counted as duplicates. (One home for both cases: each whole run costs.)"""
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
    month = sorted((landing / "transactions").glob("*.csv"))[-1]
    # resent under a name that sorts after the original, so the rows kept (the first
    # delivered) carry the original file name, as in the clean run
    shutil.copy(month, month.with_name(month.stem + "_resent.csv"))
    resumed = run_job(tmp_path / "home", landing, dbt_tests=False)
    assert resumed.exit_code == 0, resumed.output
    assert table_checksums(resumed.artefact) == table_checksums(nightly_run.artefact)
    # the warehouse too, but for the ingest counts (one more file, its rows duplicates)
    counts = ("raw.source_manifest", "staging.stg_ingest__source_manifest")
    clean = {t: v for t, v in table_checksums(nightly_run.warehouse).items() if t not in counts}
    after = {t: v for t, v in table_checksums(resumed.warehouse).items() if t not in counts}
    assert after == clean
    resent_rows = sum(1 for _ in month.open(encoding="utf-8")) - 1
    assert f"{resent_rows:>8,}" in resumed.output  # counted as duplicates in the summary
