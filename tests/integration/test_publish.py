"""Publication: one encrypted artefact per clearance, the gate, atomic swap, readers
never broken."""

import copy
import multiprocessing as mp
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from orchestration.publish import artefact as pub
from orchestration.publish.clearances import K_ANONYMITY, pseudonym
from orchestration.security import vault
from orchestration.security.keys import KeyStore
from orchestration.settings import Paths, resolve_paths
from orchestration.warehouse import connect
from tests.conftest import open_db
from tests.integration.artefact_readers import (
    TABLES,
    duckdb_reader,
    read_versions,
    sqlalchemy_reader,
)


def _node(name: str, columns: dict[str, dict]) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "schema": "marts",
        "fqn": ["tiering", "tiers", name],
        "config": {"contract": {"enforced": True}},
        "columns": {
            c: {"data_type": spec.get("type", "varchar"), "meta": spec["meta"]}
            for c, spec in columns.items()
        },
    }


#: a manifest of two published tier tables: customer key (C), version (C), an amount
#: (B), a note (C) and a quasi-identifier (C).
MANIFEST = {
    "nodes": {
        f"model.tiering.{t}": _node(
            t,
            {
                "customer_id": {"meta": {"info_class": "C"}},
                "version": {"type": "integer", "meta": {"info_class": "C"}},
                "amount": {"type": "integer", "meta": {"info_class": "B"}},
                "note": {"meta": {"info_class": "C"}},
                "city_tier_code": {"meta": {"info_class": "C", "quasi_identifier": True}},
            },
        )
        for t in TABLES
    }
}


def make_warehouse(paths: Paths, version: int, rows: int = 200, note: str = "ok") -> None:
    """Customers C0..: every 10th is class A, every 10th + 1 class B, others C; the
    city tier is unique for C1 (a quasi-identifier combination of one customer)."""
    with connect(paths.warehouse) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists intermediate")
        con.execute(
            "create or replace table intermediate.int_customer_info_class as "
            "select 'C' || i as customer_id, case i % 10 when 0 then 'A' when 1 then 'B' "
            "else 'C' end as customer_info_class, '' as basis from range(?) t(i)",
            [rows],
        )
        for table in TABLES:
            con.execute(
                f"create or replace table marts.{table} as select 'C' || i as customer_id, "
                f"{version} as version, i * 10 as amount, ? as note, "
                "case when i = 2 then 'RARE' else 'COMMON' end as city_tier_code "
                "from range(?) t(i)",
                [note, rows],
            )
        # something in the schema that is not a dbt model of the manifest
        con.execute("create or replace table marts.scratch as select 'x' as secret")


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path)


def test_each_clearance_gets_its_classes_of_columns_and_customers(paths: Paths):
    make_warehouse(paths, 1)
    pubs = pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    assert set(pubs) == {"general", "confidential", "restricted"}
    expected_rows = {"restricted": 200, "confidential": 180, "general": 160}
    for clearance, publication in pubs.items():
        assert publication.path == paths.published / clearance / "tiers.duckdb"
        assert publication.tables == dict.fromkeys(TABLES, expected_rows[clearance])
        with open_db(publication.path) as con:
            tables = {r[0] for r in con.execute("show tables").fetchall()}
            # only the manifest's models are published, never the rest of the schema
            assert tables == {*TABLES, "_catalog", "_publication"}
            catalog = con.execute("select distinct info_class from _catalog").fetchall()
            columns = {r[0] for r in con.execute("select column_name from _catalog").fetchall()}
            ids = {
                r[0] for r in con.execute("select customer_id from customer_star_tier").fetchall()
            }
        if clearance == "general":
            assert catalog == [("C",)]
            assert "amount" not in columns
            key = KeyStore(paths.home).key("general")
            assert ids == {pseudonym(key, f"C{i}") for i in range(200) if i % 10 > 1}
            assert not ids & {f"C{i}" for i in range(200)}
            # the quasi-identifier was dropped: one customer had a combination of its own
            assert "city_tier_code" not in columns
        else:
            assert "amount" in columns and "city_tier_code" in columns
            assert ("C0" in ids) == (clearance == "restricted")
    # the Parquet copies are encrypted: unreadable without the clearance's key
    parquet = paths.published / "general" / "parquet" / "customer_star_tier.parquet"
    with pytest.raises(duckdb.Error, match="encrypted"):
        duckdb.sql(f"select count(*) from '{parquet}'").fetchall()


def test_k_anonymity_keeps_a_quasi_identifier_shared_by_enough_customers(paths: Paths):
    make_warehouse(paths, 1)
    with connect(paths.warehouse) as con:  # no rare city tier any more
        for t in TABLES:
            con.execute(f"update marts.{t} set city_tier_code = 'COMMON'")
    pubs = pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    with open_db(pubs["general"].path) as con:
        smallest = con.execute(
            "select min(n) from (select count(*) n from customer_star_tier group by city_tier_code)"
        ).fetchone()[0]
    assert smallest >= K_ANONYMITY


def test_an_artefact_does_not_open_without_its_key(paths: Paths):
    make_warehouse(paths, 1)
    pubs = pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    for publication in pubs.values():
        with pytest.raises(duckdb.Error, match="encrypt"):
            duckdb.connect(str(publication.path), read_only=True).execute("select 1")
    with pytest.raises(duckdb.Error, match="encrypt"):
        duckdb.connect(str(paths.warehouse), read_only=True).execute("select 1")


