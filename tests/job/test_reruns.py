"""Idempotence: the same inputs give exactly the same warehouse and artefacts, whether a
date is run twice, a file is delivered twice, or a run is resumed after a failure.

The reruns leave dbt's data tests out (the first run, nightly_run, had them): they
compare every table of the warehouse and every column of the artefacts instead."""

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


def test_a_failed_rerun_resumed_with_a_redelivered_file_changes_nothing(
    nightly_run, monkeypatch, tmp_path
):
    """The night is run again in a copy of the nightly home: first with a broken
    customers file (the run fails, nothing is published), then resumed with the file
    fixed and one month of transactions delivered twice (under another name). Every
    table of the warehouse and every column of every artefact must be the first run's;
    only the ingest counts differ, the resent rows counted as duplicates.

    One home for the three cases (a date run twice, a resumed failure, a file delivered
    twice): each whole run costs. The resumed run also proves:
    - the determinism of the figures: it computes with 8 DuckDB threads and every table
      scan cut into 2,048-row tasks (so even this small landing is aggregated by
      several threads, in whatever order they finish), the first run with one; a score
      summed in DOUBLE differed by 0.01 between two such runs;
    - that rule seeds changed since the last load are loaded again: the copy's seeds
      are made to look changed (a rule edited in the warehouse, the record of another
      load); if the run kept them, the star labels would come out wrong.
    """
    before_wh = table_checksums(nightly_run.warehouse)
    before_pub = {c: column_checksums(nightly_run.artefact_of(c)) for c in CLEARANCES}
    home = copy_home(nightly_run, tmp_path / "home")  # other tests read the shared one
    landing = tmp_path / "landing"
    shutil.copytree(nightly_run.landing, landing)
    customers = landing / "customers.csv"
    good = customers.read_bytes()
    customers.write_text("customer_id,full_name\n")  # header only: every child row unknown
    failed = run_job(home, landing, dbt_tests=False)
    assert failed.exit_code == 1 and "NOT published" in failed.output
    assert table_checksums(failed.artefact) == table_checksums(nightly_run.artefact)

    customers.write_bytes(good)
    month = sorted((landing / "transactions").glob("*.csv"))[-1]
    # resent under a name that sorts after the original, so the rows kept (the first
    # delivered) carry the original file name, as in the first run
    shutil.copy(month, month.with_name(month.stem + "_resent.csv"))
    with open_db(home / "warehouse.duckdb", read_only=False) as con:
        con.execute("update seeds.star_level_bands set label_en = 'edited' where tier_rank = 2")
        con.execute("update ingest.seed_fingerprint set fingerprint = 'of other seed files'")
    monkeypatch.setenv("TIERING_DUCKDB_THREADS", "8")
    monkeypatch.setenv("TIERING_DUCKDB_VERIFY_PARALLELISM", "1")
    resumed = run_job(home, landing, dbt_tests=False)
    assert resumed.exit_code == 0, resumed.output
    assert "rule seeds unchanged" not in resumed.output

    counts = ("raw.source_manifest", "staging.stg_ingest__source_manifest")
    after_wh = table_checksums(resumed.warehouse)
    assert {t for t in before_wh if before_wh[t] != after_wh.get(t)} == set(counts)
    assert after_wh.keys() == before_wh.keys()
    for clearance, before in before_pub.items():
        after = column_checksums(resumed.artefact_of(clearance))
        assert len(after) > 250, clearance
        changed = sorted(c for c in before.keys() | after.keys() if before.get(c) != after.get(c))
        assert changed == [], clearance
    resent_rows = sum(1 for _ in month.open(encoding="utf-8")) - 1
    assert f"{resent_rows:>8,}" in resumed.output  # counted as duplicates in the summary
