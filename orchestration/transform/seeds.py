"""The rule seeds are loaded into the warehouse only when they changed.

dbt reloads every seed on every ``dbt build`` (drop, create, copy: about 50 ms each,
48 seeds), although the rules change a few times a year. The job records, after a
successful build, a fingerprint of the seeds it loaded in ``ingest.seed_fingerprint``;
the next build that finds the same fingerprint leaves the seeds out
(``--exclude resource_type:seed``), so their tables and their dbt tests are the ones of
the build that loaded them.

The fingerprint covers what decides a seed table: each seed file's checksum, its
column types and relation (from the manifest), and the versions of dbt, dbt-duckdb
and DuckDB that loaded it. So editing a seed CSV, its ``_seeds.yml`` entry or
upgrading reloads the seeds.

Skipping is safe only when the recorded load is exactly what the tables hold:

- the record is deleted *before* a build that loads the seeds and written only after
  that build succeeded, so a build that failed or was killed half way through the
  seeds leaves no record, and the next build loads them again;
- a build that left dbt's data tests out (``DBT_EXCLUDE_RESOURCE_TYPES``) records
  that its seeds were not tested; a later build with tests loads and tests them again
  rather than trusting untested seeds.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.warehouse import connect

#: schema and table of the record (the schema of the job's other bookkeeping of what
#: it has read, orchestration.ingest.load)
RECORD = "ingest.seed_fingerprint"


@dataclass(frozen=True)
class SeedLoad:
    """The seeds as the last successful build loaded them."""

    fingerprint: str
    tested: bool
    run_id: str


def seed_fingerprint(manifest: Mapping[str, Any]) -> str:
    """The fingerprint of the seeds of ``manifest`` (a parsed ``manifest.json``)."""
    seeds = {
        unique_id: [
            node["checksum"]["checksum"],
            node["config"].get("column_types") or {},
            node.get("relation_name"),
        ]
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "seed"
    }
    versions = [importlib.metadata.version(p) for p in ("dbt-core", "dbt-duckdb")]
    text = json.dumps([seeds, versions, duckdb.__version__], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_seed_fingerprint(manifest_path: Path) -> str:
    return seed_fingerprint(json.loads(manifest_path.read_text(encoding="utf-8")))


def can_skip(recorded: SeedLoad | None, fingerprint: str, *, testing: bool) -> bool:
    """Whether a build may leave the seeds out: they were loaded from the same files by
    a successful build, and tested there when this build runs the data tests."""
    return (
        recorded is not None
        and recorded.fingerprint == fingerprint
        and (recorded.tested or not testing)
    )


def recorded_load(warehouse: Path) -> SeedLoad | None:
    """The record of the warehouse, if any (none in a new warehouse)."""
    if not warehouse.exists():
        return None
    with connect(warehouse, read_only=True) as con:
        return read_record(con)


def read_record(con: duckdb.DuckDBPyConnection) -> SeedLoad | None:
    """The record, read on an open warehouse connection (none in an older warehouse)."""
    schema, table = RECORD.split(".")
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]
    row = (
        con.execute(f"select fingerprint, tested, run_id from {RECORD}").fetchone()
        if exists
        else None
    )
    return SeedLoad(*row) if row else None


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RECORD.split('.')[0]}")
    con.execute(
        f"create table if not exists {RECORD} (fingerprint varchar not null, "
        "tested boolean not null, run_id varchar not null, loaded_at timestamp not null)"
    )


def forget(warehouse: Path) -> None:
    """Delete the record: the build about to start loads the seeds."""
    if not warehouse.exists():
        return
    with connect(warehouse) as con:
        _create(con)
        con.execute(f"delete from {RECORD}")


def record(warehouse: Path, load: SeedLoad) -> None:
    """Record the seeds a successful build has just loaded."""
    with connect(warehouse) as con:
        _create(con)
        con.execute("begin")
        con.execute(f"delete from {RECORD}")
        con.execute(
            f"insert into {RECORD} values (?, ?, ?, current_localtimestamp())",
            [load.fingerprint, load.tested, load.run_id],
        )
        con.execute("commit")