@pytest.mark.parametrize(
    "note, finding",
    [
        ("call 13800138000", "shaped like a phone number"),
        ("id 11010119900101123X", "shaped like a national ID"),
        ("王小明", "equal to a vault value"),
    ],
)
def test_the_gate_refuses_identifiers_and_publishes_nothing(paths: Paths, note, finding):
    make_warehouse(paths, 1)
    pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    vault.store(
        paths,
        pa.table({"column_name": ["full_name"], "token": ["t" * 64], "value": ["王小明"]}),
        None,
        "run-0",
    )
    make_warehouse(paths, 2, note=note)
    with pytest.raises(pub.PublicationRefused, match=finding):
        pub.publish(paths, MANIFEST, "2026-11-01", "run-2")
    for clearance in ("general", "confidential", "restricted"):
        assert read_versions(paths.published / clearance / "tiers.duckdb") == {1}
        assert not list((paths.published / clearance).glob(".*.tmp"))


def test_a_model_column_without_a_class_refuses_the_publication(paths: Paths):
    make_warehouse(paths, 1)
    pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    unclassed = copy.deepcopy(MANIFEST)
    unclassed["nodes"]["model.tiering.customer_star_tier"]["columns"]["note"]["meta"] = {}
    make_warehouse(paths, 2)
    with pytest.raises(pub.PublicationRefused, match=r"customer_star_tier\.note: meta.info_class"):
        pub.publish(paths, unclassed, "2026-11-01", "run-2")
    for clearance in ("general", "confidential", "restricted"):
        assert read_versions(paths.published / clearance / "tiers.duckdb") == {1}


def test_failed_publication_keeps_the_previous_artefact(paths: Paths, monkeypatch):
    make_warehouse(paths, 1)
    pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    make_warehouse(paths, 2)

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(pub, "_fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        pub.publish(paths, MANIFEST, "2026-11-01", "run-2")
    artefact = paths.published / "confidential" / pub.ARTEFACT
    assert read_versions(artefact) == {1}
    monkeypatch.undo()
    pub.publish(paths, MANIFEST, "2026-11-01", "run-2")
    assert read_versions(artefact) == {2}
    assert not list((paths.published / "confidential").glob(".*.tmp"))


def test_concurrent_readers_never_see_an_error_or_a_mix(paths: Paths, tmp_path: Path):
    """A DuckDB reader of the confidential artefact and a SQLAlchemy + duckdb-engine
    reader of the general one (as Superset reads it) while runs publish."""
    make_warehouse(paths, 1, rows=5_000)
    pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    key_file = tmp_path / "general.key"
    key_file.write_text(KeyStore(paths.home).text("general"))
    key_file.chmod(0o600)
    ctx = mp.get_context("spawn")
    readers = []
    for target, args in (
        (duckdb_reader, (str(paths.published / "confidential" / pub.ARTEFACT),)),
        (sqlalchemy_reader, (str(paths.published / "general" / pub.ARTEFACT), str(key_file))),
    ):
        queue, started, stop = ctx.Queue(), ctx.Event(), ctx.Event()
        process = ctx.Process(target=target, args=(*args, started, stop, queue))
        process.start()
        readers.append((process, queue, started, stop))
    for _, _, started, _ in readers:
        assert started.wait(timeout=60), "a reader did not start"
    # swaps for 1 s and at least 3 times (a loaded machine publishes more slowly), then
    # lets the reader read the last one
    deadline = time.monotonic() + 1
    version = 1
    while time.monotonic() < deadline or version < 4:
        version += 1
        make_warehouse(paths, version, rows=5_000)
        pub.publish(paths, MANIFEST, "2026-10-31", f"run-{version}")
    time.sleep(0.5)
    for process, queue, _, stop in readers:
        stop.set()
        seen, errors, reads = queue.get(timeout=60)
        process.join(timeout=30)
        assert errors == [], process.name
        assert reads > 5, process.name
        assert len(seen) >= 2, process.name  # the reader really saw publications switch


def test_publication_replaces_a_parquet_folder_restored_without_its_symlink(paths: Paths):
    make_warehouse(paths, 1)
    folder = paths.published / "general"
    (folder / "parquet").mkdir(parents=True)  # e.g. a home copied without symlinks
    (folder / "parquet" / "old.parquet").write_bytes(b"x")
    pub.publish(paths, MANIFEST, "2026-10-31", "run-1")
    assert (folder / "parquet").is_symlink()
    assert (folder / "parquet" / "customer_star_tier.parquet").exists()
    assert list((folder / "releases").glob("restored-*/old.parquet"))


def test_the_unsplit_artefact_of_older_versions_is_removed(paths: Paths):
    paths.published.mkdir(parents=True)
    (paths.published / "tiers.duckdb").write_bytes(b"old")
    (paths.published / "parquet").mkdir()
    assert pub.remove_unsplit_artefact(paths.published) == ["tiers.duckdb", "parquet"]
    assert not (paths.published / "tiers.duckdb").exists()


def test_the_value_scan_skips_only_a_column_content_it_found_clean():
    """The clearances of one publication share what the value scan found clean: a
    column with the same content is not scanned twice, a changed one is."""
    known = "select * from (values ('王小明'), ('tok_1')) as k(v)"
    clean: set[tuple] = set()
    with duckdb.connect() as con:
        con.execute("create table t as select * from (values ('A', 'x'), ('B', 'y')) as v(a, b)")
        assert pub.scan_for_identifiers(con, known, clean) == []
        assert {(table, column) for table, column, *_ in clean} == {("t", "a"), ("t", "b")}
        # the same content in the next clearance's artefact: nothing left to scan
        assert pub.scan_for_identifiers(con, "select error('scanned again') as v", clean) == []
        # a column that differs is scanned again: the leak is found
        con.execute("update t set b = 'call 13800138000' where a = 'B'")
        con.execute("insert into t values ('王小明', 'z')")
        assert pub.scan_for_identifiers(con, known, clean) == [
            "t.a: 1 value(s) equal to a vault value or token",
            "t.b: 1 value(s) shaped like a phone number",
        ]
