"""Readers of a published artefact for the concurrent-readers test of test_publish.

They run in spawned processes, which import the module of their function: this one
imports nothing heavy (no job, no Dagster), so a reader starts in a fraction of a
second instead of the two of importing the test module."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import open_db

#: the tables of the test's manifest, each holding the version of the run that built it
TABLES = ("customer_star_tier", "customer_contribution_tier")


def read_versions(artefact: Path) -> set[int]:
    with open_db(artefact) as con:
        a = con.execute("select distinct version from customer_star_tier").fetchall()
        b = con.execute("select distinct version from customer_contribution_tier").fetchall()
        run = con.execute("select run_id from _publication").fetchone()[0]
    versions = {r[0] for r in a + b}
    assert run == f"run-{min(versions)}"
    return versions


def _read_until_stopped(read_once, started, stop, queue) -> None:
    """Call ``read_once()`` (the versions of the tables it read, or raises) until
    ``stop``; put the versions seen, the errors (an exception, or a read that saw a mix
    of versions) and the number of reads on ``queue``."""
    seen, errors, reads = set(), [], 0
    while not stop.is_set():
        try:
            versions = read_once()
            if len(versions) != 1:
                errors.append(f"mixed versions {versions}")
            seen |= versions
            reads += 1
            started.set()
        except Exception as exc:  # noqa: BLE001 - every error is a test failure
            errors.append(repr(exc))
    queue.put((sorted(seen), errors, reads))


def duckdb_reader(artefact: str, started, stop, queue) -> None:
    _read_until_stopped(lambda: read_versions(Path(artefact)), started, stop, queue)


def sqlalchemy_reader(artefact: str, key_file: str, started, stop, queue) -> None:
    """Reads as Apache Superset does (make bi): SQLAlchemy + duckdb-engine, an in-memory
    database that attaches the artefact on connect, a new connection per query (NullPool),
    every published table of the artefact."""
    import sqlalchemy as sa

    from orchestration.bi.artefact_connection import attach_on_connect

    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.NullPool)
    attach_on_connect(engine, Path(artefact), Path(key_file))

    def read_once() -> set:
        with engine.connect() as con:
            tables = set(
                con.execute(
                    sa.text(
                        "select table_name from information_schema.tables "
                        "where table_catalog = 'tiers' and table_name not like '\\_%' escape '\\'"
                    )
                ).scalars()
            )
            assert tables == set(TABLES), tables
            versions = set()
            for table in sorted(tables):
                query = sa.text(f"select distinct version from main.{table}")
                versions |= set(con.execute(query).scalars())
        return versions

    _read_until_stopped(read_once, started, stop, queue)
