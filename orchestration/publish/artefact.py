"""Atomic publication of the read-only BI artefact.

The new artefact is written beside the old one under a temporary name, made
durable (checkpoint, fsync), then swapped in with ``os.replace``, which is atomic on
POSIX. A BI client that has ``tiers.duckdb`` open keeps reading the old file until
it reconnects; one that opens it during the swap gets either the old or the new
file, never a half-written one. A failed or killed run leaves only a stray temp
file, which the next publication removes.

The Parquet copies live in ``releases/<run>/parquet/`` and ``parquet`` is a symlink
switched with the same atomic rename; the two previous releases are kept so that a
reader in the middle of a scan is not cut off.
"""

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.warehouse import quote_ident, quote_literal

ARTEFACT = "tiers.duckdb"
KEEP_RELEASES = 3


@dataclass
class Publication:
    path: Path
    parquet_dir: Path
    tables: dict[str, int]
    as_of_date: str
    run_id: str


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clean_stale(published: Path) -> None:
    for stale in published.glob(f".{ARTEFACT}.*.tmp*"):
        stale.unlink(missing_ok=True)
    for stale in published.glob(".parquet.*.tmp"):
        stale.unlink(missing_ok=True)
    releases = published / "releases"
    if releases.is_dir():
        current = (published / "parquet").resolve() if (published / "parquet").exists() else None
        dirs = sorted(
            (d for d in releases.iterdir() if d.is_dir()),
            key=lambda d: d.stat().st_mtime,
            reverse=True,
        )
        for old in dirs[KEEP_RELEASES:]:
            if current is None or current.parent != old:
                shutil.rmtree(old, ignore_errors=True)


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'wh' "
            "and table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    ]


def publish(warehouse: Path, published: Path, as_of_date: str, run_id: str) -> Publication:
    """Copy every ``marts`` table into a new artefact and swap it in atomically."""
    published.mkdir(parents=True, exist_ok=True)
    _clean_stale(published)
    target = published / ARTEFACT
    tmp = published / f".{ARTEFACT}.{run_id}.tmp"
    release = published / "releases" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{run_id[:8]}"
    parquet_dir = release / "parquet"
    parquet_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    # The new file is the writable database; the warehouse is attached read-only.
    with duckdb.connect(str(tmp)) as con:
        con.execute(f"attach {quote_literal(str(warehouse))} as wh (read_only)")
        tables = mart_tables(con)
        if not tables:
            raise RuntimeError(f"{warehouse}: schema marts has no tables to publish")
        for table in tables:
            name = quote_ident(table)
            con.execute(f"create table main.{name} as select * from wh.marts.{name} order by all")
            counts[table] = con.execute(f"select count(*) from main.{name}").fetchone()[0]
            con.execute(
                f"copy main.{name} to "
                f"{quote_literal(str(parquet_dir / (table + '.parquet')))} "
                "(format parquet, compression zstd)"
            )
        published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.execute(
            "create table main._publication as select ? as run_id, "
            "cast(? as date) as as_of_date, cast(? as timestamp) as published_at, "
            "? as row_counts",
            [run_id, as_of_date, published_at, json.dumps(counts)],
        )
        con.execute("detach wh")
        con.execute("checkpoint")
    _fsync(tmp)
    os.replace(tmp, target)
    link_tmp = published / f".parquet.{run_id}.tmp"
    link_tmp.unlink(missing_ok=True)
    link_tmp.symlink_to(parquet_dir.relative_to(published))
    current = published / "parquet"
    if current.is_dir() and not current.is_symlink():
        # A real folder (e.g. a copied or restored home) cannot be replaced by a
        # symlink in one rename: keep it as an old release and switch to the link.
        current.rename(published / "releases" / f"restored-{run_id[:8]}")
    os.replace(link_tmp, current)
    _fsync(published)
    return Publication(
        path=target,
        parquet_dir=published / "parquet",
        tables=counts,
        as_of_date=as_of_date,
        run_id=run_id,
    )
