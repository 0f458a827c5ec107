"""The connection a SQLAlchemy BI client (Superset through duckdb-engine) gets: the
artefact attached read-only with its key, and nothing else reachable from a query."""

from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from orchestration.bi.artefact_connection import attach_on_connect


@pytest.fixture
def engine(tmp_path: Path):
    artefact, key_file = tmp_path / "tiers.duckdb", tmp_path / "general.key"
    key_file.write_text("k" * 32)
    with duckdb.connect() as con:
        con.execute(f"attach '{artefact}' as a (encryption_key '{'k' * 32}')")
        con.execute("create table a.customer_tiers as select 'C1' as customer_id")
    (tmp_path / "other.csv").write_text("secret\n42\n")
    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.NullPool)
    attach_on_connect(engine, artefact, key_file)
    return engine, tmp_path


def test_a_query_reads_the_published_tables(engine):
    engine, _ = engine
    with engine.connect() as con:
        assert con.execute(sa.text("select * from main.customer_tiers")).all() == [("C1",)]


@pytest.mark.parametrize(
    "statement",
    [
        "select * from read_csv('{folder}/other.csv')",
        "attach '{folder}/other.duckdb' as other",
        "set enable_external_access = true",
        "create table main.t (a int)",
        "copy (select 1) to '{folder}/out.csv'",
    ],
)
def test_a_query_cannot_reach_another_file_write_or_undo_the_lock(engine, statement):
    engine, folder = engine
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError):
        con.execute(sa.text(statement.format(folder=folder)))
    assert not (folder / "out.csv").exists() and not (folder / "other.duckdb").exists()
