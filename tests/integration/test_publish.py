"""Publication: atomic swap, previous artefact kept on failure, readers never broken."""

import multiprocessing as mp
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import artefact as pub


def make_warehouse(path: Path, version: int, rows: int = 200) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        for table in ("customer_star_tier", "customer_contribution_tier"):
            con.execute(
                f"create or replace table marts.{table} as select 'C' || i as customer_id, "
                f"{version} as version from range({rows}) t(i)"
            )


def read_versions(artefact: Path) -> set[int]:
    with duckdb.connect(str(artefact), read_only=True) as con:
        a = con.execute("select distinct version from customer_star_tier").fetchall()
        b = con.execute("select distinct version from customer_contribution_tier").fetchall()
        run = con.execute("select run_id from _publication").fetchone()[0]
    versions = {r[0] for r in a + b}
    assert run == f"run-{min(versions)}"
    return versions


def test_publish_writes_duckdb_and_parquet(tmp_path: Path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    result = pub.publish(wh, tmp_path / "published", "2026-10-31", "run-1")
    assert result.tables == {"customer_contribution_tier": 200, "customer_star_tier": 200}
    assert read_versions(result.path) == {1}
    parquet = tmp_path / "published" / "parquet" / "customer_star_tier.parquet"
    assert duckdb.sql(f"select count(*) from '{parquet}'").fetchone()[0] == 200
    assert not list((tmp_path / "published").glob(".*.tmp"))


def test_failed_publication_keeps_the_previous_artefact(tmp_path: Path, monkeypatch):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    pub.publish(wh, tmp_path / "published", "2026-10-31", "run-1")
    make_warehouse(wh, 2)

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(pub, "_fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        pub.publish(wh, tmp_path / "published", "2026-11-01", "run-2")
    assert read_versions(tmp_path / "published" / pub.ARTEFACT) == {1}
    monkeypatch.undo()
    pub.publish(wh, tmp_path / "published", "2026-11-01", "run-2")
    assert read_versions(tmp_path / "published" / pub.ARTEFACT) == {2}
    assert not list((tmp_path / "published").glob(".*.tmp"))


def _reader(artefact: str, started, stop, queue) -> None:
    seen, errors, reads = set(), [], 0
    while not stop.is_set():
        try:
            versions = read_versions(Path(artefact))
            if len(versions) != 1:
                errors.append(f"mixed versions {versions}")
            seen |= versions
            reads += 1
            started.set()
        except Exception as exc:  # noqa: BLE001 - every error is a test failure
            errors.append(repr(exc))
    queue.put((sorted(seen), errors, reads))


def test_concurrent_reader_never_sees_an_error_or_a_mix(tmp_path: Path):
    wh = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published"
    make_warehouse(wh, 1, rows=20_000)
    pub.publish(wh, published, "2026-10-31", "run-1")
    ctx = mp.get_context("spawn")
    queue, started, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    reader = ctx.Process(target=_reader, args=(str(published / pub.ARTEFACT), started, stop, queue))
    reader.start()
    assert started.wait(timeout=60), "reader did not start"
    deadline = time.monotonic() + 5
    version = 1
    while time.monotonic() < deadline:
        version += 1
        make_warehouse(wh, version, rows=20_000)
        pub.publish(wh, published, "2026-10-31", f"run-{version}")
    stop.set()
    seen, errors, reads = queue.get(timeout=60)
    reader.join(timeout=30)
    assert errors == []
    assert reads > 10
    assert len(seen) >= 2  # the reader really saw publications switch


def test_publication_replaces_a_parquet_folder_restored_without_its_symlink(tmp_path: Path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    published = tmp_path / "published"
    (published / "parquet").mkdir(parents=True)  # e.g. a home copied without symlinks
    (published / "parquet" / "old.parquet").write_bytes(b"x")
    pub.publish(wh, published, "2026-10-31", "run-1")
    assert (published / "parquet").is_symlink()
    assert (published / "parquet" / "customer_star_tier.parquet").exists()
    assert list((published / "releases").glob("restored-*/old.parquet"))
